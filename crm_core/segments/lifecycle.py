"""Customer lifecycle stage (考察期 / 形成期 / 稳定期 / 退化期) from tenure and trends."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.contract import CHANNELS
from crm_core.messages import Message
from crm_core.prepare import PreparedDataset
from crm_core.segments.config import (
    DEFAULT_LIFECYCLE,
    LIFECYCLE_STAGES,
    NOT_ASSIGNED,
    LifecycleConfig,
    Segmentation,
)


def lifecycle_missing(source: PreparedDataset | pd.DataFrame) -> tuple[str, ...]:
    """Return what the lifecycle rules lack: ``tenure_months``, and a trend (AUM a year ago or activity)."""
    customers = source.customers if isinstance(source, PreparedDataset) else source

    def has(column: str) -> bool:
        return column in customers.columns and bool(customers[column].notna().any())

    missing = [] if has("tenure_months") else ["tenure_months"]
    if not has("aum_trend") and not has("counter_txn_12m"):
        missing.append("aum_12m_ago or activity")
    return tuple(missing)


def activity_trend(customers: pd.DataFrame) -> np.ndarray:
    """Return transactions in the last 12 months over the 12 before, minus 1 (NaN without history)."""
    if "counter_txn_12m" not in customers.columns:
        return np.full(len(customers), np.nan)
    last = sum(customers[f"{c}_txn_12m"].to_numpy(dtype=float) for c in CHANNELS)
    before = sum(customers[f"{c}_txn_prev_12m"].to_numpy(dtype=float) for c in CHANNELS)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(before > 0, last / before - 1.0, np.nan)


def lifecycle_stages(
    source: PreparedDataset | pd.DataFrame, config: LifecycleConfig = DEFAULT_LIFECYCLE
) -> Segmentation:
    """Return each active customer's lifecycle stage.

    Rules, in order (first match wins; see ``lifecycle_rules``):

    1. prospect — tenure below ``prospect_max_tenure_months``;
    2. decline — AUM trend ≤ ``decline_aum_trend`` or activity trend ≤ ``decline_activity_trend``;
    3. formation — tenure below ``formation_max_tenure_months`` or AUM trend ≥ ``formation_aum_trend``;
    4. stable — everyone else.

    A missing trend is no evidence (the rule using it does not fire). Closed customers and
    customers without tenure get -1.

    Returns
    -------
    Segmentation
        Labels are the keys of ``LIFECYCLE_STAGES``.
    """
    customers = source.customers if isinstance(source, PreparedDataset) else source
    missing = lifecycle_missing(customers)
    if missing:
        raise ValueError(f"lifecycle stages need: {', '.join(missing)}")
    tenure = customers["tenure_months"].to_numpy(dtype=float, na_value=np.nan)
    aum_trend = (
        customers["aum_trend"].to_numpy(dtype=float)
        if "aum_trend" in customers.columns
        else np.full(len(customers), np.nan)
    )
    activity = activity_trend(customers)
    prospect = tenure < config.prospect_max_tenure_months
    decline = (aum_trend <= config.decline_aum_trend) | (activity <= config.decline_activity_trend)
    formation = (tenure < config.formation_max_tenure_months) | (aum_trend >= config.formation_aum_trend)
    codes = np.select([prospect, decline, formation], [0, 3, 1], default=2).astype(np.int8)
    unassignable = np.isnan(tenure)
    if "is_active" in customers.columns:
        unassignable |= ~customers["is_active"].to_numpy(dtype=bool)
    codes[unassignable] = NOT_ASSIGNED
    notes = []
    if "aum_trend" not in customers.columns:
        notes.append("no AUM a year ago: stages use the activity trend only")
    if "counter_txn_12m" not in customers.columns:
        notes.append("no activity data: stages use the AUM trend only")
    return Segmentation(codes, LIFECYCLE_STAGES, tuple(notes))


def _percent(value: float) -> str:
    return f"{value * 100:+.0f}%"


def lifecycle_rules(config: LifecycleConfig = DEFAULT_LIFECYCLE) -> tuple[tuple[str, Message], ...]:
    """Return each rule as a message (its thresholds filled in), in the order the rules apply.

    Examples
    --------
    >>> from crm_core.messages import render
    >>> stage, rule = lifecycle_rules()[0]
    >>> stage, render(rule, "en"), render(rule, "zh")
    ('prospect', 'Prospect: customer for less than 12 months.', '考察期：开户不满12个月。')
    """
    c = config
    return (
        ("prospect", Message("lifecycle_rule_prospect", months=c.prospect_max_tenure_months)),
        (
            "decline",
            Message(
                "lifecycle_rule_decline",
                aum=_percent(c.decline_aum_trend),
                activity=_percent(c.decline_activity_trend),
            ),
        ),
        (
            "formation",
            Message(
                "lifecycle_rule_formation", months=c.formation_max_tenure_months, aum=_percent(c.formation_aum_trend)
            ),
        ),
        ("stable", Message("lifecycle_rule_stable")),
    )
