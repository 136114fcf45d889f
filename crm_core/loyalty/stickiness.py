"""Stickiness index and primacy flag: how tied to the bank each customer is.

The indicators are normalised once per dataset (``stickiness_matrix``); a weight change is
a matrix–vector product (``stickiness_scores``). Primacy is a rule, stated by ``primacy_rule`` as a
``Message`` the edges render.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_core.loyalty.config import (
    DEFAULT_PRIMACY,
    DEFAULT_STICKINESS,
    STICKINESS_INDICATORS,
    PrimacyConfig,
    StickinessConfig,
)
from crm_core.messages import Message
from crm_core.prepare import PreparedDataset

BOOLEAN_INDICATORS = frozenset({"is_payroll", "mobile_active"})


@dataclass(frozen=True, eq=False)
class StickinessMatrix:
    """Stickiness indicators normalised to 0–1, one row per customer.

    Attributes
    ----------
    matrix : numpy.ndarray
        ``float64`` array (customers × indicators). Yes/no indicators are 0 or 1;
        continuous ones are clipped to the dataset's quantile bounds and scaled to 0–1;
        missing values take the indicator's median among active customers.
    indicators : tuple of str
        Column order of ``matrix`` (those of ``STICKINESS_INDICATORS`` the data has).
    bounds : dict
        ``indicator -> (low, high)`` raw values mapped to 0 and 1 (continuous indicators).
    active : numpy.ndarray
        Boolean mask of active customers (the ones distributions describe).
    active_means : numpy.ndarray or None
        Each indicator's mean over the active customers (what a group's mean is compared with),
        computed once with the matrix; None when built by hand (then computed where needed).
    """

    matrix: np.ndarray
    indicators: tuple[str, ...]
    bounds: dict[str, tuple[float, float]]
    active: np.ndarray
    active_means: np.ndarray | None = None


def _raw_indicator(customers: pd.DataFrame, name: str) -> np.ndarray | None:
    if name == "card_use":
        cards = [c for c in ("has_debit_card", "has_credit_card") if c in customers.columns]
        if not cards:
            return None
        return np.mean([customers[c].fillna(False).to_numpy(dtype=float) for c in cards], axis=0)
    if name not in customers.columns or not customers[name].notna().any():
        return None
    values = customers[name]
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "biuf":  # numpy: no nullable copy first
        return values.to_numpy(dtype=float)
    return values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def stickiness_matrix(
    source: PreparedDataset | pd.DataFrame, config: StickinessConfig = DEFAULT_STICKINESS
) -> StickinessMatrix:
    """Return the normalised stickiness indicators (run once per dataset).

    Parameters
    ----------
    source : PreparedDataset or pandas.DataFrame
        Prepared dataset, or its ``customers`` frame. Not modified.
    config : StickinessConfig
        Only ``clip_quantiles`` matters here; weights are applied by ``stickiness_scores``.

    Returns
    -------
    StickinessMatrix

    Examples
    --------
    >>> frame = pd.DataFrame({"products_held": [1, 3, 5], "is_active": [True, True, True]})
    >>> m = stickiness_matrix(frame, StickinessConfig(clip_quantiles=(0, 1)))
    >>> m.indicators, m.matrix[:, 0].tolist()
    (('products_held',), [0.0, 0.5, 1.0])
    """
    customers = source.customers if isinstance(source, PreparedDataset) else source
    n = len(customers)
    active = customers["is_active"].to_numpy(dtype=bool) if "is_active" in customers else np.ones(n, bool)
    names, bounds, means = [], {}, []
    low_q, high_q = config.clip_quantiles
    # Each indicator is written into its column of one (customers x indicators) matrix as it is scaled,
    # instead of stacked from a list of columns at the end: 240 MB less at the peak at 5M customers.
    matrix = np.empty((n, len(STICKINESS_INDICATORS)))
    for name in STICKINESS_INDICATORS:
        raw = _raw_indicator(customers, name)
        if raw is None:
            continue
        if name in BOOLEAN_INDICATORS or name == "card_use":
            scaled = raw
        else:
            known = raw[active & ~np.isnan(raw)]
            if len(known) == 0:
                continue
            low, high = (float(v) for v in np.quantile(known, [low_q, high_q]))
            bounds[name] = (low, high)
            scaled = (np.clip(raw, low, high) - low) / (high - low) if high > low else np.full(n, 0.5)
            scaled = np.where(np.isnan(raw), np.nan, scaled)
        missing = np.isnan(scaled)
        if missing.any():
            reference = scaled[active & ~missing]
            scaled = np.where(missing, float(np.median(reference)) if len(reference) else 0.0, scaled)
        means.append(_active_mean(scaled, active))
        matrix[:, len(names)] = scaled
        names.append(name)
    if len(names) < matrix.shape[1]:  # an indicator the data lacks: its column goes (a contiguous copy)
        matrix = np.ascontiguousarray(matrix[:, : len(names)])
    means = np.array(means, dtype=np.float64)
    return StickinessMatrix(matrix=matrix, indicators=tuple(names), bounds=bounds, active=active, active_means=means)


def _active_mean(column: np.ndarray, active: np.ndarray) -> float:
    """The mean of a contiguous column over the active customers (NaN without any)."""
    kept = column[active]
    return float(kept.mean()) if len(kept) else math.nan


def active_means(matrix: StickinessMatrix, active: np.ndarray | None = None) -> np.ndarray:
    """Each indicator's mean over ``active`` customers (default the matrix's own active ones).

    The stored ``active_means`` when they are over the same customers, else computed (NaN without
    any customer).
    """
    active = matrix.active if active is None else np.asarray(active, dtype=bool)
    if matrix.active_means is not None and (active is matrix.active or np.array_equal(active, matrix.active)):
        return matrix.active_means
    return np.array([_active_mean(np.ascontiguousarray(matrix.matrix[:, j]), active)
                     for j in range(len(matrix.indicators))], dtype=np.float64)  # fmt: skip


def stickiness_weights(matrix: StickinessMatrix, config: StickinessConfig = DEFAULT_STICKINESS) -> dict[str, float]:
    """Return the weights of the indicators present, rescaled to sum to 1 (all zero → equal).

    Examples
    --------
    >>> m = StickinessMatrix(np.zeros((0, 2)), ("products_held", "is_payroll"), {}, np.zeros(0, bool))
    >>> stickiness_weights(m, StickinessConfig(weights=(("products_held", 3), ("is_payroll", 1))))
    {'products_held': 0.75, 'is_payroll': 0.25}
    """
    given = dict(config.weights)
    present = {name: given.get(name, 0.0) for name in matrix.indicators}
    total = sum(present.values())
    if total <= 0:
        return {name: 1 / len(present) for name in present} if present else {}
    return {name: weight / total for name, weight in present.items()}


def stickiness_scores(matrix: StickinessMatrix, config: StickinessConfig = DEFAULT_STICKINESS) -> np.ndarray:
    """Return the stickiness index, 0–100, one per customer (closed customers are NaN).

    Examples
    --------
    >>> frame = pd.DataFrame({"products_held": [1, 3, 5], "is_payroll": [True, False, True], "is_active": True})
    >>> config = StickinessConfig(weights=(("products_held", 1), ("is_payroll", 1)), clip_quantiles=(0, 1))
    >>> stickiness_scores(stickiness_matrix(frame, config), config).tolist()
    [50.0, 25.0, 100.0]
    """
    weights = stickiness_weights(matrix, config)
    vector = np.array([weights[name] for name in matrix.indicators], dtype=float)
    scores = matrix.matrix @ vector * 100.0 if len(vector) else np.zeros(len(matrix.active))
    return np.where(matrix.active, scores, np.nan)


def _flag(customers: pd.DataFrame, column: str) -> np.ndarray | None:
    if column not in customers.columns:
        return None
    return customers[column].astype("boolean").fillna(False).to_numpy(dtype=bool)


CARD_CHANNELS: tuple[str, ...] = ("atm",)
"""Channels a card transaction goes through (the contract has no point-of-sale channel)."""


def primacy_flags(source: PreparedDataset | pd.DataFrame, config: PrimacyConfig = DEFAULT_PRIMACY) -> np.ndarray:
    """Return whether the bank is each customer's main bank (see ``PrimacyConfig``).

    Closed customers are never primary.

    Examples
    --------
    >>> frame = pd.DataFrame({"is_payroll": [True, True, False], "mobile_active": [True, False, True]})
    >>> primacy_flags(frame).tolist()
    [True, False, False]
    """
    customers = source.customers if isinstance(source, PreparedDataset) else source
    n = len(customers)
    result = _flag(customers, "is_active")
    result = np.ones(n, bool) if result is None else result.copy()
    if config.require_payroll:
        payroll = _flag(customers, "is_payroll")
        if payroll is None:
            held = customers["products_held"] if "products_held" in customers else pd.Series(0, index=customers.index)
            payroll = held.astype("Float64").fillna(0).to_numpy(dtype=float) >= config.fallback_min_products
        result &= payroll
    if config.require_usage:
        usage = np.zeros(n, bool)
        mobile = _flag(customers, "mobile_active")
        if mobile is not None:
            usage |= mobile
        cards = [flag for c in ("has_debit_card", "has_credit_card") if (flag := _flag(customers, c)) is not None]
        # card use is counted on the channels a card goes through (ATM), never counter or app transactions
        txn_columns = [f"{c}_txn_12m" for c in CARD_CHANNELS if f"{c}_txn_12m" in customers.columns]
        if cards and txn_columns:
            transactions = customers[txn_columns].sum(axis=1).to_numpy(dtype=float)
            usage |= np.logical_or.reduce(cards) & (transactions >= config.min_transactions_12m)
        result &= usage
    return result


def _known(customers: pd.DataFrame, column: str) -> bool:
    return column in customers.columns and bool(customers[column].notna().any())


def primacy_missing(source: PreparedDataset | pd.DataFrame, config: PrimacyConfig = DEFAULT_PRIMACY) -> Message | None:
    """Return why primacy cannot be measured on this data (None when the rule's inputs are there).

    ``primacy_flags`` would read a missing input as "no": every customer would then be "not main
    bank", a 0% invented from absent columns. Callers show this reason and NaN shares instead.

    Examples
    --------
    >>> from crm_core.messages import render
    >>> print(primacy_missing(pd.DataFrame({"is_payroll": [True], "mobile_active": [False]})))
    None
    >>> render(primacy_missing(pd.DataFrame({"age": [30]})), "en")[:46]
    'Main bank: not measured. The file lacks what t'
    """
    customers = source.customers if isinstance(source, PreparedDataset) else source
    needs = []
    if config.require_payroll and not (_known(customers, "is_payroll") or _known(customers, "products_held")):
        needs.append(Message("primacy_needs_payroll"))
    if config.require_usage:
        cards = any(_known(customers, c) for c in ("has_debit_card", "has_credit_card"))
        used = any(_known(customers, f"{c}_txn_12m") for c in CARD_CHANNELS)
        if not (_known(customers, "mobile_active") or (cards and used)):
            needs.append(Message("primacy_needs_usage"))
    if not needs:
        return None
    listed = needs[0] if len(needs) == 1 else Message("primacy_needs_both", first=needs[0], second=needs[1])
    return Message("primacy_missing", needs=listed)


def primacy_rule(config: PrimacyConfig = DEFAULT_PRIMACY, has_payroll: bool = True) -> Message:
    """Return the primacy rule as a message (rendered in the reader's language at the edge).

    Examples
    --------
    >>> from crm_core.messages import render
    >>> render(primacy_rule(PrimacyConfig(require_usage=False)), "en")
    'Main bank: salary paid through the bank.'
    >>> render(primacy_rule(PrimacyConfig(require_usage=False)), "zh")
    '主办行客户：工资由本行代发。'
    >>> render(primacy_rule(PrimacyConfig(), has_payroll=False), "en")[:60]
    'Main bank: holds at least 3 products (no payroll data); and '
    """
    parts = []
    if config.require_payroll:
        parts.append(
            Message("primacy_payroll") if has_payroll else Message("primacy_products", n=config.fallback_min_products)
        )
    if config.require_usage:
        parts.append(Message("primacy_usage", m=config.min_transactions_12m))
    if not parts:
        return Message("primacy_rule_all")
    conditions = parts[0] if len(parts) == 1 else Message("primacy_rule_and", first=parts[0], second=parts[1])
    return Message("primacy_rule", conditions=conditions)


def stickiness_by_segment(
    scores: np.ndarray, primacy: np.ndarray, codes: np.ndarray, labels: Sequence[str]
) -> pd.DataFrame:
    """Return the stickiness distribution and primacy share of each segment (active customers).

    Parameters
    ----------
    scores : numpy.ndarray
        ``stickiness_scores`` (NaN for closed customers, who are left out).
    primacy : numpy.ndarray
        ``primacy_flags``.
    codes : numpy.ndarray
        Segment code per customer, ``-1`` = unassigned (left out).
    labels : sequence of str
        Segment names in code order.

    Returns
    -------
    pandas.DataFrame
        One row per segment: ``code``, ``segment``, ``customers``, ``mean``, ``p25``,
        ``median``, ``p75``, ``primacy_share``. Empty segments have NaN statistics.

    Examples
    --------
    >>> stickiness_by_segment(np.array([10.0, 30, 50, np.nan]), np.array([False, True, True, False]),
    ...                       np.array([0, 0, 1, 1]), ["a", "b"])[["segment", "customers", "mean"]]
      segment  customers  mean
    0       a          2  20.0
    1       b          1  50.0
    """
    codes = np.asarray(codes)
    scored = ~np.isnan(scores)
    rows = []
    for code, label in enumerate(labels):
        member = scored & (codes == code)
        values = scores[member]
        if len(values):
            p25, median, p75 = np.quantile(values, [0.25, 0.5, 0.75])
            rows.append((code, label, len(values), values.mean(), p25, median, p75, primacy[member].mean()))
        else:
            rows.append((code, label, 0, *[np.nan] * 5))
    frame = pd.DataFrame(
        rows, columns=["code", "segment", "customers", "mean", "p25", "median", "p75", "primacy_share"]
    )
    return frame.astype({"code": "int64", "customers": "int64"})
