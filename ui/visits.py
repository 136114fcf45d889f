"""Streamlit adapter of the Visits & channels page: the per-dataset cube and fits, cached by fingerprint."""

from __future__ import annotations

from functools import partial

import streamlit as st

from crm_core import visits as vis
from crm_core.contract import CHANNELS
from crm_core.prepare import PreparedDataset
from crm_core.templates import template_csv
from ui.i18n import current_lang, t


@st.cache_resource(max_entries=2, show_spinner=False)
def _cube(fingerprint: str, _prepared: PreparedDataset) -> vis.VisitCube:
    return vis.visit_cube(_prepared)


@st.cache_resource(max_entries=4, show_spinner=False)
def _branch_fits(fingerprint: str, _cube_value: vis.VisitCube):
    return vis.bank_decline(_cube_value), *vis.branch_declines(_cube_value)


def cube(prepared: PreparedDataset) -> vis.VisitCube:
    """The per-dataset visit cube (reads the raw activity once)."""
    with st.spinner(t("building_cube")):
        return _cube(prepared.fingerprint, prepared)


def fits(prepared: PreparedDataset):
    """Bank decline fit, branch decline table and branch fits, once per dataset."""
    return _branch_fits(prepared.fingerprint, cube(prepared))


def channel_labels() -> dict[str, str]:
    """Channel names in the session's language."""
    return {c: t(f"channel_{c}") for c in CHANNELS}


def localised_reasons(table, lang: str):
    """Keep the reason column of the session's language only, named ``reason``."""
    keep = "reason_zh" if lang == "zh" else "reason_en"
    drop = "reason_en" if lang == "zh" else "reason_zh"
    return table.drop(columns=[drop]).rename(columns={keep: "reason"})


def require_activity(prepared: PreparedDataset) -> None:
    """Guard: without usable activity the page says why, offers the activity template and stops."""
    availability = vis.visit_availability(prepared).set_index("view")
    if availability["available"].any() and prepared.monthly_channels is not None:
        return
    reason = availability.iloc[0]["reason_zh" if current_lang() == "zh" else "reason_en"] or t("note_no_activity")
    st.info(reason, icon=":material/storefront:")
    st.download_button(
        t("template_button", table=t("table_activity"), language="EN"), partial(template_csv, "activity"),
        "activity_template.csv", "text/csv", key="visits_activity_template",
    )  # fmt: skip
    st.stop()
