"""The Excel workbook of the report's tables: segments, gaps, opportunities, risk and ranking."""

from __future__ import annotations

from crm_core.exports import excel_workbook
from crm_core.report.model import Report, report_tables


def report_workbook(report: Report) -> bytes:
    """Return an .xlsx workbook with one formula-safe sheet per table of ``report_tables``.

    Sheets ``segments``, ``gaps``, ``opportunities``, ``risk`` and ``ranking``, in that order; a
    table the data cannot support holds a one-row ``note``. Text that a spreadsheet would read
    as a formula (a branch named ``=cmd|…``) is written with a leading quote.
    """
    return excel_workbook(report_tables(report))
