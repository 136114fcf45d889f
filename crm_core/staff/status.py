"""Green / amber / red status of every indicator against its target, and values as text."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crm_core.formatting import format_count, format_share
from crm_core.staff.config import DEFAULT_STATUS, HIGHER, INDICATOR_BY_NAME, StatusConfig, StatusRule
from crm_core.staff.indicators import Scorecard

STATUS_CODES: dict[str, int] = {"none": -1, "red": 0, "amber": 1, "green": 2}
"""Integer code of each status (the heat table's colour scale)."""


def status_of(values: np.ndarray, rule: StatusRule) -> np.ndarray:
    """Return "green" / "amber" / "red" per value ("none" for NaN) under one rule.

    Examples
    --------
    >>> status_of(np.array([0.95, 0.9, 0.8, np.nan]), StatusRule("retention", 0.92, 0.88)).tolist()
    ['green', 'amber', 'red', 'none']
    >>> status_of(np.array([8.0, 15.0, 30.0]), StatusRule("complaints_per_100", 10.0, 20.0)).tolist()
    ['green', 'amber', 'red']
    >>> rule = StatusRule("complaints_per_100", 1.0, 0.8, basis="percent_of_target", target=10.0)
    >>> status_of(np.array([10.0, 12.0, 20.0, 0.0]), rule).tolist()
    ['green', 'amber', 'red', 'green']
    """
    values = np.asarray(values, dtype=float)
    higher = INDICATOR_BY_NAME[rule.indicator].direction == HIGHER
    if rule.basis == "percent_of_target":
        with np.errstate(divide="ignore", invalid="ignore"):
            achieved = values / rule.target if higher else np.where(values > 0, rule.target / values, np.inf)
        achieved = np.where(np.isnan(values), np.nan, achieved)
        green, amber = achieved >= rule.green, achieved >= rule.amber
    elif higher:
        green, amber = values >= rule.green, values >= rule.amber
    else:
        green, amber = values <= rule.green, values <= rule.amber
    out = np.where(green, "green", np.where(amber, "amber", "red")).astype(object)
    out[np.isnan(values)] = "none"
    return out


def indicator_status(scorecard: Scorecard, config: StatusConfig = DEFAULT_STATUS) -> pd.DataFrame:
    """Return the status of every unit × indicator ("none" without a rule or a value).

    Returns
    -------
    pandas.DataFrame
        Index ``scorecard.units``, columns ``scorecard.indicators``, string values.
    """
    rules = config.rule_map
    columns = {}
    for name in scorecard.indicators:
        values = scorecard.values[name].to_numpy(dtype=float)
        columns[name] = status_of(values, rules[name]) if name in rules else np.full(len(values), "none", object)
    return pd.DataFrame(columns, index=scorecard.values.index, columns=list(scorecard.indicators))


def indicator_text(value: float, indicator: str) -> str:
    """Return an indicator value as shown to managers, the same in every language ("–" when missing).

    Examples
    --------
    >>> indicator_text(0.1234, "aum_growth"), indicator_text(0.9, "retention")
    ('+12.3%', '90.0%')
    >>> indicator_text(2.456, "cross_sell_ratio")
    '2.46'
    >>> indicator_text(8.46, "new_customers"), indicator_text(float("nan"), "satisfaction")
    ('8.5', '–')
    """
    if value is None or not math.isfinite(value):
        return "–"
    unit = INDICATOR_BY_NAME[indicator].unit
    if unit == "growth":
        return f"{value * 100:+.1f}%"
    if unit == "share":
        return format_share(value)
    if unit == "count":
        return format_count(value)
    if unit == "per_100":
        return f"{value:.1f}"
    return f"{value:.2f}"


def scorecard_text(values: pd.DataFrame) -> pd.DataFrame:
    """Return indicator values (units × indicators, e.g. ``StaffView.values``) as text: the heat table's cells."""
    return pd.DataFrame(
        {name: [indicator_text(v, name) for v in values[name]] for name in values.columns},
        index=values.index,
        columns=list(values.columns),
    )
