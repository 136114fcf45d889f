"""Streamlit adapter of the Staff KPIs page: the scorecard and the staff view, cached once per dataset and settings."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import staff, stored_models
from crm_core.messages import Message, Term
from crm_core.prepare import PreparedDataset
from crm_core.scenarios import Scenario
from ui import places as ui_places
from ui import settings
from ui.i18n import current_lang, say, t

WEIGHTS_PATH = ("staff_weights",)


@st.cache_resource(max_entries=6, show_spinner=False)
def _scorecard(fingerprint: str, level: str, config_key: str, _prepared: PreparedDataset, _config) -> staff.Scorecard:
    return stored_models.scorecard_of(_prepared, level, _config)  # the artefact's when it fits


def scorecard(prepared: PreparedDataset, level: str, config: staff.ScorecardConfig = staff.DEFAULT_SCORECARD):
    """Indicators and their normalised matrix for a level, once per dataset (and scorecard config)."""
    config_key = hashlib.sha256(repr(config).encode()).hexdigest()
    return _scorecard(prepared.fingerprint, level, config_key, prepared, config)


@st.cache_resource(max_entries=8, show_spinner=False)
def _view(fingerprint: str, level: str, settings_key: str, _prepared: PreparedDataset, _settings) -> staff.StaffView:
    card = scorecard(_prepared, level, _settings.config)
    return staff.staff_view(_prepared, level, _settings, scorecard=card)


def view(prepared: PreparedDataset, level: str, scenario: Scenario) -> staff.StaffView:
    """The Staff KPIs view of a level under the scenario's staff settings, computed once and shared.

    Keyed by the dataset fingerprint, the level and the staff settings: the page, the report, the
    playbook and the comparison read the same object, in any language.
    """
    staff_settings = staff.StaffSettings.of(scenario)
    settings_key = hashlib.sha256(repr(staff_settings).encode()).hexdigest()
    return _view(prepared.fingerprint, level, settings_key, prepared, staff_settings)


def views(prepared: PreparedDataset, scenario: Scenario):
    """``level -> view(prepared, level, scenario)``: what the report, playbook and comparison take."""
    return lambda level: view(prepared, level, scenario)


def shown_view(prepared: PreparedDataset, level: str) -> staff.StaffView:
    """The active scenario's view as the page shows it: branches by their names in the session's language."""
    return staff.named_view(view(prepared, level, settings.active()), ui_places.names(prepared, "branch"))


def label(term: Term | Message) -> str:
    """A term (a preset's name) or a message in the session's language."""
    return t(term.key) if isinstance(term, Term) else say(term)


def indicator_name(name: str) -> str:
    """An indicator's name in the session's language."""
    return t(staff.INDICATOR_TERMS[name].key)


def preset_name(key: str) -> str:
    """A preset's name in the session's language ("custom" for weights no preset has)."""
    return t(staff.PRESET_TERMS[key].key) if key in staff.PRESET_TERMS else t("staff_custom")


def matching_preset(shown: staff.StaffView, weights) -> str:
    """The preset whose weights (over this dataset's indicators) equal ``weights``, else "custom"."""
    given = staff.scorecard_weights(shown, dict(weights))
    for preset in staff.PRESETS:
        if staff.scorecard_weights(shown, preset) == given:
            return preset.key
    return "custom"


def _commit_preset(key: str) -> None:
    chosen = st.session_state[key]
    if chosen in staff.PRESET_BY_KEY:
        settings.commit(lambda s: replace(s, staff_weights=staff.PRESET_BY_KEY[chosen].weights))


def preset_control(shown: staff.StaffView, container) -> None:
    """The assessment preset the weights match (a view of the scenario's weights); choosing one sets them."""
    key = f"staff.preset@{current_lang()}"
    st.session_state[key] = matching_preset(shown, settings.active().staff_weights)
    container.selectbox(
        t("staff_preset"), [p.key for p in staff.PRESETS] + ["custom"], format_func=preset_name, key=key,
        on_change=_commit_preset, args=(key,),
    )  # fmt: skip


def movers_markdown(movers: Message) -> str:
    """The "who rises, who falls" sentence as bold Markdown, unit names escaped (a branch named
    ``[Xihu](https://…)`` or ``www.…`` stays text)."""
    from ui.widgets import md

    return f"**{md(say(movers))}**"


def ranking_labels(shown: staff.StaffView) -> dict[str, str]:
    """Display name of each ranking-table column shown, in the session's language."""
    return {
        "unit": t(f"level_{shown.level}"),
        "rank": t("rank"),
        "rank_range": t("staff_rank_range"),
        "rank_change": t("rank_change"),
        "score": t("score"),
        "baseline_rank": t("baseline_rank"),
        "customers": t("profile_customers"),
        **{p: t(staff.PERSPECTIVE_TERMS[p].key) for p in staff.PERSPECTIVES},
        "note": t("note"),
    }


def ranking_frame(shown: staff.StaffView) -> pd.DataFrame:
    """The folded ranking as shown: rank ranges, "not ranked" for the fold rows, empty columns dropped."""
    table = staff.labelled_ranking(shown, {}, say)
    frame = staff.ranking_display(table, ranking_labels(shown), not_ranked=t("staff_not_ranked"))
    return frame.dropna(axis=1, how="all")


def interval_figure(shown: staff.StaffView, units: list[str]) -> go.Figure:
    """The whisker chart of rank ranges for the charted units."""
    replicates = shown.settings.config.replicates
    return staff.rank_interval_figure(
        shown.ranking[shown.ranking["row"] == staff.UNIT],
        t("staff_interval_title", replicates=replicates),
        t("staff_interval_axis"),
        units,
    )


def heat_figure(shown: staff.StaffView, units: list[str]) -> go.Figure:
    """Status and values of the charted units against their targets."""
    return staff.scorecard_heat_figure(
        shown.status.loc[units],
        staff.scorecard_text(shown.values.loc[units]),
        {n: indicator_name(n) for n in shown.indicators},
        {s: t(f"status_{s}") for s in ("green", "amber", "red", "none")},
        t("scorecard_title"),
    )


def guardrail_figure(shown: staff.StaffView) -> go.Figure:
    """Sales score against customer-outcome score, flagged units named."""
    return staff.guardrail_figure(
        shown.guardrail, t("guardrail_title"), t("sales_score"), t("customer_score"), t("flagged"), t("not_flagged")
    )
