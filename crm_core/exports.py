"""Spreadsheet-safe exports: CSV with a BOM and Excel workbooks whose text cannot run as formulas.

Every list the dashboard lets a manager download (leads, at-risk customers, silent attrition,
report tables) goes through here, so the escaping rule lives in one place.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import pandas as pd

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""Text starting with one of these is read as a formula by Excel and LibreOffice."""


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
        result[column] = series.map(
            lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v, na_action="ignore"
        )
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
