"""Streamlit adapter of related tables: the proposed join plan, edited and confirmed on the Data page.

The rules live in ``crm_core.loading.relations``; this module shows the plan as small tables, lets
the user untick a key pair, pick what a customer is or apply a saved plan, and keeps the confirmed
plan in ``st.session_state`` as its JSON.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from crm_core.loading import LoadError
from crm_core.loading.loader import relational_plan
from crm_core.loading.relations import JoinPlan, without_link
from crm_core.loading.report import report_text
from ui.i18n import current_lang, t
from ui.loading import digest
from ui.widgets import download_button, md, translated_choice

CONFIRMED_KEY = "data_join_plan"
"""Session state: ``(upload digests, plan JSON)`` of the plan the user confirmed."""


@st.cache_resource(max_entries=4, show_spinner=False)
def _proposed(digests: tuple[str, ...], _files: list[tuple[str, bytes]]) -> JoinPlan | None:
    return relational_plan(_files)


def links_frame(plan: JoinPlan) -> pd.DataFrame:
    """One row per key pair: used or not, left table and key, right table and key, sampled share matched."""
    return pd.DataFrame(
        {
            "use": [True] * len(plan.links),
            "left": [pair.left for pair in plan.links],
            "key": [pair.left_column for pair in plan.links],
            "right": [pair.right for pair in plan.links],
            "right_key": [pair.right_column for pair in plan.links],
            "share": [pair.share for pair in plan.links],
        }
    )


def roles_frame(plan: JoinPlan) -> pd.DataFrame:
    """One row per file: its role and why."""
    return pd.DataFrame(
        {
            t("report_file"): [table.file_name for table in plan.tables],
            t("relations_role"): [t(f"role_{table.role}") for table in plan.tables],
            t("relations_reason"): [report_text(table.reason, current_lang()) for table in plan.tables],
        }
    )


def _saved_plan(key: str) -> JoinPlan | None:
    upload = st.file_uploader(t("relations_apply_plan"), type=["json"], key=f"data_join_plan_file_{key}")
    if upload is None:
        return None
    try:
        return JoinPlan.from_json(upload.getvalue())
    except LoadError as error:
        st.error(md(error.text(current_lang())), icon=":material/block:")
        return None


def plan_panel(files: list[tuple[str, bytes]]) -> JoinPlan | None:
    """Related tables: show the join plan, let the user edit and confirm it; return it once confirmed.

    Returns None when the uploads are not related tables (they load file by file). Until the shown
    plan is confirmed the page stops here, so nothing loads on a plan nobody looked at.
    """
    digests = tuple(digest(content) for _, content in files)
    proposed = _proposed(digests, files)
    if proposed is None:
        return None
    key = digests[0][:10]
    with st.expander(t("relations_heading"), expanded=True):
        st.caption(t("relations_intro", files=len(files)))
        plan = _saved_plan(key) or proposed
        st.dataframe(roles_frame(plan), hide_index=True, key=f"data_join_roles_{key}")
        edited = st.data_editor(
            links_frame(plan),
            key=f"data_join_links_{key}",
            hide_index=True,
            disabled=["left", "key", "right", "right_key", "share"],
            column_config={
                "use": st.column_config.CheckboxColumn(t("relations_use")),
                "left": st.column_config.TextColumn(t("relations_left")),
                "key": st.column_config.TextColumn(t("relations_key")),
                "right": st.column_config.TextColumn(t("relations_right")),
                "right_key": st.column_config.TextColumn(t("relations_right_key")),
                "share": st.column_config.NumberColumn(t("relations_share"), format="percent"),
            },
        )
        entity = translated_choice(
            st.radio,
            t("relations_entity"),
            ("client", "account"),
            f"data_join_entity_{key}",
            lambda value: t("relations_entity_client") if value == "client" else t("relations_entity_account"),
            index=0 if plan.customer_entity == "client" else 1,
            horizontal=True,
        )
        plan = replace(without_link(plan, edited["use"].astype(bool).tolist()), customer_entity=entity, notes=())
        for note in proposed.notes:
            st.warning(md(report_text(note, current_lang())), icon=":material/help:")
        unclear = [value or "—" for value, channel in plan.channels if not channel]
        if unclear:
            st.caption(t("relations_channels_unclear", values=md(", ".join(unclear))))
        left, right = st.columns(2)
        if left.button(t("relations_confirm"), key="data_join_confirm", type="primary"):
            st.session_state[CONFIRMED_KEY] = (digests, plan.to_json())
        download_button(
            right,
            t("relations_download"),
            plan.to_json,
            file_name="join_plan.json",
            mime="application/json",
            key=f"data_join_plan_json_{key}",
        )
    if st.session_state.get(CONFIRMED_KEY) != (digests, plan.to_json()):
        st.info(t("relations_confirm_first"), icon=":material/account_tree:")
        st.stop()
    st.success(t("relations_confirmed"), icon=":material/check_circle:")
    return plan
