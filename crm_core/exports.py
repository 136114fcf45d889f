"""Spreadsheet-safe exports: CSV with a BOM and Excel workbooks whose text cannot run as formulas.

Every list the dashboard lets a manager download (leads, at-risk customers, silent attrition,
report tables) goes through here, so the escaping rule lives in one place.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""Text starting with one of these is read as a formula by Excel and LibreOffice."""


def formula_safe_value(value: object) -> object:
    """Return ``value`` with a leading single quote when it is text a spreadsheet would read as a formula.

    Examples
    --------
    >>> formula_safe_value("=cmd|' /C calc'!A0"), formula_safe_value("ok"), formula_safe_value(-3)
    ("'=cmd|' /C calc'!A0", 'ok', -3)
    """
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) else value


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot be read as spreadsheet formulas.

    Text starting with ``= + - @``, a tab or a carriage return gets a leading single quote;
    numbers (negative ones included) and booleans are untouched. The input is not modified.

    Examples
    --------
    >>> formula_safe(pd.DataFrame({"a": ["=1+1", "ok", "-x"], "b": [-1.0, 2.0, 3.0]})).to_dict("list")
    {'a': ["'=1+1", 'ok', "'-x"], 'b': [-1.0, 2.0, 3.0]}
    """
    result = frame.copy()
    for column in result.columns:
        series = result[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        result[column] = series.map(formula_safe_value, na_action="ignore")
    return result


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Return formula-safe CSV in UTF-8 with a byte-order mark, so Excel opens Chinese text correctly.

    Examples
    --------
    >>> csv_bytes(pd.DataFrame({"name": ["@x"], "aum": [-5]}))
    b"\\xef\\xbb\\xbfname,aum\\r\\n'@x,-5\\r\\n"
    """
    return formula_safe(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def excel_workbook(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """Return an .xlsx workbook (openpyxl) with one formula-safe sheet per frame, names cut to 31 characters."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            formula_safe(frame).to_excel(writer, sheet_name=str(name)[:31] or "sheet", index=False)
    return buffer.getvalue()


def excel_bytes(frame: pd.DataFrame, sheet_name: str = "customers") -> bytes:
    """Return a one-sheet formula-safe .xlsx workbook."""
    return excel_workbook({sheet_name: frame})


SHEET_NAME_FORBIDDEN = frozenset("[]:*?/\\")
"""Characters Excel refuses in a sheet name."""


@dataclass(frozen=True, eq=False)
class TableSheet:
    """One table of a formatted workbook.

    Parameters
    ----------
    name : str
        Sheet name as a reader sees it (cleaned and cut to 31 characters when written).
    frame : pandas.DataFrame
        The table with its display headers; numbers stay numbers, text is escaped when written.
    number_formats : mapping of str to str
        Display header → Excel number format (``"#,##0"``, ``"0.0%"``); other columns are General.
    """

    name: str
    frame: pd.DataFrame
    number_formats: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CoverSheet:
    """A first sheet of label / value lines above the tables.

    Parameters
    ----------
    name, title : str
        Sheet name and the bold first line.
    rows : tuple of (str, str)
        Label and value; a row with an empty value is a bold heading, an empty row a spacer.
    """

    name: str
    title: str
    rows: tuple[tuple[str, str], ...] = ()


def display_width(value: object) -> int:
    """Return how many character cells a value takes in a spreadsheet: CJK and full-width characters count two.

    Examples
    --------
    >>> display_width("AUM"), display_width("金融资产"), display_width(1234567.0)
    (3, 8, 9)
    """
    if isinstance(value, bool) or value is None:
        return len(str(value)) if value is not None else 0
    if isinstance(value, int | float):
        return len(f"{value:,.0f}") if math.isfinite(value) else 0
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(value))


def sheet_title(name: str, taken: Sequence[str] = ()) -> str:
    """Return a sheet name Excel accepts: no ``[]:*?/\\``, no outer quotes, at most 31 characters, not in ``taken``.

    Examples
    --------
    >>> sheet_title("Gaps [A/B]: *new*"), sheet_title("Risk", ["Risk"])
    ('Gaps AB new', 'Risk (2)')
    """
    cleaned = "".join(c for c in str(name) if c not in SHEET_NAME_FORBIDDEN).strip().strip("'").strip()
    cleaned = cleaned[:31] or "sheet"
    lowered = {t.lower() for t in taken}
    candidate, number = cleaned, 2
    while candidate.lower() in lowered:
        suffix = f" ({number})"
        candidate, number = cleaned[: 31 - len(suffix)] + suffix, number + 1
    return candidate


def _cell_value(value: object) -> object:
    """A value openpyxl writes as a plain cell: NaN, infinities and NA empty, numpy scalars unboxed, text escaped."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float | str):
        return formula_safe_value(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return formula_safe_value(str(value))


HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MIN_WIDTH, MAX_WIDTH, MAX_HEADER_WIDTH = 8, 60, 24


def _write_table(sheet, table: TableSheet) -> None:
    frame = table.frame
    headers = [str(c) for c in frame.columns]
    sheet.append([_cell_value(h) for h in headers])
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell_value(v) for v in row])
    rows = len(frame) + 1
    for index, header in enumerate(headers, start=1):
        letter = get_column_letter(index)
        head = sheet.cell(row=1, column=index)
        head.font = Font(bold=True)
        head.fill = HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="top")
        number_format = table.number_formats.get(header)
        widest = 0
        for (cell,) in sheet.iter_rows(min_row=2, max_row=rows, min_col=index, max_col=index):
            if number_format and isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = number_format
            widest = max(widest, display_width(cell.value))
        width = max(
            widest + (3 if number_format and "%" in number_format else 1), min(display_width(header), MAX_HEADER_WIDTH)
        )
        sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A2"
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{rows}"


def _write_cover(sheet, cover: CoverSheet) -> None:
    sheet.append([_cell_value(cover.title)])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.append([])
    for label, value in cover.rows:
        sheet.append([_cell_value(label), _cell_value(value or None)])
        row = sheet.max_row
        sheet.cell(row=row, column=1).font = Font(bold=True)
        sheet.cell(row=row, column=1).alignment = Alignment(vertical="top")
        sheet.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    labels = [display_width(label) for label, _ in cover.rows]
    sheet.column_dimensions["A"].width = min(max([MIN_WIDTH, *labels]) + 2, 40)
    sheet.column_dimensions["B"].width = 90


def formatted_workbook(tables: Sequence[TableSheet], cover: CoverSheet | None = None) -> bytes:
    """Return an .xlsx workbook a manager can read: an optional cover, then one formatted sheet per table.

    Each table sheet has a bold header row that stays in view (frozen at ``A2``), an autofilter,
    the number format of each column and widths fitted to the content (CJK characters count two).
    Text a spreadsheet would read as a formula gets a leading quote; no cell holds a formula.

    Parameters
    ----------
    tables : sequence of TableSheet
        In sheet order.
    cover : CoverSheet, optional
        Written first.

    Examples
    --------
    >>> from openpyxl import load_workbook
    >>> data = formatted_workbook([TableSheet("Risk", pd.DataFrame({"AUM (¥)": [1.5e6]}), {"AUM (¥)": "#,##0"})])
    >>> sheet = load_workbook(io.BytesIO(data))["Risk"]
    >>> sheet.freeze_panes, sheet["A2"].number_format, sheet.auto_filter.ref
    ('A2', '#,##0', 'A1:A2')
    """
    book = Workbook()
    book.remove(book.active)
    taken: list[str] = []
    if cover is not None:
        taken.append(sheet_title(cover.name, taken))
        _write_cover(book.create_sheet(taken[-1]), cover)
    for table in tables:
        taken.append(sheet_title(table.name, taken))
        _write_table(book.create_sheet(taken[-1]), table)
    if not book.worksheets:
        book.create_sheet("sheet")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
