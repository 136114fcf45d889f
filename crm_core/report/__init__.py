"""Exports of the storyline: a PowerPoint deck, a standalone HTML report, an Excel workbook and PNG charts.

``report_content(prepared, scenario, lang)`` computes the six steps once (positioning, tiered
management, stickiness, value mining, staff assessment, guarantee measures); the renderers
only draw that content, so the deck, the HTML page and the workbook always agree. See
``docs/exports.md``.
"""

from crm_core.report.content import report_content, tier_labels
from crm_core.report.deck import check_template, deck_pptx
from crm_core.report.html import report_html
from crm_core.report.model import (
    CHART_KINDS,
    NUMBER_FORMATS,
    REPORT_TABLES,
    ChartSpec,
    ExportError,
    KeyNumber,
    Report,
    Step,
    chart_figure,
    format_value,
    report_stamp,
    report_tables,
)
from crm_core.report.png import figure_png, figure_pngs
from crm_core.report.workbook import report_workbook

__all__ = [
    "CHART_KINDS",
    "NUMBER_FORMATS",
    "REPORT_TABLES",
    "ChartSpec",
    "ExportError",
    "KeyNumber",
    "Report",
    "Step",
    "chart_figure",
    "check_template",
    "deck_pptx",
    "figure_png",
    "figure_pngs",
    "format_value",
    "report_content",
    "report_html",
    "report_stamp",
    "report_tables",
    "report_workbook",
    "tier_labels",
]
