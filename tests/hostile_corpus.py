"""Hostile bank extracts for the hardening tests, generated in memory (no committed binaries).

Every case is a list of ``(file name, bytes)`` as the upload widget hands them to
``crm_core.loading.load_dataset``. Realistic rows come from the seeded sample generator, so
the pages have churners, products and 36 months of activity to work on; each case then
bends one thing an extract from the field gets wrong (encoding, delimiter, number format,
hostile text, extreme values, degenerate shapes).

``LOADER_CASES`` covers every case of the loading issue plus junk; ``PAGE_CASES`` names the
loadable ones that are swept through every page.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import zipfile
from collections.abc import Callable
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from crm_core.sample import SampleConfig, sample_tables

Files = list[tuple[str, bytes]]

FORMULA_TEXTS: tuple[str, ...] = ("=cmd|' /C calc'!A0", "+1", "@SUM(1)", "-2+3")
"""Cells a spreadsheet would run as formulas."""

SCRIPT = "<script>alert(1)</script>"
MARKUP_TEXTS: tuple[str, ...] = (SCRIPT, "<img src=x onerror=alert(1)>", "[click](http://evil.example)")
"""Cells a browser or a Markdown renderer would interpret."""

HOSTILE_FILE_NAME = f"{SCRIPT}[click](http://evil.example).csv"
"""An upload's file name becomes the dataset name shown in titles."""

RARE_TEXT = "䶮山支行"
"""A branch name outside GBK (GB18030 only)."""

LONG_TEXT = "很长的网点名称" * 1_500
"""A 10,500-character cell."""

HOSTILE_TEXTS: tuple[str, ...] = (*FORMULA_TEXTS, *MARKUP_TEXTS, RARE_TEXT)
"""Every hostile branch, manager and city name."""

CHINESE_HEADERS: dict[str, str] = {
    "customer_id": "客户号",
    "branch": "网点",
    "city": "城市",
    "relationship_manager": "客户经理",
    "age": "年龄",
    "gender": "性别",
    "open_date": "开户日期",
    "aum": "金融资产",
    "aum_12m_ago": "年前金融资产",
    "deposit_balance": "存款余额",
    "loan_balance": "贷款余额",
    "annual_income": "年收入",
    "risk_level": "风险等级",
    "is_payroll": "是否代发工资",
    "closed_date": "销户日期",
}
"""Chinese headers the mapping recognises (the unrecognised ones simply stay unmapped)."""

TEXT_COLUMNS = (
    "customer_id",
    "branch",
    "city",
    "relationship_manager",
    "age",
    "gender",
    "open_date",
    "tenure_months",
    "aum",
    "aum_avg_3m",
    "aum_avg_12m",
    "aum_12m_ago",
    "deposit_balance",
    "investment_balance",
    "loan_balance",
    "annual_income",
    "annual_contribution",
    "risk_level",
    "satisfaction",
    "complaints_12m",
    "is_payroll",
    "closed_date",
)
"""Customer columns written to the extracts (``churned`` is derived from ``closed_date``)."""


@functools.lru_cache(maxsize=4)
def base_tables(n_customers: int = 120, seed: int = 11):
    """The seeded generated bank every case starts from (cached; treat as read-only)."""
    return sample_tables(SampleConfig(n_customers=n_customers, seed=seed))


def customers_text_frame(n_customers: int = 120, seed: int = 11) -> pd.DataFrame:
    """The customers table as the text a core-banking export would hold (ISO dates, plain numbers)."""
    customers = base_tables(n_customers, seed).customers[list(TEXT_COLUMNS)]
    text = pd.DataFrame(index=customers.index)
    for column in TEXT_COLUMNS:
        values = customers[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            text[column] = values.dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_bool_dtype(values):
            text[column] = values.map({True: "Y", False: "N"}).astype(object).fillna("")
        else:
            text[column] = values.astype("string").fillna("").astype(object)
    return text.reset_index(drop=True)


def activity_text(n_customers: int = 120, seed: int = 11, delimiter: str = ",") -> bytes:
    """The monthly activity table of the base bank as UTF-8 CSV."""
    activity = base_tables(n_customers, seed).activity
    frame = pd.DataFrame(
        {
            "customer_id": activity["customer_id"].astype(str),
            "month": activity["month"].dt.strftime("%Y-%m"),
            "channel": activity["channel"].astype(str),
            "transactions": activity["transactions"],
        }
    )
    return frame.to_csv(index=False, sep=delimiter).encode()


def holdings_text(n_customers: int = 120, seed: int = 11) -> bytes:
    """The long-form holdings of the base bank as UTF-8 CSV."""
    holdings = base_tables(n_customers, seed).holdings[["customer_id", "product", "balance"]]
    return holdings.to_csv(index=False).encode()


def csv_text(
    frame: pd.DataFrame,
    delimiter: str = ",",
    newline: str = "\n",
    quote_all: bool = False,
    headers: dict[str, str] | None = None,
) -> str:
    """Serialise a text frame with the given dialect (and optionally renamed headers)."""
    renamed = frame.rename(columns=headers or {})
    buffer = io.StringIO()
    renamed.to_csv(
        buffer,
        index=False,
        sep=delimiter,
        lineterminator=newline,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    return buffer.getvalue()


def with_activity(customers: tuple[str, bytes], n_customers: int = 120, seed: int = 11) -> Files:
    """A customers file plus the matching activity and holdings files."""
    return [
        customers,
        ("activity.csv", activity_text(n_customers, seed)),
        ("holdings.csv", holdings_text(n_customers, seed)),
    ]


def cycled(values: tuple[str, ...], n: int) -> list[str]:
    """``values`` repeated to length ``n``."""
    return [values[i % len(values)] for i in range(n)]


# --- encodings and dialects ------------------------------------------------------------------


def utf8_comma() -> Files:
    return with_activity(("plain.csv", csv_text(customers_text_frame()).encode()))


def utf8_bom_semicolon() -> Files:
    return with_activity(("bom.csv", csv_text(customers_text_frame(), ";").encode("utf-8-sig")))


def gb18030_tab_chinese() -> Files:
    frame = customers_text_frame()
    frame["branch"] = frame["branch"].map({b: f"{b}支行" for b in frame["branch"].unique()})
    text = csv_text(frame, "\t", headers=CHINESE_HEADERS)
    return with_activity(("客户.txt", text.encode("gb18030")))


def cp1252_pipe() -> Files:
    frame = customers_text_frame()
    frame["branch"] = cycled(("Café Zürich", "São Paulo €", "Ærø"), len(frame))
    return with_activity(("latin.csv", csv_text(frame, "|").encode("cp1252")))


def quoted_fields_crlf() -> Files:
    """Every field quoted, branch names holding the delimiter, a quote and a line break; CRLF."""
    frame = customers_text_frame()
    frame["branch"] = cycled(("North, Upper", 'South "Main"', "East\nWing"), len(frame))
    return with_activity(("quoted.csv", csv_text(frame, ",", "\r\n", quote_all=True).encode()))


def trailing_delimiters() -> Files:
    lines = csv_text(customers_text_frame(), ",", "\r\n").split("\r\n")
    text = "\r\n".join(line + "," if line else line for line in lines)
    return with_activity(("trailing.csv", text.encode()))


# --- value formats ------------------------------------------------------------------------------


def chinese_formats() -> Files:
    """万/亿, currency marks, percentages, 是/否 flags, YYYY年MM月DD日 dates, ages 0 and 200; GB18030."""
    frame = customers_text_frame()
    aum = pd.to_numeric(frame["aum"])
    marks = cycled(("{:.2f}万", "¥{:,.2f}", "{:.4f}亿", "￥{:,.0f}元", "RMB {:.1f}"), len(frame))
    scale = cycled(("1e-4", "1", "1e-8", "1", "1"), len(frame))
    frame["aum"] = [m.format(a * float(s)) for m, a, s in zip(marks, aum, scale, strict=True)]
    frame["satisfaction"] = [f"{v * 20:.0f}%" if v == v else "" for v in pd.to_numeric(frame["satisfaction"])]
    frame["is_payroll"] = frame["is_payroll"].map({"Y": "是", "N": "否"})
    for column in ("open_date", "closed_date"):
        dates = pd.to_datetime(frame[column], errors="coerce")
        frame[column] = dates.dt.strftime("%Y年%m月%d日").fillna("")
    frame.loc[frame.index[:3], "age"] = ["0", "200", "-1"]
    frame["信用卡"] = cycled(("是", "否", "否"), len(frame))
    frame["理财"] = cycled(("有", "无"), len(frame))
    text = csv_text(frame, ",", "\r\n", headers=CHINESE_HEADERS)
    return with_activity(("客户_gb.csv", text.encode("gb18030")))


def ragged_rows() -> Files:
    lines = csv_text(customers_text_frame()).splitlines()
    lines[3] = lines[3] + ",extra,fields"
    lines[5] = ",".join(lines[5].split(",")[:4])
    lines.insert(8, "")
    return with_activity(("ragged.csv", ("\n".join(lines) + "\n").encode()))


def some_branches_missing() -> Files:
    """A few customers without a branch (blank cells), the rest with one."""
    frame = customers_text_frame()
    frame.loc[frame.index[5:40], "branch"] = ""
    return with_activity(("some_branches.csv", csv_text(frame).encode()))


def missing_markers() -> Files:
    frame = customers_text_frame()
    markers = ("", "NA", "N/A", "#N/A", "null", "None", "unknown", "-", "—", "nan", "NaN")
    for column in ("branch", "age", "annual_income", "open_date", "risk_level", "is_payroll", "aum_12m_ago"):
        frame[column] = cycled(markers, len(frame))
    return with_activity(("missing.csv", csv_text(frame).encode()))


# --- hostile text -------------------------------------------------------------------------------


def hostile_names(n_customers: int = 120) -> Files:
    """Formula-looking, HTML/script-looking and Markdown-link names in every text column and the file name."""
    frame = customers_text_frame(n_customers)
    for column in ("branch", "city", "relationship_manager"):
        frame[column] = cycled(HOSTILE_TEXTS, len(frame))
    frame["gender"] = cycled(("F", "M", "=1+1"), len(frame))
    return with_activity((HOSTILE_FILE_NAME, csv_text(frame).encode()), n_customers)


def hostile_customer_ids() -> Files:
    """Customer ids themselves hostile (activity and holdings renamed to match)."""
    frame = customers_text_frame()
    ids = dict(
        zip(
            frame["customer_id"],
            [f"{HOSTILE_TEXTS[i % len(HOSTILE_TEXTS)]}#{i}" for i in range(len(frame))],
            strict=True,
        )
    )
    frame["customer_id"] = frame["customer_id"].map(ids)
    activity = pd.read_csv(io.BytesIO(activity_text()), dtype=str)
    activity["customer_id"] = activity["customer_id"].map(ids)
    holdings = pd.read_csv(io.BytesIO(holdings_text()), dtype=str)
    holdings["customer_id"] = holdings["customer_id"].map(ids)
    return [
        ("hostile_ids.csv", csv_text(frame).encode()),
        ("activity.csv", csv_text(activity).encode()),
        ("holdings.csv", csv_text(holdings).encode()),
    ]


def rare_and_long_strings() -> Files:
    frame = customers_text_frame()
    frame["branch"] = cycled((RARE_TEXT, LONG_TEXT, "北京分行"), len(frame))
    frame["relationship_manager"] = cycled(("䶮", "RM" + "9" * 2_000), len(frame))
    return with_activity(("rare.csv", csv_text(frame).encode("gb18030")))


# --- extreme values -----------------------------------------------------------------------------


def extreme_numbers() -> Files:
    """1e300, inf, -inf and negative AUM in money columns; ages 0 and 200."""
    frame = customers_text_frame()
    values = ("1e300", "inf", "-inf", "-5000", "Infinity", "-1e300")
    for column in ("aum", "aum_12m_ago", "deposit_balance", "annual_contribution", "annual_income"):
        frame.loc[frame.index[:6], column] = values
    frame.loc[frame.index[6:9], "aum"] = ["-1", "-0.01", "-123456789"]
    frame.loc[frame.index[:4], "age"] = ["0", "200", "0", "200"]
    return with_activity(("extreme.csv", csv_text(frame).encode()))


def constant_columns() -> Files:
    frame = customers_text_frame()
    constants = {"aum": "1000", "aum_12m_ago": "1000", "branch": "Only", "age": "40", "risk_level": "3"}
    constants |= {"annual_contribution": "0", "is_payroll": "N", "closed_date": ""}
    for column, value in constants.items():
        frame[column] = value
    return with_activity(("constant.csv", csv_text(frame).encode()))


def single_customer() -> Files:
    frame = customers_text_frame().head(1)
    activity = pd.read_csv(io.BytesIO(activity_text()), dtype=str)
    activity = activity[activity["customer_id"] == frame["customer_id"].iloc[0]]
    return [("one.csv", csv_text(frame).encode()), ("activity.csv", csv_text(activity).encode())]


def optional_columns_empty() -> Files:
    """Every optional column present but 100% blank; no activity, no holdings."""
    frame = customers_text_frame()
    for column in TEXT_COLUMNS:
        if column not in ("customer_id", "aum"):
            frame[column] = ""
    return [("empty_optional.csv", csv_text(frame).encode())]


def minimal_customers() -> Files:
    """Only the two required columns."""
    frame = customers_text_frame()[["customer_id", "aum"]]
    return [("minimal.csv", csv_text(frame).encode())]


def duplicate_ids() -> Files:
    frame = customers_text_frame()
    frame = pd.concat([frame, frame.head(10).assign(branch="Duplicate")], ignore_index=True)
    return with_activity(("duplicates.csv", csv_text(frame).encode()))


def five_hundred_columns() -> Files:
    frame = customers_text_frame()
    rng = np.random.default_rng(5)
    extra = pd.DataFrame(rng.integers(0, 100, (len(frame), 500 - len(frame.columns))).astype(str))
    extra.columns = [f"extra_{i:03d}" for i in range(extra.shape[1])]
    return with_activity(("wide.csv", csv_text(pd.concat([frame, extra], axis=1)).encode()))


# --- refused inputs -------------------------------------------------------------------------


def binary_junk() -> Files:
    rng = np.random.default_rng(3)
    return [("junk.csv", rng.integers(0, 256, 4_096, dtype=np.uint8).tobytes())]


def nul_bytes_in_text() -> Files:
    return [("nul.csv", b"customer_id,aum\nC1,1\x00\x00\nC2,2\n")]


def gzip_archive() -> Files:
    return [("data.csv", gzip.compress(csv_text(customers_text_frame()).encode()))]


def empty_file() -> Files:
    return [("empty.csv", b"")]


def header_only() -> Files:
    return [("header.csv", b"customer_id,aum\r\n")]


def activity_only() -> Files:
    return [("activity.csv", activity_text())]


def no_aum_column() -> Files:
    return [("no_aum.csv", csv_text(customers_text_frame().drop(columns=["aum"])).encode())]


def formula_headers() -> Files:
    """Header cells themselves formula- and script-looking."""
    frame = customers_text_frame()[["customer_id", "aum", "branch"]]
    frame["=cmd|' /C calc'!A0"] = "x"
    frame[SCRIPT] = "y"
    return [("formula_headers.csv", csv_text(frame).encode())]


# --- hostile workbooks and text shapes (issue 22) -------------------------------------------------

_WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def column_letters(number: int) -> str:
    """Excel's column name of a 1-based column number (16384 -> "XFD")."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def sheet_row(number: int, cells: dict[int, str]) -> str:
    """One ``<row>`` of inline-string cells, by 1-based column number."""
    inner = "".join(
        f'<c r="{column_letters(column)}{number}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'
        for column, text in cells.items()
    )
    return f'<row r="{number}">{inner}</row>'


def tiny_workbook(dimension: str, rows: str, padding: int = 0) -> bytes:
    """A minimal .xlsx built with ``zipfile``: one sheet declaring ``dimension`` and holding ``rows``.

    ``padding`` bytes of whitespace inside ``<sheetData>`` make a ZIP bomb (they compress ~1000:1).
    """
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        f'2006/main"><dimension ref="{dimension}"/><sheetData>{rows}{" " * padding}</sheetData></worksheet>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def frame_rows(frame: pd.DataFrame, first_row: int = 1) -> str:
    """A text frame as sheet rows: the header on ``first_row``, then one row per record (blank cells left out)."""
    rows = [sheet_row(first_row, dict(enumerate(frame.columns, start=1)))]
    for offset, record in enumerate(frame.itertuples(index=False), start=1):
        cells = {column: str(value) for column, value in enumerate(record, start=1) if str(value) != ""}
        rows.append(sheet_row(first_row + offset, cells))
    return "".join(rows)


def forged_dimension_workbook() -> Files:
    """Customers in an .xlsx whose sheet declares all 17 billion cells of Excel's grid (``A1:XFD1048576``)
    and ends with an empty row 1,048,576: a reader that trusts the dimension pads every row to 16,384 cells."""
    rows = frame_rows(customers_text_frame()) + '<row r="1048576"/>'
    return with_activity(("forged_dimension.xlsx", tiny_workbook("A1:XFD1048576", rows)))


def zip_bomb_workbook() -> Files:
    """A workbook of a few kB whose sheet unpacks to 20 MB of XML (ratio about 1,000)."""
    rows = frame_rows(customers_text_frame().head(5))
    return [("bomb.xlsx", tiny_workbook("A1:V6", rows, padding=20_000_000))]


def mixed_encoding_text() -> Files:
    """UTF-8 customers with one line pasted from a GBK file."""
    frame = customers_text_frame()
    frame["branch"] = "东城支行"
    lines = csv_text(frame).encode().split(b"\n")
    lines[7] = lines[7].decode().replace("东城支行", "").encode() + "西城支行".encode("gbk")
    return [("mixed.csv", b"\n".join(lines))]


def one_long_line() -> Files:
    """A header and one 2 MB line (a file exported without line breaks)."""
    return [("long.csv", b"customer_id,aum\n" + b"C1,1;" * 400_000)]


LOADER_CASES: dict[str, Callable[[], Files]] = {
    "utf8_comma": utf8_comma,
    "utf8_bom_semicolon": utf8_bom_semicolon,
    "gb18030_tab_chinese": gb18030_tab_chinese,
    "cp1252_pipe": cp1252_pipe,
    "quoted_fields_crlf": quoted_fields_crlf,
    "trailing_delimiters": trailing_delimiters,
    "chinese_formats": chinese_formats,
    "ragged_rows": ragged_rows,
    "missing_markers": missing_markers,
    "some_branches_missing": some_branches_missing,
    "hostile_names": hostile_names,
    "hostile_customer_ids": hostile_customer_ids,
    "rare_and_long_strings": rare_and_long_strings,
    "extreme_numbers": extreme_numbers,
    "constant_columns": constant_columns,
    "single_customer": single_customer,
    "optional_columns_empty": optional_columns_empty,
    "minimal_customers": minimal_customers,
    "duplicate_ids": duplicate_ids,
    "five_hundred_columns": five_hundred_columns,
    "binary_junk": binary_junk,
    "nul_bytes_in_text": nul_bytes_in_text,
    "gzip_archive": gzip_archive,
    "empty_file": empty_file,
    "header_only": header_only,
    "activity_only": activity_only,
    "no_aum_column": no_aum_column,
    "formula_headers": formula_headers,
    "forged_dimension_workbook": forged_dimension_workbook,
    "zip_bomb_workbook": zip_bomb_workbook,
    "mixed_encoding_text": mixed_encoding_text,
    "one_long_line": one_long_line,
}
"""Every hostile extract, by name."""

REFUSED_CASES: frozenset[str] = frozenset(
    {
        "binary_junk",
        "nul_bytes_in_text",
        "gzip_archive",
        "empty_file",
        "header_only",
        "zip_bomb_workbook",
        "mixed_encoding_text",
        "one_long_line",
    }
)
"""Cases the loader must refuse with a ``LoadError`` (the others must load)."""

PAGE_CASES: tuple[str, ...] = (
    "hostile_names",
    "hostile_customer_ids",
    "extreme_numbers",
    "chinese_formats",
    "constant_columns",
    "single_customer",
    "optional_columns_empty",
    "duplicate_ids",
)
"""Loadable cases swept through every page (each ≤ 200 customers)."""
