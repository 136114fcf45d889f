"""Streamlit adapter of the Service quality page: the cached view and its display in the session's language."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pandas as pd
import streamlit as st

from crm_core import service as svc
from crm_core.prepare import PreparedDataset
from crm_core.scenarios import Scenario
from ui import segments as ui_seg
from ui.i18n import count, current_lang, percent, t


@st.cache_resource(max_entries=8, show_spinner=False)
def _view(
    fingerprint: str, grouping_key: str, settings_key: str, _prepared: PreparedDataset, _codes, _labels, _settings
) -> svc.ServiceView | None:
    return svc.service_view(_prepared, _codes, _labels, _settings)


def view(
    prepared: PreparedDataset, codes: np.ndarray, labels: tuple[str, ...], scenario: Scenario
) -> svc.ServiceView | None:
    """The Service quality view of a grouping under the scenario, computed once and shared in any language.

    Keyed by the dataset fingerprint, the grouping (its codes and language-free labels) and the
    service settings, like ``ui.products.view``.
    """
    service_settings = svc.ServiceSettings.of(scenario)
    grouping_key = hashlib.sha256(np.ascontiguousarray(codes).tobytes() + repr(labels).encode()).hexdigest()
    settings_key = hashlib.sha256(repr(service_settings).encode()).hexdigest()
    return _view(prepared.fingerprint, grouping_key, settings_key, prepared, codes, labels, service_settings)


def tier_view(prepared: PreparedDataset, scenario: Scenario) -> svc.ServiceView | None:
    """``view`` over the scenario's AUM tiers (what the page shows and a deck slide can read)."""
    codes = ui_seg.tier_segmentation(prepared, scenario.tiers).codes
    return view(prepared, codes, tuple(scenario.tiers.labels), scenario)


def tier_names(labels: tuple[str, ...]) -> dict[str, str]:
    """Tier label → name in the session's language."""
    return dict(zip(labels, ui_seg.display_labels("tiers", labels), strict=True))


def number(value: float, digits: int = 1) -> str:
    """A figure with ``digits`` decimals, or "n/a"."""
    return f"{value:.{digits}f}" if value is not None and math.isfinite(value) else t("not_available")


def share(value: float) -> str:
    """A share in percent, or "n/a"."""
    return percent(value) if value is not None and math.isfinite(value) else t("not_available")


def with_interval(value: float, low: float, high: float, as_share: bool = False, digits: int = 1) -> str:
    """``12.6 (12.0–13.3)``: a figure and its interval (shares in percent), or "n/a"."""
    if value is None or not math.isfinite(value):
        return t("not_available")
    if as_share:
        return f"{share(value)} ({share(low)}–{share(high)})"
    return f"{number(value, digits)} ({number(low, digits)}–{number(high, digits)})"


def comparisons() -> dict[str, str]:
    """Comparison code → word ("" where the unit's figure is not shown)."""
    return {"better": t("service_better"), "worse": t("service_worse"), "level": t("service_level"), "": ""}


def unit_table(table: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Per-unit figures as shown: name, customers, complaints per 100 and satisfaction with intervals."""
    words = comparisons()
    rows = [
        {
            t("service_col_unit"): names.get(row.unit, row.unit),
            t("service_col_customers"): count(row.customers),
            t("service_col_complaints"): with_interval(row.complaints_per_100, row.complaints_low, row.complaints_high),
            t("service_col_complaints_vs_bank"): words[row.complaints_vs_bank],
            t("service_col_responses"): count(row.responses),
            t("service_col_satisfaction"): with_interval(
                row.satisfaction, row.satisfaction_low, row.satisfaction_high, digits=2
            ),
            t("service_col_satisfied"): with_interval(row.satisfied_share, row.satisfied_low, row.satisfied_high, True),
            t("service_col_satisfied_vs_bank"): words[row.satisfied_vs_bank],
        }
        for row in table.itertuples(index=False)
    ]
    return pd.DataFrame(rows)


def listed(names) -> str:
    """Names joined the way the session's language lists them."""
    return ("、" if current_lang() == "zh" else ", ").join(names)


def confidence(view: svc.ServiceView) -> str:
    """The intervals' coverage as shown ("95%")."""
    return f"{view.settings.confidence:.0%}"


def bank_tiles(view: svc.ServiceView) -> None:
    """The whole bank's complaints per 100, satisfaction, share satisfied and response rate, intervals below."""
    bank, coverage = view.bank, confidence(view)
    tiles = (
        (t("service_tile_complaints"), "complaints_per_100", "complaints", number),
        (t("service_tile_satisfaction"), "satisfaction", "satisfaction", lambda v: number(v, 2)),
        (t("service_tile_satisfied"), "satisfied_share", "satisfied", share),
    )
    columns = st.columns(len(tiles) + 1)
    for column, (label, value, interval, shown) in zip(columns, tiles, strict=False):
        column.metric(label, shown(bank[value]), border=True)
        low, high = shown(bank[f"{interval}_low"]), shown(bank[f"{interval}_high"])
        column.caption(t("service_interval", confidence=coverage, low=low, high=high))
    columns[-1].metric(t("service_tile_response_rate"), share(bank["response_rate"]), border=True)
    columns[-1].caption(t("service_responses", responses=count(bank["responses"])))
