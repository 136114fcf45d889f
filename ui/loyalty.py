"""Streamlit adapter of the Loyalty & value page: per-dataset model and matrices, cached by fingerprint."""

from __future__ import annotations

import streamlit as st

from crm_core import loyalty as loy
from crm_core.prepare import PreparedDataset
from ui.i18n import t
from ui.widgets import translated_selectbox


@st.cache_resource(max_entries=4, show_spinner=False)
def _stickiness(fingerprint: str, _prepared: PreparedDataset) -> loy.StickinessMatrix:
    return loy.stickiness_matrix(_prepared)


@st.cache_resource(max_entries=6, show_spinner=False)
def _risk(fingerprint: str, definition: loy.ChurnDefinition, _prepared: PreparedDataset) -> loy.ChurnRisk:
    return loy.churn_risk_model(_prepared, definition)


def stickiness(prepared: PreparedDataset) -> loy.StickinessMatrix:
    """Normalised stickiness indicators, once per dataset."""
    return _stickiness(prepared.fingerprint, prepared)


def churn_risk(prepared: PreparedDataset, definition: loy.ChurnDefinition) -> loy.ChurnRisk:
    """The churn model for a definition: trained once per dataset and definition."""
    with st.spinner(t("training_churn")):
        return _risk(prepared.fingerprint, definition, prepared)


def definition_controls() -> loy.ChurnDefinition:
    """Which customers count as churned."""
    kind_col, months_col, drop_col = st.columns(3)
    kind = translated_selectbox(
        kind_col, t("churn_definition"), loy.CHURN_KINDS, "loyalty_churn_kind", lambda k: t(f"churn_kind_{k}")
    )
    months = months_col.number_input(
        t("inactive_months"), 1, 11, key="loyalty_inactive_months", disabled=kind != "inactive"
    )
    drop = drop_col.slider(
        t("aum_drop"), 10, 90, step=5, key="loyalty_aum_drop", format="%d%%", disabled=kind != "aum_drop"
    )
    return loy.ChurnDefinition(kind=kind, inactive_months=int(months), aum_drop=drop / 100)
