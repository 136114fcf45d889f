"""Streamlit adapter of the Loyalty & value page: per-dataset model and matrices, cached by fingerprint."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from crm_core import loyalty as loy
from crm_core.prepare import PreparedDataset
from ui import places as ui_places
from ui import settings
from ui.i18n import t


@st.cache_resource(max_entries=4, show_spinner=False)
def _stickiness(fingerprint: str, _prepared: PreparedDataset) -> loy.StickinessMatrix:
    return loy.stickiness_matrix(_prepared)


@st.cache_resource(max_entries=6, show_spinner=False)
def _risk(fingerprint: str, definition: loy.ChurnDefinition, _prepared: PreparedDataset) -> loy.ChurnRisk:
    return loy.churn_risk_model(_prepared, definition)


@st.cache_resource(max_entries=8, show_spinner=False)
def _customer_value(
    fingerprint: str, definition: loy.ChurnDefinition, codes_digest: str, config: loy.ClvConfig,
    _prepared: PreparedDataset, _codes: np.ndarray,
):  # fmt: skip
    risk = _risk(fingerprint, definition, _prepared)
    return loy.customer_value(_prepared, risk.probabilities if risk.usable else None, _codes, config)


def customer_value(prepared: PreparedDataset, definition: loy.ChurnDefinition, codes: np.ndarray, config):
    """CLV, potential and quadrant per customer, once per dataset, churn definition, grouping and CLV settings."""
    digest = hashlib.sha256(np.ascontiguousarray(codes).tobytes()).hexdigest()
    return _customer_value(prepared.fingerprint, definition, digest, config, prepared, codes)


def stickiness(prepared: PreparedDataset) -> loy.StickinessMatrix:
    """Normalised stickiness indicators, once per dataset."""
    return _stickiness(prepared.fingerprint, prepared)


def churn_risk(prepared: PreparedDataset, definition: loy.ChurnDefinition) -> loy.ChurnRisk:
    """The churn model for a definition: trained once per dataset and definition."""
    with st.spinner(t("training_churn")):
        return _risk(prepared.fingerprint, definition, prepared)


def definition_controls() -> loy.ChurnDefinition:
    """Which customers count as churned (views of the scenario's churn definition)."""
    kind_col, months_col, drop_col = st.columns(3)
    kind = settings.control(
        kind_col.selectbox, "churn_kind", t("churn_definition"), loy.CHURN_KINDS,
        format_func=lambda k: t(f"churn_kind_{k}"),
    )  # fmt: skip
    settings.control(months_col.number_input, "churn_inactive_months", t("inactive_months"), 1, 11,
                     disabled=kind != "inactive")  # fmt: skip
    settings.control(drop_col.slider, "churn_aum_drop", t("aum_drop"), 10, 90, step=5, format="%d%%",
                     disabled=kind != "aum_drop")  # fmt: skip
    return settings.active().churn


def kpi_tiles(tiles) -> None:
    """The page's headline tiles, each value in its unit and the session's language."""
    from crm_core.formatting import format_share
    from ui.i18n import count, money

    tiles = tiles.set_index("metric")
    for column, (metric, row) in zip(st.columns(len(tiles)), tiles.iterrows(), strict=True):
        formatter = {"share": format_share, "money": money, "count": count}.get(row["unit"], lambda v: f"{v:.0f}")
        column.metric(t(f"loyalty_{metric}"), formatter(row["value"]), border=True)


def driver_sentences(risk: loy.ChurnRisk, prepared: PreparedDataset, lang: str, top: int = 5) -> list[str]:
    """The model's strongest drivers in words, a riskiest branch or city named as the session shows it."""
    from crm_core.loyalty.evaluation import driver_sentence
    from crm_core.places import PLACE_COLUMNS

    sentences = []
    for row in risk.fitted.drivers.head(top).itertuples():
        unit = row.feature if row.feature in PLACE_COLUMNS and isinstance(row.riskiest_level, str) else None
        if unit is None:
            sentences.append(getattr(row, f"sentence_{lang}"))
            continue
        name = ui_places.names(prepared, unit).get(row.riskiest_level, row.riskiest_level)
        sentences.append(driver_sentence(unit, row.direction, name, lang))
    return sentences
