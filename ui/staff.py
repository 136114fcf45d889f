"""Streamlit adapter of the Staff KPIs page: the per-dataset scorecard and preset handling."""

from __future__ import annotations

import streamlit as st

from crm_core import staff
from crm_core.prepare import PreparedDataset
from ui.i18n import current_lang

WEIGHT_PREFIX = "staff_weight_"


@st.cache_resource(max_entries=6, show_spinner=False)
def _scorecard(fingerprint: str, level: str, _prepared: PreparedDataset) -> staff.Scorecard:
    return staff.staff_scorecard(_prepared, level)


def scorecard(prepared: PreparedDataset, level: str) -> staff.Scorecard:
    """Indicators and their normalised matrix for a level, once per dataset."""
    return _scorecard(prepared.fingerprint, level, prepared)


def apply_preset(card: staff.Scorecard) -> None:
    """Preset callback: load the preset's weights into the sliders."""
    key = st.session_state["staff_preset"]
    for name, value in staff.scorecard_weights(card, staff.PRESET_BY_KEY[key]).items():
        st.session_state[f"{WEIGHT_PREFIX}{name}"] = value
    st.session_state[f"_{WEIGHT_PREFIX}previous"] = staff.scorecard_weights(card, staff.PRESET_BY_KEY[key])


def preset_name(key: str) -> str:
    """A preset's name in the session's language."""
    preset = staff.PRESET_BY_KEY[key]
    return preset.zh if current_lang() == "zh" else preset.en


def indicator_name(name: str) -> str:
    """An indicator's name in the session's language."""
    return staff.INDICATOR_BY_NAME[name].label(current_lang())


def matching_preset(card: staff.Scorecard) -> str:
    """The preset whose weights the sliders hold now (the first preset when none matches)."""
    current = {n: int(st.session_state.get(f"{WEIGHT_PREFIX}{n}", 0)) for n in card.indicators}
    for preset in staff.PRESETS:
        if staff.scorecard_weights(card, preset) == current:
            return preset.key
    return staff.PRESETS[0].key


def rescale_to_available(card: staff.Scorecard, current: dict[str, int]) -> None:
    """Spread 100% over the indicators this dataset has; weights of missing ones become 0."""
    state = st.session_state
    for key in [k for k in state if isinstance(k, str) and k.startswith(WEIGHT_PREFIX)]:
        if key.removeprefix(WEIGHT_PREFIX) not in card.indicators:
            state[key] = 0
    for name, value in staff.scorecard_weights(card, current).items():
        state[f"{WEIGHT_PREFIX}{name}"] = value
