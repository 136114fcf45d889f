"""Every text the product shows, one catalog per language: ``locales/<code>.json``.

Each catalog is a flat JSON object ``key -> text`` with ``str.format`` fields (``{name}``);
``locales/en.json`` is the reference every other language must match key for key (a test
checks keys and fields). ``locales/glossary.json`` fixes the one translation of each banking
term. The screens (``ui.i18n.t``) and the report renderers (deck, HTML, Excel) both read
through :func:`text`, so a term reads the same on screen and in an export.

The catalogs are read once at import into read-only mappings: they are data, not state.

Examples
--------
>>> text("report_stamp_scenario", "zh")
'情景'
>>> text("dataset_size", "en", customers="20,000", activity="1,200", mb=3)
'20,000 customers · 1,200 activity rows · 3 MB'
>>> text("no_such_key", "zh")
'no_such_key'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

LOCALES = Path(__file__).resolve().parent.parent / "locales"
"""The folder of the catalogs and the glossary."""

REFERENCE_LANGUAGE = "en"
GLOSSARY_FILE = "glossary.json"


def _read(path: Path) -> Mapping[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError(f"{path.name} must be one JSON object of text keys and text values")
    return MappingProxyType(data)


CATALOGS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {path.stem: _read(path) for path in sorted(LOCALES.glob("*.json")) if path.name != GLOSSARY_FILE}
)
"""Language code → (key → text), one entry per ``locales/<code>.json``."""

LANGUAGES: tuple[str, ...] = (REFERENCE_LANGUAGE, *sorted(set(CATALOGS) - {REFERENCE_LANGUAGE}))
"""The language codes a catalog exists for, the reference language first."""

RUNTIME_KEY_FAMILIES: tuple[str, ...] = (
    "background_step_",  # steps of an upload's background preparation (ui.background.STEPS)
    "band_",  # churn-risk bands: low / medium / high
    "basis_",  # tier bases (the tiering control)
    "benchmark_",  # product benchmark kinds
    "channel_",  # activity channels
    "churn_kind_",  # churn definitions
    "col_",  # table columns named by the core's column codes
    "coming_",  # pages not built yet
    "compare_",  # scenario comparison columns
    "date_order_",  # date orders an upload may use
    "delimiter_",  # delimiters of an uploaded text file (crm_core.loading.reading.DELIMITER_NAMES)
    "drill_",  # segment drill-down panels
    "explain_",  # the explanation under each Overview metric
    "feature_",  # churn model features (crm_core.loyalty.feature_name)
    "format_",  # file formats of an upload (ui.loading: text, xlsx, parquet)
    "frequency_",  # trend periods: month / quarter
    "guaranteearea_",  # guarantee areas (crm_core.playbook.guarantees)
    "guaranteeheader_",  # guarantee export headers
    "guaranteekpi_",  # guarantee KPIs
    "guaranteemeasure_",  # how each guarantee KPI is measured
    "guaranteereason_",  # why a guarantee KPI cannot be measured
    "guaranteeunit_",  # guarantee KPI units
    "indicator_",  # value and stickiness indicators
    "leadfeature_",  # propensity features named in lead reasons (crm_core.products.feature_message)
    "level_",  # staff ranking levels: branch / relationship manager
    "loyalty_",  # loyalty KPI tiles
    "measure_",  # value measures that stand in for AUM
    "method_",  # value-score methods
    "metric_",  # Overview metrics
    "model_",  # churn model kinds
    "norm_",  # value-score normalisations
    "page_",  # page titles
    "play_",  # playbook recommendation kinds
    "playmetric_",  # the playbook's metrics (crm_core.playbook.wording.metric_label)
    "policy_",  # upload policies
    "preset_",  # tier presets
    "productname_",  # catalogue product names (crm_core.products.product_term)
    "profile_",  # segment profile measures
    "question_",  # the question under each page title
    "closure_",  # how much of a product gap a sentence closes (crm_core.products.opportunity_message)
    "quadrant_",  # customer-value quadrants (crm_core.loyalty.QUADRANTS)
    "report_basis_",  # tier bases in the deck's migration sentence
    "report_decision_",  # the decision each executive finding asks for (crm_core.report.meeting)
    "report_range_",  # where a decision's money range comes from (Finding.range_basis)
    "report_step_",  # the storyline's step titles
    "rfm_",  # RFM segments
    "role_",  # the roles of the tables of a relational extract (crm_core.loading.relations.ROLES)
    "scheme_",  # segmentation schemes
    "service_note_",  # the Service quality view's messages (crm_core.service returns Message keys)
    "status_",  # scorecard statuses
    "stickiness_",  # stickiness indicators
    "table_",  # the tables of a dataset
    "tiername_",  # the tier presets' names (crm_core.segments.tier_terms)
    "target_status_",  # KPI target statuses (crm_core.targets.STATUSES)
    "trend_",  # the Overview's trend metrics and the columns named by the period
    "value_",  # value segments
    "xsell_col_",  # cross-sell table columns
)
"""Key families whose keys are built at runtime (``t(f"metric_{name}")``): a key starting with one
of these is in use even though no literal ``t("…")`` names it. Add a family here when code builds
a key from a code."""

RUNTIME_KEYS: tuple[str, ...] = (
    # notes the core returns as codes or English sentences, shown through t(note)
    "note_customers_without_activity",
    "note_no_close_dates",
    "note_missing_fields",
    "note_no_products",
    "note_orphan_activity",
    "note_none",
    "closed customers placed by their AUM a year ago",
    "6-month average approximated by the mean of the 3- and 12-month averages",
    "no AUM a year ago: stages use the activity trend only",
    "no activity data: stages use the AUM trend only",
    # upload issue kinds (ui/loading.py), built-in scenario names (ui/scenarios.py)
    "issue_rejected",
    "issue_parse",
    "issue_range",
    "scenario_name_baseline",
    "scenario_name_proposed",
)
"""Single keys held in data (a tuple of codes, a core note) rather than written at a ``t("…")`` call."""


def text(key: str, lang: str, /, **params: object) -> str:
    """Return the text for ``key`` in ``lang`` with ``params`` filled in.

    A language without a catalog reads the reference (English) one; a key missing in a
    language falls back to English, and a key missing everywhere returns the key itself, so
    a gap is visible, never fatal (the catalog tests keep both from happening).

    Examples
    --------
    >>> text("report_table_missing", "fr")
    'not available for this dataset'
    """
    catalog = CATALOGS.get(lang) or CATALOGS[REFERENCE_LANGUAGE]
    template = catalog.get(key)
    if template is None:
        template = CATALOGS[REFERENCE_LANGUAGE].get(key, key)
    return template.format(**params) if params else template


def glossary() -> tuple[Mapping[str, object], ...]:
    """Return the glossary's terms: each an English term (with its variants) and its one translation."""
    data = json.loads((LOCALES / GLOSSARY_FILE).read_text(encoding="utf-8"))
    return tuple(MappingProxyType(term) for term in data["terms"])
