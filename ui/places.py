"""Branch and city names as the session's language shows them (``crm_core.places``), once per dataset."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from crm_core import places, staff
from crm_core.prepare import PreparedDataset
from ui.i18n import current_lang


@st.cache_data(max_entries=16, show_spinner=False)
def _names(fingerprint: str, column: str, lang: str, _customers: pd.DataFrame) -> dict[str, str]:
    return places.place_names(_customers, column, lang)


def names(prepared: PreparedDataset, column: str = "branch") -> dict[str, str]:
    """Data value → display name of a unit column in the session's language."""
    return _names(prepared.fingerprint, column, current_lang(), prepared.customers)


def named(frame: pd.DataFrame, prepared: PreparedDataset, columns: dict[str, str] | None = None) -> pd.DataFrame:
    """``frame`` with its branch and city columns shown by name (``columns``: shown column → the unit it holds)."""
    columns = columns or {column: column for column in places.PLACE_COLUMNS}
    return places.named_places(frame, {shown: names(prepared, unit) for shown, unit in columns.items()})


def scorecard(card: staff.Scorecard, prepared: PreparedDataset) -> staff.Scorecard:
    """A branch scorecard naming its units as shown (ranks unchanged)."""
    return places.named_scorecard(card, names(prepared, "branch"))
