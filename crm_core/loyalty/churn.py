"""Who counts as churned, and the features a churn model may honestly learn from.

Leakage is the trap here. Closed customers have zero AUM, no recent transactions and no
complaints *because* they closed; a model fed today's values would "predict" churn from
its consequences. So the model learns from a **snapshot a year ago**: customers alive
twelve months ago, described by what was known then (AUM then, products then, transactions
in the 12 months before, digital use then, tenure and age then, payroll, branch, city),
labelled by what happened in the twelve months since. Today's active customers are scored
with the same features shifted to now. When the dataset has only a churn flag and no
closing dates, only features that cannot be post-closure artefacts are used (age, tenure,
payroll, gender, risk level, income, branch, city).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_core.contract import CHANNELS
from crm_core.definitions import churn_outcome
from crm_core.loyalty.config import DEFAULT_CHURN, ChurnDefinition
from crm_core.messages import Message, Share
from crm_core.prepare import PreparedDataset, text_codes

SHIFTED_FEATURES: tuple[tuple[str, str, str], ...] = (
    ("aum", "aum_12m_ago", "aum"),
    ("products_held", "products_held_12m_ago", "products_held"),
    ("digital_active", "digital_active_12m_ago", "digital_active"),
    *((f"{channel}_txn_12m", f"{channel}_txn_prev_12m", f"{channel}_txn_12m") for channel in CHANNELS),
)
"""``(feature, column a year ago, column now)``: used when both columns exist."""

AGED_FEATURES: tuple[tuple[str, float], ...] = (("tenure_months", 12.0), ("age", 1.0))
"""Features a year younger in the snapshot: ``(column, amount subtracted)``."""

STATIC_NUMERIC: tuple[str, ...] = ("is_payroll", "risk_level", "annual_income")
STATIC_CATEGORICAL: tuple[str, ...] = ("gender", "branch", "city")
"""Features assumed unchanged over the year (and not altered by a closure)."""

EXCLUDED_REASONS: dict[str, str] = {
    "churned / closed_date / closed_last_12m / is_active": "the outcome itself",
    "months_since_active, mobile_active, *_txn_12m as of a closure": "zero after a closure by construction",
    "aum, aum_avg_3m, aum_avg_12m, deposit/investment balances (now)": "zero after a closure by construction",
    "complaints_12m, satisfaction": "recorded after the fact, or cleared at closure",
    "has_<product> flags (now)": "may be closed together with the relationship",
}
"""What the model never sees, and why (shown in the docs and the UI)."""


@dataclass(frozen=True, eq=False)
class ChurnLabels:
    """Churn outcome of each customer under a definition.

    Attributes
    ----------
    labels : numpy.ndarray
        Boolean, one per customer: churned under the definition (meaningful where ``eligible``).
    eligible : numpy.ndarray
        Boolean: customers the model learns from (those at risk at the snapshot).
    scored : numpy.ndarray
        Boolean: current customers to score (active today).
    snapshot : bool
        Whether year-ago features are used (False: static features only).
    description : Message
        The definition stated (a ``crm_core.messages.Message``, rendered at the edge).
    reason : Message or None
        Why the definition cannot be applied to this dataset (then ``labels`` is all False).
    """

    labels: np.ndarray
    eligible: np.ndarray
    scored: np.ndarray
    snapshot: bool
    description: Message
    reason: Message | None = None

    @property
    def rate(self) -> float:
        """Churn rate among eligible customers (NaN when none)."""
        n = int(self.eligible.sum())
        return float(self.labels[self.eligible].sum() / n) if n else float("nan")


def _bool(customers: pd.DataFrame, column: str) -> np.ndarray:
    return customers[column].astype("boolean").fillna(False).to_numpy(dtype=bool)


def churn_labels(prepared: PreparedDataset, definition: ChurnDefinition = DEFAULT_CHURN) -> ChurnLabels:
    """Return who churned under ``definition``, who is at risk, and a description.

    Parameters
    ----------
    prepared : PreparedDataset
        The prepared dataset.
    definition : ChurnDefinition
        Flag, inactivity or AUM fall.

    Returns
    -------
    ChurnLabels
    """
    c = prepared.customers
    n = len(c)
    active = _bool(c, "is_active") if "is_active" in c else np.ones(n, bool)
    none = np.zeros(n, bool)

    def unavailable(reason: Message) -> ChurnLabels:
        return ChurnLabels(none, none, active, False, reason, reason)

    alive_then = _bool(c, "alive_12m_ago") if "alive_12m_ago" in c else np.ones(n, bool)
    if definition.kind == "flag":
        outcome = churn_outcome(c)  # the bank's churn rate: ``rate`` is that figure under this definition
        if prepared.has("closed_date"):
            base, closed = outcome
            return ChurnLabels(
                labels=closed,
                eligible=base,
                scored=active,
                snapshot=True,
                description=Message("churn_def_flag_dates"),
            )
        if prepared.has("churned"):
            base, closed = outcome
            return ChurnLabels(
                labels=closed,
                eligible=base,
                scored=active,
                snapshot=False,
                description=Message("churn_def_flag_only"),
            )
        return unavailable(Message("churn_reason_no_flag"))
    if definition.kind == "inactive":
        if not prepared.has("months_since_active"):
            return unavailable(Message("churn_reason_no_activity"))
        months = definition.inactive_months
        previous = [f"{channel}_txn_prev_12m" for channel in CHANNELS if f"{channel}_txn_prev_12m" in c]
        was_active = c[previous].sum(axis=1).to_numpy() > 0
        since = c["months_since_active"].to_numpy()
        return ChurnLabels(
            labels=(since >= months) | (since < 0),
            eligible=alive_then & was_active,
            scored=active,
            snapshot=True,
            description=Message("churn_def_inactive", months=months),
        )
    if not prepared.has("aum_12m_ago"):
        return unavailable(Message("churn_reason_no_aum_history"))
    drop = definition.aum_drop
    before = c["aum_12m_ago"].to_numpy(dtype=float)
    now = c["aum"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        fell = now < before * (1 - drop)
    return ChurnLabels(
        labels=fell & (before > 0),
        eligible=alive_then & (before > 0),
        scored=active,
        snapshot=True,
        description=Message("churn_def_aum_drop", drop=Share(drop, 0)),
    )


def churn_features(prepared: PreparedDataset, moment: str, snapshot: bool = True) -> pd.DataFrame:
    """Return the model features of every customer as of ``moment``.

    Parameters
    ----------
    prepared : PreparedDataset
        The prepared dataset. Not modified.
    moment : {"year_ago", "now"}
        ``year_ago`` for training (what was known then), ``now`` for scoring.
    snapshot : bool
        Include the shifted features (AUM, products, transactions, digital use); False keeps
        only aged and static features (for a flag without closing dates).

    Returns
    -------
    pandas.DataFrame
        Same columns for both moments, one row per customer (positional index).
    """
    if moment not in ("year_ago", "now"):
        raise ValueError("moment must be 'year_ago' or 'now'")
    c = prepared.customers
    then = moment == "year_ago"
    columns: dict[str, object] = {}
    if snapshot:
        for name, before, current in SHIFTED_FEATURES:
            if prepared.has(before) and prepared.has(current):
                source = c[before if then else current]
                columns[name] = source.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    for name, shift in AGED_FEATURES:
        if prepared.has(name):
            values = c[name].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            columns[name] = np.maximum(values - shift, 0.0) if then else values
    for name in STATIC_NUMERIC:
        if prepared.has(name):
            columns[name] = c[name].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    for name in STATIC_CATEGORICAL:
        if prepared.has(name) and c[name].nunique() > 1:
            # Categorical: a byte per customer, not a Python string each (5M customers: 5 MB, not 300 MB).
            codes, labels = text_codes(c[name])
            columns[name] = pd.Categorical.from_codes(codes, categories=labels)
    return pd.DataFrame(columns, index=c.index)
