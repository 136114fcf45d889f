"""Export helpers of the at-risk lists: the shared formula-safe CSV (BOM) and Excel writers.

See ``crm_core.exports``: a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading single quote; numbers are left untouched.
"""

from crm_core.exports import FORMULA_PREFIXES as FORMULA_STARTS
from crm_core.exports import csv_bytes, excel_bytes, formula_safe

__all__ = ["FORMULA_STARTS", "csv_bytes", "excel_bytes", "formula_safe"]
