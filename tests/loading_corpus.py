"""Fixture files for the loading tests, generated in memory (no committed binaries).

Each function returns ``(file name, bytes)``; the tests state the exact expected outcome.
"""

from __future__ import annotations

import gzip
import io
import zipfile

import pandas as pd

CUSTOMERS_TEXT = (
    "客户号,网点,金融资产,年龄,开户日期,信用卡\n"
    'C001,东城支行,"1,234.50",35,2020-01-15,Y\n'
    "C002,西城支行,12.5万,42,2019/03/01,否\n"
    "C003,东城支行,￥300,unknown,20210701,是\n"
)
"""A small Chinese customers extract: thousands separators, 万, ¥, a missing age, three date styles."""


def customers_csv(encoding: str = "utf-8", delimiter: str = ",", newline: str = "\n") -> tuple[str, bytes]:
    """Return the small customers table in an encoding, delimiter and line ending."""
    text = CUSTOMERS_TEXT.replace('"1,234.50"', "1234.50") if delimiter != "," else CUSTOMERS_TEXT
    if delimiter != ",":
        text = text.replace(",", delimiter)
    text = text.replace("\n", newline)
    return f"customers_{encoding}.csv", text.encode(encoding)


def rare_character_csv() -> tuple[str, bytes]:
    """GB18030 file whose branch name holds 䶮 (outside GBK)."""
    return "rare.csv", "客户号,网点,资产余额\nC1,䶮山支行,100\nC2,北京分行,200\n".encode("gb18030")


def latin1_csv() -> tuple[str, bytes]:
    """Windows-1252 file with accented names and a euro sign."""
    return "latin.csv", "cust_id;branch;balance\nC1;Café Zürich;100\nC2;São Paulo €;200\n".encode("cp1252")


def ragged_csv() -> tuple[str, bytes]:
    """Rows with too few and too many fields, a blank line, a quoted delimiter and padded values."""
    text = (
        'cust_id,branch,balance\nC1,  North  , 100 \nC2,South\n\nC3,"East, Upper",300\nC4,West,400,extra\nC5,West,500\n'
    )
    return "ragged.csv", text.encode()


def trailing_delimiter_csv(header_too: bool) -> tuple[str, bytes]:
    """Every line ends with a delimiter (and the header too, if ``header_too``)."""
    header = "cust_id,balance," if header_too else "cust_id,balance"
    return "trailing.csv", f"{header}\r\nC1,100,\r\nC2,200,\r\n".encode()


def xlsx_workbook() -> tuple[str, bytes]:
    """Workbook with a notes sheet first and a customers sheet second; typed cells (dates, numbers, bools)."""
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes.append(["客户号", "月日均资产"])
    notes.append(["N1", 1])
    sheet = workbook.create_sheet("客户")
    sheet.append(["客户编号", "月日均资产", "开户日期", "是否流失"])
    sheet.append(["C1", 1500.5, pd.Timestamp("2021-02-03").to_pydatetime(), False])
    sheet.append(["C2", 2000, pd.Timestamp("2018-11-30").to_pydatetime(), True])
    sheet.append([None, None, None, None])
    sheet.append(["C3", "3万", "2020/01/01", "否"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return "book.xlsx", buffer.getvalue()


def parquet_file() -> tuple[str, bytes]:
    """Typed Parquet customers table."""
    frame = pd.DataFrame({"customer_id": ["P1", "P2"], "aum": [10.0, 20.5], "age": [30, 40]})
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return "customers.parquet", buffer.getvalue()


def refused_files() -> dict[str, tuple[str, bytes]]:
    """Files that are not tables, keyed by what they are."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("data.csv", "a,b\n1,2\n")
    return {
        "empty": ("empty.csv", b""),
        "whitespace": ("blank.csv", b"  \n\n \r\n"),
        "header only": ("header.csv", b"customer_id,aum\n"),
        "binary": ("image.csv", bytes(range(256)) * 4),
        "gzip": ("data.csv.gz", gzip.compress(b"customer_id,aum\nC1,1\n")),
        "zip": ("data.zip", archive.getvalue()),
        "prose": ("letter.txt", b"Dear colleague, please find the extract attached.\nBest regards\n"),
        "pdf": ("report.pdf", b"%PDF-1.7\n%binary\n"),
    }


def event_activity_csv() -> tuple[str, bytes]:
    """One row per transaction, Chinese channel names, an unknown channel and an amount."""
    text = (
        "客户号,交易日期,交易渠道,交易金额\n"
        "C001,2024-01-05,手机银行,100\n"
        "C001,2024-01-20,APP,50\n"
        "C001,2024-02-01,柜面,10\n"
        "C002,2024-01-31,网银,5\n"
        "C002,2024-01-02,ATM,\n"
        "C003,2024-01-03,信鸽,1\n"
        "C003,2024-01-04,电话银行,2\n"
    )
    return "events.csv", text.encode()


def monthly_activity_csv() -> tuple[str, bytes]:
    """Monthly counts already aggregated."""
    text = "cust_id,month,channel,transactions\nC001,2024-01,mobile,3\nC001,202402,counter,1\nC002,2024年1月,online,2\n"
    return "monthly.csv", text.encode()


def holdings_csv() -> tuple[str, bytes]:
    """Long-form holdings with Chinese product names."""
    text = "客户号,产品名称,余额\nC001,信用卡,0\nC001,基金,5000\nC002,黄金积存,300\nC003,,1\n"
    return "holdings.csv", text.encode()


def duplicates_csv() -> tuple[str, bytes]:
    """Customer C1 appears twice."""
    text = "cust_id,branch,aum,deposit_balance\nC1,North,100,10\nC2,South,200,20\nC1,East,50,5\n"
    return "duplicates.csv", text.encode()
