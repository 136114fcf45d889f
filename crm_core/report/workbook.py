"""The Excel workbook of the report: a cover, then tier profiles, gaps, opportunities, risk and ranking.

The workbook is written for a branch manager in the report's language: a cover sheet naming the
scenario, the data and what each headline figure means; then one sheet per table of
``report_tables`` with translated sheet names and headers, tier and product names as the
report labels them, flags as words, money in yuan (the header says so) and shares, counts and
ratios in their number formats. Numbers stay numbers, so a manager can sum and filter them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from crm_core import staff
from crm_core.catalog import text
from crm_core.exports import CoverSheet, TableSheet, formatted_workbook
from crm_core.loyalty.config import ModelConfig
from crm_core.report.model import REPORT_TABLES, Report, report_tables
from crm_core.scenarios import scenario_label
from crm_core.segments.profiles import MIN_GROUP_CUSTOMERS

NUMBER_FORMATS: dict[str, str] = {
    "money": "#,##0",
    "money_year": "#,##0",
    "count": "#,##0",
    "share": "0.0%",
    "change": "+0.0%;-0.0%;0.0%",
    "ratio": "0.00",
    "decimal": "0.0",
    "index": "0",
    "rank": "0",
    "places": "+0;-0;0",
}
"""Excel number format of each column kind (money is whole yuan; its header states the unit)."""


@dataclass(frozen=True)
class Column:
    """How one column of a report table reads in the workbook.

    Parameters
    ----------
    kind : str
        A key of ``NUMBER_FORMATS``, ``"text"`` (shown as the report holds it) or ``"flag"``
        (True / False shown as the words yes / no).
    label : str
        Catalog key of the header (families ``col_`` and ``profile_``); empty for a balanced
        scorecard perspective, whose name is its catalog term (``crm_core.staff.PERSPECTIVE_TERMS``).
    """

    kind: str
    label: str = ""


TIER = Column("text", "col_tier")
COLUMNS: dict[str, dict[str, Column]] = {
    "segments": {
        "tier": TIER,
        "customers": Column("count", "profile_customers"),
        "customer_share": Column("share", "profile_customer_share"),
        "aum": Column("money", "profile_aum"),
        "aum_share": Column("share", "profile_aum_share"),
        "average_aum": Column("money", "profile_average_aum"),
        "median_aum": Column("money", "profile_median_aum"),
        "products_per_customer": Column("ratio", "profile_products_per_customer"),
        "digital_active_share": Column("share", "profile_digital_active_share"),
        "counter_trend": Column("change", "profile_counter_trend"),
        "churn_rate": Column("share", "profile_churn_rate"),
        "average_age": Column("decimal", "profile_average_age"),
        "payroll_share": Column("share", "profile_payroll_share"),
        "suppressed": Column("flag", "col_suppressed"),
        **{
            f"{measure}_index": Column("index", f"profile_{measure}_index")
            for measure in (
                "average_aum",
                "median_aum",
                "products_per_customer",
                "digital_active_share",
                "counter_trend",
                "churn_rate",
                "average_age",
                "payroll_share",
            )
        },
    },
    "gaps": {
        "group": TIER,
        "product": Column("text", "col_product"),
        "product_name": Column("text", "col_product_name"),
        "customers": Column("count", "col_customers"),
        "holders": Column("count", "col_holders"),
        "penetration": Column("share", "col_penetration"),
        "benchmark": Column("share", "col_benchmark"),
        "benchmark_source": Column("text", "col_benchmark_source"),
        "gap_points": Column("share", "col_gap_points"),
        "gap_customers": Column("count", "col_gap_customers"),
    },
    "opportunities": {
        "group": TIER,
        "product": Column("text", "col_product"),
        "product_name": Column("text", "col_product_name"),
        "customers": Column("count", "col_customers"),
        "lacking": Column("count", "col_lacking"),
        "eligible": Column("count", "col_eligible"),
        "assigned": Column("count", "col_assigned"),
        "conversion_rate": Column("share", "col_conversion_rate"),
        "value_per_customer": Column("money_year", "col_value_per_customer"),
        "expected_conversions": Column("count", "col_expected_conversions"),
        "opportunity_value": Column("money_year", "col_opportunity_value"),
        "gap_customers": Column("count", "col_gap_customers"),
        "gap_value": Column("money_year", "col_gap_value"),
    },
    "risk": {
        "group": TIER,
        "scored": Column("count", "col_scored"),
        "mean_probability": Column("share", "col_mean_probability"),
        "expected_churners": Column("count", "col_expected_churners"),
        "high_risk": Column("count", "col_high_risk"),
        "high_risk_share": Column("share", "col_high_risk_share"),
        "at_risk_aum": Column("money", "col_at_risk_aum"),
        "expected_aum_loss": Column("money", "col_expected_aum_loss"),
    },
    "ranking": {
        "unit": Column("text", "col_unit"),
        "rank": Column("rank", "col_rank"),
        "rank_low": Column("rank", "col_rank_low"),
        "rank_high": Column("rank", "col_rank_high"),
        "baseline_rank": Column("rank", "col_baseline_rank"),
        "baseline_rank_low": Column("rank", "col_baseline_rank_low"),
        "baseline_rank_high": Column("rank", "col_baseline_rank_high"),
        "rank_change": Column("places", "col_rank_moved"),
        "rank_change_low": Column("places", "col_rank_moved_low"),
        "rank_change_high": Column("places", "col_rank_moved_high"),
        "score": Column("decimal", "col_score"),
        "baseline_score": Column("decimal", "col_baseline_score"),
        **{perspective: Column("decimal") for perspective in staff.PERSPECTIVES},
        "customers": Column("count", "col_customers"),
        "small_unit": Column("flag", "col_small_unit"),
        "ranked": Column("flag", "col_ranked"),
    },
}
"""Per table, the columns a manager reads, in order, with their kind and header. Columns not
listed are internal and left out: the integer tier ``code``, and the ``product`` code when the
table holds the translated ``product_name`` (shown in its place). A column a future table adds
is still written, under its code (tests check the sample's tables hold none)."""

NOTE = Column("text", "col_reason")
"""The ``note`` column: the ranking's per-unit note, or why a table is missing (both translated)."""

INTERNAL_COLUMNS: tuple[str, ...] = ("code",)
"""Columns a manager does not read: the integer tier code (the tier's name is shown)."""


def _month_name(when: pd.Timestamp, lang: str) -> str:
    return text("xlsx_month_names", lang).split()[when.month - 1]


def _month(when, lang: str) -> str:
    """``May 2030`` / ``2030年5月``."""
    when = pd.Timestamp(when)
    return text("xlsx_month", lang, month_name=_month_name(when, lang), year=when.year)


def _day(when, lang: str) -> str:
    """``17 May 2030`` / ``2030年5月17日``."""
    when = pd.Timestamp(when)
    return text("xlsx_day", lang, day=when.day, month_name=_month_name(when, lang), year=when.year)


def _table_sheets(lang: str) -> dict[str, str]:
    return {
        "segments": text("xlsx_sheet_segments", lang),
        "gaps": text("xlsx_sheet_gaps", lang),
        "opportunities": text("xlsx_sheet_opportunities", lang),
        "risk": text("xlsx_sheet_risk", lang),
        "ranking": text("xlsx_sheet_ranking", lang),
    }


def sheet_names(lang: str = "en") -> tuple[str, ...]:
    """Return the workbook's sheet names in order: the cover, then one per ``REPORT_TABLES`` entry.

    Examples
    --------
    >>> sheet_names("en")
    ('Cover', 'Tier profiles', 'Product gaps', 'Cross-sell opportunities', 'Churn risk', 'Staff ranking')
    """
    names = _table_sheets(lang)
    return (text("xlsx_sheet_cover", lang), *(names[key] for key in REPORT_TABLES))


def _header(column: str, spec: Column, lang: str) -> str:
    if spec.label:
        label = text(spec.label, lang)
    elif column in staff.PERSPECTIVES:
        label = text(staff.PERSPECTIVE_TERMS[column].key, lang)
    else:  # a column a future table adds: its code until the catalog names it
        return str(column)
    if spec.kind == "money":
        return text("xlsx_header_yuan", lang, label=label)
    if spec.kind == "money_year":
        return text("xlsx_header_yuan_year", lang, label=label)
    if spec.kind == "index":
        return text("xlsx_header_index", lang, label=label)
    return label


def _columns(key: str, frame: pd.DataFrame) -> dict[str, Column]:
    """The columns to write, in order: the table's known ones, then any it adds (kind from its dtype)."""
    listed = COLUMNS.get(key, {})
    known = dict(listed)
    if "product_name" in frame.columns:
        known.pop("product")  # a code: the translated name stands in its place
    chosen = {column: spec for column, spec in known.items() if column in frame.columns}
    for column in frame.columns:
        if column in chosen or column in listed or column in INTERNAL_COLUMNS:
            continue
        if column == "note":
            chosen[column] = NOTE
        else:
            numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
            chosen[column] = Column("decimal" if numeric else "text")
    return chosen


def table_sheet(key: str, frame: pd.DataFrame, lang: str = "en") -> TableSheet:
    """Return one report table as a workbook sheet: translated headers, flags as words, number formats.

    Parameters
    ----------
    key : str
        A ``REPORT_TABLES`` key (decides the sheet name and the columns).
    frame : pandas.DataFrame
        The table from ``report_tables``. Not modified.
    lang : {"en", "zh"}

    Examples
    --------
    >>> sheet = table_sheet("risk", pd.DataFrame({"code": [0], "group": ["mass"], "at_risk_aum": [1.5e6]}))
    >>> sheet.name, list(sheet.frame.columns), sheet.number_formats
    ('Churn risk', ['Tier', 'AUM of high-risk customers (¥)'], {'AUM of high-risk customers (¥)': '#,##0'})
    """
    columns = _columns(key, frame)
    words = {True: text("xlsx_yes", lang), False: text("xlsx_no", lang)}
    shown: dict[str, pd.Series] = {}
    formats: dict[str, str] = {}
    for column, spec in columns.items():
        header = _header(column, spec, lang)
        values = frame[column]
        if spec.kind == "flag":
            values = values.astype("boolean").map(words.get, na_action="ignore").astype(object)
        elif spec.kind == "text":
            values = values.astype(object)
        shown[header] = values.reset_index(drop=True)
        if spec.kind in NUMBER_FORMATS:
            formats[header] = NUMBER_FORMATS[spec.kind]
    return TableSheet(_table_sheets(lang).get(key, key), pd.DataFrame(shown), formats)


def cover_sheet(
    report: Report,
    scenario_name: str | None = None,
    dataset_name: str | None = None,
    fingerprint: str | None = None,
    when: date | None = None,
    as_of: date | pd.Timestamp | None = None,
) -> CoverSheet:
    """Return the cover: title, scenario, data source, fingerprint, data month, date, language and definitions.

    A stamp value not given reads "not available" (the generated date defaults to today). The
    definitions are those of the README's "Definitions: one per headline figure".
    """
    lang = report.lang
    missing = text("not_available", lang)
    sheets = _table_sheets(lang)
    rows: list[tuple[str, str]] = [
        (text("report_stamp_scenario", lang), scenario_label(scenario_name, lang) if scenario_name else missing),
        (text("xlsx_cover_source", lang), dataset_name or missing),
        (text("report_stamp_fingerprint", lang), str(fingerprint)[:12] if fingerprint else missing),
        (text("xlsx_cover_as_of", lang), _month(as_of, lang) if as_of is not None else missing),
        (text("xlsx_cover_generated", lang), _day(when or date.today(), lang)),
        (text("xlsx_cover_language", lang), text("xlsx_language_name", lang)),
        (text("xlsx_cover_units", lang), text("xlsx_units_note", lang)),
        *((text("xlsx_cover_scope", lang) if i == 0 else "", line) for i, line in enumerate(report.scope)),
        ("", ""),
        (text("xlsx_cover_sheets", lang), ""),
        (sheets["segments"], text("xlsx_about_segments", lang)),
        (sheets["gaps"], text("xlsx_about_gaps", lang)),
        (sheets["opportunities"], text("xlsx_about_opportunities", lang)),
        (sheets["risk"], text("xlsx_about_risk", lang)),
        (sheets["ranking"], text("xlsx_about_ranking", lang)),
        ("", ""),
        (text("xlsx_definitions", lang), ""),
        (text("report_active_customers", lang), text("xlsx_definition_active_customers", lang)),
        (text("report_total_aum", lang), text("xlsx_definition_total_aum", lang, n=MIN_GROUP_CUSTOMERS)),
        (text("profile_churn_rate", lang), text("xlsx_definition_churn_rate", lang)),
        (
            text("xlsx_term_high_risk", lang),
            text("xlsx_definition_high_risk", lang, threshold=f"{ModelConfig().high_risk:.0%}"),
        ),
        (text("col_opportunity_value", lang), text("xlsx_definition_opportunity_value", lang)),
        (text("col_penetration", lang), text("xlsx_definition_penetration", lang)),
        (text("col_index", lang), text("xlsx_definition_index", lang)),
    ]
    return CoverSheet(text("xlsx_sheet_cover", lang), report.title, tuple(rows))


def report_workbook(
    report: Report,
    scenario_name: str | None = None,
    dataset_name: str | None = None,
    fingerprint: str | None = None,
    when: date | None = None,
    *,
    as_of: date | pd.Timestamp | None = None,
) -> bytes:
    """Return the report's .xlsx workbook in the report's language: a cover, then one sheet per table.

    Parameters
    ----------
    report : Report
        From ``report_content``; its language decides every sheet name, header and word.
    scenario_name, dataset_name, fingerprint : str, optional
        The stamp the deck and HTML page carry (``ui.report.stamp_args``); the built-in
        scenarios' names are translated, the fingerprint cut to 12 hex digits.
    when : datetime.date, optional
        The date the workbook is generated (today when None).
    as_of : date or Timestamp, optional
        The data's reference month (``PreparedDataset.as_of``), shown as ``May 2030`` / ``2030年5月``.

    Returns
    -------
    bytes
        Sheets ``sheet_names(report.lang)``: the cover, then tier profiles, product gaps,
        cross-sell opportunities, churn risk and staff ranking. Each table sheet has a frozen,
        filterable header row; money is whole yuan (``#,##0``, the unit in the header), shares
        ``0.0%``, counts ``#,##0``, ratios ``0.00``. A table the data cannot support holds a
        one-row note saying so. Text a spreadsheet would read as a formula (a branch named
        ``=cmd|…``) is written with a leading quote; no cell holds a formula.
    """
    tables = [table_sheet(key, frame, report.lang) for key, frame in report_tables(report).items()]
    cover = cover_sheet(report, scenario_name, dataset_name, fingerprint, when, as_of)
    return formatted_workbook(tables, cover)
