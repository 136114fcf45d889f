"""Streamlit adapter of the Staff KPIs page: the per-dataset scorecard and the assessment being compared."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from crm_core import scenarios as sc
from crm_core import staff
from crm_core.prepare import PreparedDataset
from ui import settings
from ui.i18n import current_lang, t

WEIGHTS_PATH = ("staff_weights",)


@st.cache_resource(max_entries=6, show_spinner=False)
def _scorecard(fingerprint: str, level: str, _prepared: PreparedDataset) -> staff.Scorecard:
    return staff.staff_scorecard(_prepared, level)


def scorecard(prepared: PreparedDataset, level: str) -> staff.Scorecard:
    """Indicators and their normalised matrix for a level, once per dataset."""
    return _scorecard(prepared.fingerprint, level, prepared)


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
