"""KPI targets for the bank, branches and relationship managers: entered or uploaded, and their status.

The plans live in the active scenario (``Scenario.targets``); the editor and the CSV upload are
views of them. ``crm_core.targets.target_status`` rates each plan by its stated rule.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import replace

import pandas as pd
import streamlit as st

from crm_core.configs import config_json
from crm_core.prepare import PreparedDataset
from crm_core.targets import LEVELS, STATUSES, TARGET_METRICS, KpiTarget, KpiTargets, target_status, targets_from_csv
from ui import places, settings
from ui.i18n import count, current_lang, money, month_label, percent, t

COLUMNS = ["level", "unit", "metric", "target", "due", "owner"]
STATUS_ICONS = {
    "met": "✅", "on_track": "🟢", "at_risk": "🟠", "off_track": "🔴",
    "missed": "⛔", "not_rated": "⚪", "no_unit": "❔",
}  # fmt: skip
UPLOAD_KEY = "targets_upload"
UPLOAD_ERROR_KEY = "_targets_upload_error"


def _frame(targets: KpiTargets) -> pd.DataFrame:
    rows = [[getattr(plan, c) for c in COLUMNS] for plan in targets.items]
    return pd.DataFrame(rows, columns=COLUMNS).astype({"target": float})


def _blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def targets_edited(targets: KpiTargets, edits: dict) -> KpiTargets:
    """The targets after a data editor's edits (``edited_rows``, ``added_rows``, ``deleted_rows``).

    Rows not yet complete (a blank KPI, level, target or month) are left out until they are.
    """
    frame = _frame(targets)
    for row, changes in (edits.get("edited_rows") or {}).items():
        for column, value in changes.items():
            frame.at[int(row), column] = value
    frame = frame.drop(index=[int(r) for r in edits.get("deleted_rows") or []])
    added = pd.DataFrame(list(edits.get("added_rows") or []), columns=COLUMNS)
    frame = pd.concat([frame, added], ignore_index=True) if len(added) else frame
    items = []
    for record in frame.to_dict("records"):
        if any(_blank(record.get(c)) for c in ("level", "metric", "target", "due")):
            continue
        items.append(KpiTarget(**{c: ("" if _blank(record.get(c)) else record[c]) for c in COLUMNS}))
    return KpiTargets(tuple(items))


def _commit_edits(key: str) -> None:
    edits = st.session_state[key]
    settings.commit(lambda s: replace(s, targets=targets_edited(s.targets, edits)))


def _commit_upload() -> None:
    uploaded = st.session_state.get(UPLOAD_KEY)
    if uploaded is None:
        return
    try:
        targets = targets_from_csv(uploaded.getvalue())
    except ValueError as error:
        st.session_state[UPLOAD_ERROR_KEY] = str(error)
        return
    settings.commit(lambda s: replace(s, targets=targets))


def _shown(value: float, kind: str) -> str:
    if value is None or not math.isfinite(value):
        return t("not_available")
    if kind == "money":
        return money(value)
    if kind == "count":
        return count(value)
    if kind == "share":
        return percent(value)
    return f"{value:.2f}"


def _pace(value: float, kind: str) -> str:
    if value is None or not math.isfinite(value):
        return t("not_available")
    if kind == "share":
        return t("target_pace_points", value=f"{value * 100:+.2f}")
    return t("target_pace", value=_shown(value, kind) if value >= 0 else "-" + _shown(-value, kind))


def targets_section(prepared: PreparedDataset) -> None:
    """The editor, the CSV upload and the status of every plan."""
    st.subheader(t("targets_heading"))
    scenario = settings.active()
    lang = current_lang()
    digest = hashlib.sha256(config_json(scenario.targets).encode()).hexdigest()[:12]
    key = f"targets.{digest}@{lang}"
    levels = {level: t(f"level_{level}") if level != "bank" else t("target_level_bank") for level in LEVELS}
    metrics = {metric: t(f"metric_{metric}") for metric in TARGET_METRICS}
    due = (prepared.as_of + pd.DateOffset(months=12)).strftime("%Y-%m")
    st.data_editor(
        _frame(scenario.targets),
        key=key,
        num_rows="dynamic",
        hide_index=True,
        on_change=_commit_edits,
        args=(key,),
        column_config={
            "level": st.column_config.SelectboxColumn(
                t("target_col_level"), options=list(levels), format_func=levels.get, default="bank", required=True
            ),
            "unit": st.column_config.TextColumn(t("target_col_unit"), help=t("target_unit_help"), max_chars=200),
            "metric": st.column_config.SelectboxColumn(t("target_col_metric"), options=list(metrics),
                                                       format_func=metrics.get, default="customers", required=True),
            "target": st.column_config.NumberColumn(t("target_col_target"), help=t("target_value_help"), min_value=0),
            "due": st.column_config.TextColumn(t("target_col_due"), help=t("target_due_help"), default=due,
                                               max_chars=7, validate=r"^\d{4}-(0[1-9]|1[0-2])$"),
            "owner": st.column_config.TextColumn(t("target_col_owner"), max_chars=80),
        },
    )  # fmt: skip
    st.file_uploader(
        t("targets_upload"), type=["csv"], key=UPLOAD_KEY, on_change=_commit_upload, help=t("targets_upload_help")
    )
    error = st.session_state.pop(UPLOAD_ERROR_KEY, None)
    if error:
        st.error(t("targets_upload_refused", error=error), icon=":material/block:")
    status = target_status(prepared, scenario.targets)
    if status.empty:
        st.caption(t("targets_none"))
        return
    names = places.names(prepared, "branch")
    kinds = status["unit_kind"].tolist()

    def each(column: str, render) -> list[str]:
        return [render(value, kind) for value, kind in zip(status[column], kinds, strict=True)]

    units = [names.get(u, u) if lv == "branch" else u for u, lv in zip(status["unit"], status["level"], strict=True)]
    shown = pd.DataFrame(
        {
            t("target_col_status"): [f"{STATUS_ICONS[s]} {t(f'target_status_{s}')}" for s in status["status"]],
            t("target_col_level"): [levels[v] for v in status["level"]],
            t("target_col_unit"): units,
            t("target_col_metric"): [metrics[m] for m in status["metric"]],
            t("target_col_current"): each("current", _shown),
            t("target_col_target"): each("target", _shown),
            t("target_col_due"): [month_label(f"{d}-01") for d in status["due"]],
            t("target_col_owner"): [o or t("target_owner_missing") for o in status["owner"]],
            t("target_col_required"): each("required_pace", _pace),
            t("target_col_recent"): each("recent_pace", _pace),
        }
    )
    st.dataframe(shown, hide_index=True, key="targets_status_table")
    counts = status["status"].value_counts()
    summary = ", ".join(f"{t(f'target_status_{s}')} {int(counts[s])}" for s in STATUSES if s in counts)
    st.caption(t("targets_rule", summary=summary))
