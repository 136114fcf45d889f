"""Streamlit adapter of the Strategy playbook: findings and plays cached per dataset and scenario."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from crm_core import playbook as pb
from crm_core.configs import config_json
from crm_core.playbook.wording import metric_value
from crm_core.prepare import PreparedDataset
from crm_core.scenarios import Scenario, scenario_json
from ui import loyalty as ui_loy
from ui import places as ui_places
from ui import products as ui_prod
from ui import segments as ui_seg
from ui import settings
from ui import staff as ui_staff
from ui import visits as ui_vis
from ui.i18n import current_lang, t

VIEW_PAGES = {
    "overview": "pages/overview.py",
    "segments": "pages/segments.py",
    "visits": "pages/visits.py",
    "products": "pages/products.py",
    "loyalty": "pages/loyalty.py",
    "staff_kpis": "pages/staff_kpis.py",
}


def _cube(prepared: PreparedDataset):
    return ui_vis.cube_of(prepared) if prepared.monthly_channels is not None else None


def _inputs(prepared: PreparedDataset, scenario: Scenario) -> dict:
    """The cached, language-free view results the findings and plays read (never recomputed per language).

    Nothing drawn (they are read inside cached functions and by the background warming); the page
    shows the churn model's notes and spinner first (``findings``).
    """
    return {
        "churn_risk": ui_loy.churn_risk_of(prepared, scenario.churn),
        "cube": _cube(prepared),
        "visit_view": ui_vis.tier_view(prepared, scenario),
        "product_view": ui_prod.tier_view(prepared, scenario),
        "staff_views": ui_staff.views(prepared, scenario),
        "loyalty_view": ui_loy.tier_view(prepared, scenario),
    }


@st.cache_resource(max_entries=8, show_spinner=False)
def _findings(fingerprint: str, key: str, _prepared: PreparedDataset, _scenario: Scenario) -> pb.Findings:
    # No language in the key: the findings are messages, named and rendered per language at the edge.
    return pb.executive_findings(_prepared, _scenario, **_inputs(_prepared, _scenario))


@st.cache_resource(max_entries=8, show_spinner=False)
def _plays(fingerprint: str, key: str, _prepared: PreparedDataset, _scenario: Scenario):
    # No language in the key: the plays are data (terms, messages, rules), worded per language at the edge.
    inputs = _inputs(_prepared, _scenario)
    del inputs["visit_view"]  # the plays read the cube's per-customer windows only
    del inputs["staff_views"]
    return pb.segment_playbook(_prepared, _scenario, **inputs, profile_inputs=ui_seg.profile_inputs(_prepared))


def _key(scenario: Scenario) -> str:
    return hashlib.sha256(scenario_json(scenario).encode()).hexdigest()


@st.cache_resource(max_entries=8, show_spinner=False)
def _guarantees(fingerprint: str, key: str, _prepared: PreparedDataset, _scenario: Scenario) -> pd.DataFrame:
    return pb.guarantee_measures(_prepared, _scenario)


def guarantees(prepared: PreparedDataset, scenario: Scenario) -> pd.DataFrame:
    """The guarantee measures against the scenario's targets (language-free), measured once per (dataset, scenario)."""
    return _guarantees(prepared.fingerprint, _key(scenario), prepared, scenario)


def raw_findings(prepared: PreparedDataset, scenario: Scenario) -> pb.Findings:
    """The executive findings as data (unnamed), computed once per (dataset, scenario)."""
    return _findings(prepared.fingerprint, _key(scenario), prepared, scenario)


def findings(prepared: PreparedDataset, scenario: Scenario) -> pb.Findings:
    """The executive findings, ranked by money at stake a year, their branches, tiers and products named.

    Computed once per (dataset, scenario); a language switch only names and renders them again.
    The churn model first, with its notes and spinner (``ui.loyalty.churn_risk``).
    """
    ui_loy.churn_risk(prepared, scenario.churn)
    found = raw_findings(prepared, scenario)
    branches = ui_places.names(prepared, "branch")  # cached per dataset and language
    return found.named(pb.finding_names(prepared, scenario, current_lang(), branches))


def raw_plays(prepared: PreparedDataset, scenario: Scenario) -> tuple[pb.SegmentPlay, ...]:
    """The playbook of every tier as data, computed once per (dataset, scenario)."""
    return _plays(prepared.fingerprint, _key(scenario), prepared, scenario)


def plays(prepared: PreparedDataset, scenario: Scenario, lang: str) -> tuple[pb.ShownPlay, ...]:
    """The playbook of every tier worded in ``lang`` (a language switch only words it again)."""
    return pb.plays_in(raw_plays(prepared, scenario), lang)


def trace(recommendation, lang: str) -> str:
    """Where a recommendation comes from, in words: the metric and its value, and the rule's condition."""
    rule = recommendation.rule.removeprefix(f"{recommendation.rule_key}: ")
    return t(
        "play_trace",
        metric=pb.metric_label(recommendation.metric, lang),
        value=metric_value(recommendation.metric, recommendation.value, lang),
        rule=rule,
    )


def targets_edited(targets: pb.GuaranteeTargets, kpis: list[str], edits: dict) -> pb.GuaranteeTargets:
    """The guarantee targets after a data editor's ``edited_rows`` (one row per KPI, in ``kpis`` order)."""
    for row, changes in (edits or {}).items():
        kpi = kpis[int(row)]
        target = changes.get("target")
        targets = targets.with_target(
            kpi,
            float(target) if target is not None and pd.notna(target) else None,
            str(changes["owner"]).strip() if changes.get("owner") else None,
            str(changes["milestone"]).strip() if changes.get("milestone") else None,
        )
    return targets


def _commit_targets(key: str, kpis: list[str]) -> None:
    edits = st.session_state[key].get("edited_rows", {})
    settings.commit(lambda s: replace(s, guarantees=targets_edited(s.guarantees, kpis, edits)))


def targets_editor(frame: pd.DataFrame) -> None:
    """Editable target, owner and milestone per guarantee KPI: a view of the scenario's guarantee targets."""
    shown = frame[["kpi", "area_label", "kpi_label", "current", "target", "owner", "milestone"]].copy()
    now = shown["current"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    shown["current"] = [t("not_available") if np.isnan(v) else f"{v:.3f}" for v in now]  # n/a, not "None"
    # A new key whenever the scenario's targets change: the editor starts from them, with no stale edits.
    digest = hashlib.sha256(config_json(settings.active().guarantees).encode()).hexdigest()[:12]
    key = f"guarantees.{digest}@{current_lang()}"
    st.data_editor(
        shown,
        key=key,
        hide_index=True,
        disabled=["kpi", "area_label", "kpi_label", "current"],
        column_order=["area_label", "kpi_label", "current", "target", "owner", "milestone"],
        on_change=_commit_targets,
        args=(key, list(shown["kpi"])),
        column_config={
            "area_label": st.column_config.TextColumn(t("guarantee_area")),
            "kpi_label": st.column_config.TextColumn(t("guarantee_kpi")),
            "current": st.column_config.TextColumn(t("guarantee_current")),  # n/a where the data cannot say
            "target": st.column_config.NumberColumn(t("guarantee_target"), format="%.3f", min_value=0),
            "owner": st.column_config.TextColumn(t("guarantee_owner"), max_chars=80),
            "milestone": st.column_config.TextColumn(t("guarantee_milestone"), max_chars=80),
        },
    )
