"""Cached scenario summaries for the comparison: keyed by dataset fingerprint and scenario hash."""

from __future__ import annotations

import hashlib

import streamlit as st

from crm_core.comparison import ScenarioSummary, scenario_summary
from crm_core.prepare import PreparedDataset
from crm_core.scenarios import Scenario, scenario_json
from ui import loyalty as ui_loy
from ui import products as ui_prod
from ui import segments as ui_seg
from ui import staff as ui_staff


@st.cache_resource(max_entries=16, show_spinner=False)
def _summary(fingerprint: str, scenario_hash: str, _prepared: PreparedDataset, _scenario: Scenario) -> ScenarioSummary:
    risk = ui_loy.churn_risk_of(_prepared, _scenario.churn)  # no spinner here: the background warming calls this
    view = ui_prod.tier_view(_prepared, _scenario)
    loyalty = ui_loy.tier_view(_prepared, _scenario)
    staff_views = ui_staff.views(_prepared, _scenario)
    inputs = ui_seg.profile_inputs(_prepared)
    return scenario_summary(_prepared, _scenario, risk, view, staff_views, loyalty, profile_inputs=inputs)


def summary(prepared: PreparedDataset, scenario: Scenario) -> ScenarioSummary:
    """One scenario's headline results, computed once per dataset and settings.

    Its churn model first, with the page's notes and spinner (``ui.loyalty.churn_risk``).
    """
    ui_loy.churn_risk(prepared, scenario.churn)
    return summary_of(prepared, scenario)


def summary_of(prepared: PreparedDataset, scenario: Scenario) -> ScenarioSummary:
    """``summary`` without any element drawn (the background warming calls it)."""
    digest = hashlib.sha256(scenario_json(scenario).encode()).hexdigest()
    return _summary(prepared.fingerprint, digest, prepared, scenario)
