"""Export helpers: CSV (UTF-8 with BOM, opens cleanly in Excel) and Excel bytes, formula-safe.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could be run
as a formula by a spreadsheet (CSV injection); such cells get a leading single quote.
Numbers are left untouched.
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot be read as spreadsheet formulas.

    Examples
    --------
    >>> formula_safe(pd.DataFrame({"a": ["=1+1", "ok", "-x"], "b": [-1.0, 2.0, 3.0]}))
           a    b
    0  '=1+1 -1.0
    1     ok  2.0
    2    '-x  3.0
    """
    result = frame.copy()
    for column in result.columns:
        series = result[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        result[column] = series.map(
            lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v, na_action="ignore"
        )
    return result


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Return the frame as formula-safe CSV in UTF-8 with a byte-order mark (no index).

    Examples
    --------
    >>> csv_bytes(pd.DataFrame({"name": ["@x"], "aum": [-5]}))
    b"\\xef\\xbb\\xbfname,aum\\n'@x,-5\\n"
    """
    return formula_safe(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def excel_bytes(frame: pd.DataFrame, sheet: str = "customers") -> bytes:
    """Return the frame as a formula-safe .xlsx workbook (openpyxl), header in the first row."""
    from openpyxl import Workbook

    safe = formula_safe(frame)
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet[:31]
    worksheet.append([str(c) for c in safe.columns])
    for row in safe.itertuples(index=False):
        worksheet.append([None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
