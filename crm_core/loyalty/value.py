"""Customer lifetime value and the current-versus-potential quadrant.

CLV is a transparent baseline: ``annual contribution × expected discounted years``, where
the expected years come from the customer's yearly retention rate ``r`` (one minus the
model's churn probability, or the bank's retention rate without a model):
``sum over t = 1..horizon of r^(t-1) / (1 + d)^t``. When ``annual_contribution`` is
missing, AUM × ``aum_margin`` stands in (documented in ``ClvConfig``).

Potential is what look-alike customers hold: the ``potential_quantile`` (75th percentile)
AUM of active customers in the same segment, age band and city; groups smaller than
``lookalike_min_group`` fall back to segment × age band, then segment, then the bank.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crm_core.loyalty.config import DEFAULT_CLV, ClvConfig
from crm_core.prepare import PreparedDataset

QUADRANTS: tuple[str, ...] = ("develop", "protect", "grow", "maintain")
"""Quadrant keys by code: high value & high headroom, high & low, low & high, low & low."""

QUADRANT_NAMES: dict[str, tuple[str, str]] = {
    "develop": ("Develop: high value, room to grow", "深耕：高价值、仍有潜力"),
    "protect": ("Protect: high value, near potential", "守护：高价值、接近潜力"),
    "grow": ("Grow: low value, high potential", "培育：低价值、高潜力"),
    "maintain": ("Maintain: low value, low potential", "维持：低价值、低潜力"),
}


def expected_discounted_years(retention: np.ndarray, discount_rate: float, horizon_years: int) -> np.ndarray:
    """Return ``sum_{t=1..H} r^(t-1) / (1+d)^t`` for each retention rate ``r``.

    Examples
    --------
    >>> expected_discounted_years(np.array([1.0, 0.0]), 0.0, 3).tolist()
    [3.0, 1.0]
    >>> round(float(expected_discounted_years(np.array([0.5]), 0.1, 2)[0]), 4)
    1.3223
    """
    r = np.clip(np.asarray(retention, dtype=float), 0.0, 1.0)
    t = np.arange(1, horizon_years + 1, dtype=float)
    return (r[:, None] ** (t - 1) / (1 + discount_rate) ** t).sum(axis=1)


def _codes(values: pd.Series) -> np.ndarray:
    return pd.factorize(values.astype("string").fillna("(missing)"), sort=True)[0]


def potential_aum(
    aum: np.ndarray, active: np.ndarray, groupings: Sequence[np.ndarray], config: ClvConfig = DEFAULT_CLV
) -> np.ndarray:
    """Return each customer's look-alike AUM: a quantile of the finest large-enough group.

    Parameters
    ----------
    aum : numpy.ndarray
        AUM per customer.
    active : numpy.ndarray
        Customers whose AUM defines the groups.
    groupings : sequence of numpy.ndarray
        Integer group keys per customer, finest first (e.g. segment×age band×city, then
        segment×age band, then segment). The bank as a whole is the last resort.
    config : ClvConfig
        ``potential_quantile`` and ``lookalike_min_group``.

    Examples
    --------
    >>> aum = np.array([1.0, 2, 3, 10, 20])
    >>> fine = np.array([0, 0, 0, 1, 1])
    >>> potential_aum(aum, np.ones(5, bool), [fine], ClvConfig(lookalike_min_group=3, potential_quantile=0.5)).tolist()
    [2.0, 2.0, 2.0, 3.0, 3.0]
    """
    n = len(aum)
    result = np.full(n, np.nan)
    bank = np.quantile(aum[active], config.potential_quantile) if active.any() else np.nan
    for keys in groupings:
        frame = pd.DataFrame({"key": keys[active], "aum": aum[active]})
        stats = frame.groupby("key")["aum"].agg(["size", lambda s: s.quantile(config.potential_quantile)])
        stats.columns = ["size", "quantile"]
        large = stats[stats["size"] >= config.lookalike_min_group]["quantile"]
        looked_up = pd.Series(keys).map(large).to_numpy(dtype=float)
        result = np.where(np.isnan(result), looked_up, result)
    return np.where(np.isnan(result), bank, result)


def customer_value(
    prepared: PreparedDataset,
    probabilities: np.ndarray | None,
    codes: np.ndarray,
    config: ClvConfig = DEFAULT_CLV,
    fallback_churn_rate: float = 0.1,
) -> pd.DataFrame:
    """Return contribution, retention, CLV, potential AUM and quadrant of each customer.

    Parameters
    ----------
    prepared : PreparedDataset
        The prepared dataset. Not modified.
    probabilities : numpy.ndarray or None
        12-month churn probability per customer (NaN where not scored); None or NaN uses
        ``fallback_churn_rate``.
    codes : numpy.ndarray
        Segment code per customer (``-1`` unassigned: its own look-alike group).
    config : ClvConfig
        Discount rate, horizon, margin and look-alike settings.
    fallback_churn_rate : float
        Yearly churn rate used where no probability exists (e.g. the bank's rate).

    Returns
    -------
    pandas.DataFrame
        One row per customer: ``contribution``, ``contribution_from_aum`` (bool),
        ``retention``, ``expected_years``, ``clv``, ``aum``, ``potential_aum``, ``headroom``,
        ``quadrant`` (code into ``QUADRANTS``, -1 for closed customers). Closed customers
        get zero CLV.
    """
    c = prepared.customers
    n = len(c)
    active = c["is_active"].to_numpy(dtype=bool) if "is_active" in c else np.ones(n, bool)
    aum = np.nan_to_num(c["aum"].to_numpy(dtype=float))
    if "annual_contribution" in c:
        given = c["annual_contribution"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    else:
        given = np.full(n, np.nan)
    from_aum = np.isnan(given)
    contribution = np.where(from_aum, aum * config.aum_margin, given)
    churn = np.full(n, fallback_churn_rate) if probabilities is None else np.asarray(probabilities, dtype=float)
    churn = np.where(np.isnan(churn), fallback_churn_rate, churn)
    retention = 1.0 - np.clip(churn, 0.0, 1.0)
    years = expected_discounted_years(retention, config.discount_rate, config.horizon_years)
    clv = np.where(active, contribution * years, 0.0)

    segment = np.asarray(codes, dtype=np.int64)
    age = _codes(c["age_band"]) if "age_band" in c else np.zeros(n, np.int64)
    city = _codes(c["city"]) if "city" in c else np.zeros(n, np.int64)
    n_age, n_city = age.max() + 2, city.max() + 2
    coarse = (segment + 1) * n_age + age
    potential = potential_aum(aum, active, [coarse * n_city + city, coarse, segment], config)
    headroom = np.maximum(potential - aum, 0.0)
    high_value = clv >= np.median(clv[active]) if active.any() else np.zeros(n, bool)
    high_room = headroom >= np.median(headroom[active]) if active.any() else np.zeros(n, bool)
    quadrant = np.select([high_value & high_room, high_value, high_room], [0, 1, 2], default=3)
    return pd.DataFrame(
        {
            "contribution": contribution,
            "contribution_from_aum": from_aum,
            "retention": retention,
            "expected_years": years,
            "clv": clv,
            "aum": aum,
            "potential_aum": potential,
            "headroom": headroom,
            "quadrant": np.where(active, quadrant, -1).astype(np.int8),
        }
    )


def clv_by_segment(values: pd.DataFrame, codes: np.ndarray, labels: Sequence[str], active: np.ndarray) -> pd.DataFrame:
    """Return CLV totals and averages per segment (active customers).

    Returns
    -------
    pandas.DataFrame
        ``code``, ``segment``, ``customers``, ``total_clv``, ``mean_clv``,
        ``total_contribution``, ``total_headroom``.

    Examples
    --------
    >>> v = pd.DataFrame({"clv": [10.0, 30, 5], "contribution": [2.0, 6, 1], "headroom": [0.0, 1, 2]})
    >>> clv_by_segment(v, np.array([0, 0, 1]), ["a", "b"], np.array([True, True, False]))[["segment", "mean_clv"]]
      segment  mean_clv
    0       a      20.0
    1       b       NaN
    """
    codes = np.asarray(codes)
    rows = []
    for code, label in enumerate(labels):
        member = active & (codes == code)
        part = values[member]
        count = int(member.sum())
        rows.append(
            (
                code,
                label,
                count,
                float(part["clv"].sum()),
                float(part["clv"].mean()) if count else np.nan,
                float(part["contribution"].sum()),
                float(part["headroom"].sum()),
            )
        )
    columns = ["code", "segment", "customers", "total_clv", "mean_clv", "total_contribution", "total_headroom"]
    return pd.DataFrame(rows, columns=columns)


def quadrant_sample(values: pd.DataFrame, max_points: int = 5_000, random_state: int = 0) -> pd.DataFrame:
    """Return at most ``max_points`` active customers (``clv``, ``headroom``, ``quadrant``) for a scatter."""
    active = values[values["quadrant"] >= 0]
    if len(active) > max_points:
        active = active.sample(n=max_points, random_state=random_state)
    return active[["clv", "headroom", "aum", "potential_aum", "quadrant"]].reset_index(drop=True)
