"""RFM: recency, frequency and monetary quintile scores, and named segments passed as data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.contract import CHANNELS
from crm_core.prepare import PreparedDataset
from crm_core.segments.config import DEFAULT_RFM, NOT_ASSIGNED, RfmConfig, Segmentation


def quintile_scores(values: np.ndarray) -> np.ndarray:
    """Return 1–5 scores, higher value → higher score, ties always scored alike.

    The score is ``ceil(5 × share of customers with a value ≤ this one)``: a customer scores
    at least ``s`` when at least ``(s − 1) / 5`` of customers are no better. Ties share the
    higher score, so the result depends only on the values, never on row order. NaN → 0.

    Examples
    --------
    >>> quintile_scores(np.array([10.0, 20, 30, 40, 50])).tolist()
    [1, 2, 3, 4, 5]
    >>> quintile_scores(np.array([7.0, 7.0, 7.0])).tolist()
    [5, 5, 5]
    """
    values = np.asarray(values, dtype=float)
    scores = np.zeros(len(values), dtype=np.int8)
    known = ~np.isnan(values)
    x = values[known]
    if len(x):
        at_or_below = np.searchsorted(np.sort(x), x, side="right")
        scores[known] = np.clip(np.ceil(5 * at_or_below / len(x) - 1e-9), 1, 5).astype(np.int8)
    return scores


def rfm_available(source: PreparedDataset | pd.DataFrame) -> tuple[str, ...]:
    """Return the columns RFM needs that the dataset lacks (empty when RFM can run)."""
    customers = source.customers if isinstance(source, PreparedDataset) else source
    needed = ["months_since_active", *(f"{c}_txn_12m" for c in CHANNELS)]
    return tuple(c for c in needed if c not in customers.columns)


def rfm_scores(source: PreparedDataset | pd.DataFrame, config: RfmConfig = DEFAULT_RFM) -> pd.DataFrame:
    """Return recency, frequency and monetary values with their 1–5 scores.

    Parameters
    ----------
    source : PreparedDataset or pandas.DataFrame
        Needs ``months_since_active`` and the ``<channel>_txn_12m`` columns (activity).
    config : RfmConfig
        Which column is monetary.

    Returns
    -------
    pandas.DataFrame
        One row per customer (same order): ``recency_months`` (months since the last
        transaction; NaN never), ``frequency`` (transactions in 12 months, all channels),
        ``monetary``, and ``int8`` scores ``r``, ``f``, ``m`` and ``fm`` = ``(f + m + 1) // 2``.
        Only active customers are scored; the others have NaN values and scores 0.
        Customers who never transacted get recency score 1.
    """
    customers = source.customers if isinstance(source, PreparedDataset) else source
    missing = rfm_available(customers)
    if missing:
        raise ValueError(f"RFM needs activity data; missing column(s): {', '.join(missing)}")
    active = (
        customers["is_active"].to_numpy(dtype=bool)
        if "is_active" in customers.columns
        else np.ones(len(customers), dtype=bool)
    )
    months = customers["months_since_active"].to_numpy(dtype=float)
    recency = np.where(months < 0, np.inf, months)
    frequency = sum(customers[f"{c}_txn_12m"].to_numpy(dtype=float) for c in CHANNELS)
    column = config.monetary if config.monetary in customers.columns else "aum"
    monetary = customers[column].to_numpy(dtype=float, na_value=np.nan)
    nan = np.float64(np.nan)
    recency, frequency, monetary = (np.where(active, v, nan) for v in (recency, frequency, monetary))
    r = quintile_scores(-recency)  # fewer months since the last transaction is better
    r[active & np.isinf(recency)] = 1
    f = quintile_scores(frequency)
    m = quintile_scores(monetary)
    fm = np.where((f > 0) & (m > 0), (f.astype(np.int16) + m + 1) // 2, 0).astype(np.int8)
    return pd.DataFrame(
        {
            "recency_months": np.where(np.isinf(recency), nan, recency),
            "frequency": frequency,
            "monetary": monetary,
            "r": r,
            "f": f,
            "m": m,
            "fm": fm,
        },
        index=customers.index,
    )


def rfm_segments(scores: pd.DataFrame, config: RfmConfig = DEFAULT_RFM) -> Segmentation:
    """Return named RFM segments from ``rfm_scores`` by the config's ordered rules.

    The first rule whose R range and FM range contain the customer's scores wins;
    customers matching no rule (or unscored) get -1.
    """
    r = scores["r"].to_numpy()
    fm = scores["fm"].to_numpy()
    codes = np.full(len(scores), NOT_ASSIGNED, dtype=np.int8)
    for code, (_, r_low, r_high, fm_low, fm_high) in reversed(list(enumerate(config.segments))):
        codes[(r >= r_low) & (r <= r_high) & (fm >= fm_low) & (fm <= fm_high)] = code
    unmatched = int(((codes < 0) & (r > 0)).sum())
    notes = (f"{unmatched} scored customers match no segment rule",) if unmatched else ()
    return Segmentation(codes, tuple(s[0] for s in config.segments), notes)
