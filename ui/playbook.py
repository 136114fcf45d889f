"""Streamlit adapter of the Strategy playbook: findings and plays cached per dataset and scenario."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from crm_core import playbook as pb
from crm_core.prepare import PreparedDataset
from crm_core.scenarios import Scenario, scenario_json
from ui import loyalty as ui_loy
from ui import visits as ui_vis
from ui.i18n import t

VIEW_PAGES = {
    "overview": "pages/overview.py",
    "segments": "pages/segments.py",
    "visits": "pages/visits.py",
    "products": "pages/products.py",
    "loyalty": "pages/loyalty.py",
    "staff_kpis": "pages/staff_kpis.py",
}


def _cube(prepared: PreparedDataset):
    return ui_vis.cube(prepared) if prepared.monthly_channels is not None else None


@st.cache_resource(max_entries=8, show_spinner=False)
def _findings(fingerprint: str, key: str, lang: str, _prepared: PreparedDataset, _scenario: Scenario) -> pb.Findings:
    return pb.executive_findings(_prepared, _scenario, lang, churn_risk=ui_loy.churn_risk(_prepared, _scenario.churn),
                                 cube=_cube(_prepared))  # fmt: skip


@st.cache_resource(max_entries=8, show_spinner=False)
def _plays(fingerprint: str, key: str, lang: str, _prepared: PreparedDataset, _scenario: Scenario):
    risk = ui_loy.churn_risk(_prepared, _scenario.churn)
    return pb.segment_playbook(_prepared, _scenario, lang=lang, churn_risk=risk, cube=_cube(_prepared))


def _key(scenario: Scenario) -> str:
    return hashlib.sha256(scenario_json(scenario).encode()).hexdigest()


def findings(prepared: PreparedDataset, scenario: Scenario, lang: str) -> pb.Findings:
    """The executive findings, ranked by money at stake a year."""
    return _findings(prepared.fingerprint, _key(scenario), lang, prepared, scenario)


def plays(prepared: PreparedDataset, scenario: Scenario, lang: str):
    """The playbook of every tier."""
    return _plays(prepared.fingerprint, _key(scenario), lang, prepared, scenario)


def targets_editor(frame: pd.DataFrame) -> pb.GuaranteeTargets:
    """Editable target, owner and milestone per guarantee KPI; returns the targets config."""
    shown = frame[["kpi", "area_label", "kpi_label", "current", "target", "owner", "milestone"]].copy()
    edited = st.data_editor(
        shown,
        key="playbook_targets",
        hide_index=True,
        disabled=["kpi", "area_label", "kpi_label", "current"],
        column_order=["area_label", "kpi_label", "current", "target", "owner", "milestone"],
        column_config={
            "area_label": st.column_config.TextColumn(t("guarantee_area")),
            "kpi_label": st.column_config.TextColumn(t("guarantee_kpi")),
            "current": st.column_config.NumberColumn(t("guarantee_current"), format="%.3f"),
            "target": st.column_config.NumberColumn(t("guarantee_target"), format="%.3f", min_value=0),
            "owner": st.column_config.TextColumn(t("guarantee_owner"), max_chars=80),
            "milestone": st.column_config.TextColumn(t("guarantee_milestone"), max_chars=80),
        },
    )
    rows = list(edited.itertuples())
    return pb.GuaranteeTargets(
        targets=tuple((r.kpi, float(r.target)) for r in rows if pd.notna(r.target)),
        owners=tuple((r.kpi, str(r.owner or "TBD")) for r in rows),
        milestones=tuple((r.kpi, str(r.milestone or "TBD")) for r in rows),
    )
