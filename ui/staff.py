"""Streamlit adapter of the Staff KPIs page: the per-dataset scorecard and the assessment being compared."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import scenarios as sc
from crm_core import staff
from crm_core.prepare import PreparedDataset
from ui import places as ui_places
from ui import settings
from ui.i18n import current_lang, t

WEIGHTS_PATH = ("staff_weights",)


@st.cache_resource(max_entries=6, show_spinner=False)
def _scorecard(fingerprint: str, level: str, _prepared: PreparedDataset) -> staff.Scorecard:
    return staff.staff_scorecard(_prepared, level)


def scorecard(prepared: PreparedDataset, level: str) -> staff.Scorecard:
    """Indicators and their normalised matrix for a level, once per dataset."""
    return _scorecard(prepared.fingerprint, level, prepared)


def shown_scorecard(prepared: PreparedDataset, level: str) -> staff.Scorecard:
    """The scorecard as the page shows it: branches by their names in the session's language (ranks unchanged)."""
    return ui_places.scorecard(scorecard(prepared, level), prepared)


def preset_name(key: str) -> str:
    """A preset's name in the session's language ("custom" for weights no preset has)."""
    if key not in staff.PRESET_BY_KEY:
        return t("staff_custom")
    preset = staff.PRESET_BY_KEY[key]
    return preset.zh if current_lang() == "zh" else preset.en


def indicator_name(name: str) -> str:
    """An indicator's name in the session's language."""
    return staff.INDICATOR_BY_NAME[name].label(current_lang())


def matching_preset(card: staff.Scorecard, weights) -> str:
    """The preset whose weights (over this dataset's indicators) equal ``weights``, else "custom"."""
    shown = staff.scorecard_weights(card, dict(weights))
    for preset in staff.PRESETS:
        if staff.scorecard_weights(card, preset) == shown:
            return preset.key
    return "custom"


def _commit_preset(key: str) -> None:
    chosen = st.session_state[key]
    if chosen in staff.PRESET_BY_KEY:
        settings.commit(lambda s: replace(s, staff_weights=staff.PRESET_BY_KEY[chosen].weights))


def preset_control(card: staff.Scorecard, container) -> None:
    """The assessment preset the weights match (a view of the scenario's weights); choosing one sets them."""
    key = f"staff.preset@{current_lang()}"
    st.session_state[key] = matching_preset(card, settings.active().staff_weights)
    container.selectbox(
        t("staff_preset"), [p.key for p in staff.PRESETS] + ["custom"], format_func=preset_name, key=key,
        on_change=_commit_preset, args=(key,),
    )  # fmt: skip


def compared(card: staff.Scorecard) -> tuple[str, dict[str, int], str, dict[str, int], bool]:
    """(baseline name, baseline weights, compared name, compared weights, fallback used).

    The scenario's assessment is compared with its baseline preset. When the two are the same
    (the "Baseline (current practice)" scenario), the page compares the baseline with the
    "Proposed strategy" assessment instead, so it shows what a change would do.
    """
    scenario = settings.active()
    baseline = staff.scorecard_weights(card, staff.PRESET_BY_KEY[scenario.staff_baseline])
    current = staff.scorecard_weights(card, dict(scenario.staff_weights))
    name = t("staff_current")
    if current == baseline:
        proposed = staff.scorecard_weights(card, dict(sc.proposed_scenario().staff_weights))
        return preset_name(scenario.staff_baseline), baseline, t("staff_proposed"), proposed, True
    return preset_name(scenario.staff_baseline), baseline, name, current, False


def ranking_labels(card: staff.Scorecard) -> dict[str, str]:
    """Display name of each ranking-table column shown, in the session's language."""
    lang = current_lang()
    return {
        "unit": t(f"level_{card.level}"),
        "rank": t("rank"),
        "rank_range": t("staff_rank_range"),
        "rank_change": t("rank_change"),
        "score": t("score"),
        "baseline_rank": t("baseline_rank"),
        "customers": t("profile_customers"),
        **{p: staff.PERSPECTIVE_NAMES[p][lang == "zh"] for p in staff.PERSPECTIVES},
        "note": t("note"),
    }


def ranking_frame(card: staff.Scorecard, table: pd.DataFrame) -> pd.DataFrame:
    """The ranking table as shown: rank ranges, "not ranked" for small units, empty columns dropped."""
    shown = staff.ranking_display(table, ranking_labels(card), not_ranked=t("staff_not_ranked"))
    return shown.dropna(axis=1, how="all")


def separation(card: staff.Scorecard, weights: dict[str, int]) -> str:
    """What the ranking under ``weights`` can tell apart, in the session's language."""
    return staff.separation_sentence(staff.rank_intervals(card, weights), card.level, current_lang())


def not_ranked_note(card: staff.Scorecard) -> str:
    """The units too small to rank, named ('' when every unit is ranked)."""
    small = [unit for unit, is_small in zip(card.units, card.small, strict=True) if is_small]
    if not small:
        return ""
    listed = ", ".join(small[:20]) + (" …" if len(small) > 20 else "")
    return t("staff_not_ranked_units", minimum=card.config.min_unit_customers, units=listed)


def interval_figure(card: staff.Scorecard, table: pd.DataFrame, units: list[str]) -> go.Figure:
    """The whisker chart of rank ranges for the charted units."""
    return staff.rank_interval_figure(
        table, t("staff_interval_title", replicates=card.config.replicates), t("staff_interval_axis"), units
    )
