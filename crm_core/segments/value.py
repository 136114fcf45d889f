"""Customer value score: indicators normalised once per dataset, then a weighted sum and a cut.

The expensive part (ranking every indicator) runs once in ``value_matrix``; a weight
change is a float32 matrix–vector product (``value_scores``) and a cut (``value_classes``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from crm_core.prepare import PreparedDataset
from crm_core.segments.config import DEFAULT_VALUE, VALUE_INDICATORS, Segmentation, ValueConfig


@dataclass(frozen=True, eq=False)
class ValueMatrix:
    """Indicators normalised to 0–1, one row per customer.

    Attributes
    ----------
    matrix : numpy.ndarray
        ``float32`` array of shape (customers, indicators), Fortran-ordered so each indicator
        is contiguous; rows of inactive customers are 0.
    indicators : tuple of str
        Column names in matrix order (those of ``VALUE_INDICATORS`` the dataset has).
    normalisation : str
        ``percentile`` or ``minmax``.
    assignable : numpy.ndarray
        Boolean mask of the customers scored (active customers).
    unassigned : numpy.ndarray
        Positions of the customers not scored (``~assignable``), kept for fast masking.
    """

    matrix: np.ndarray
    indicators: tuple[str, ...]
    normalisation: str
    assignable: np.ndarray
    unassigned: np.ndarray


def _normalised(values: np.ndarray, method: str) -> np.ndarray:
    """One indicator on a 0–1 scale; NaN and constant columns give the neutral 0.5."""
    out = np.full(len(values), 0.5)
    known = ~np.isnan(values)
    x = values[known]
    if len(x) == 0:
        return out
    if method == "percentile":
        if len(x) > 1:
            # Average ranks: tied customers share a score, and the result is independent of row order.
            out[known] = (rankdata(x, method="average") - 1) / (len(x) - 1)
    else:
        low, high = x.min(), x.max()
        if high > low:
            out[known] = (x - low) / (high - low)
    return out


def value_matrix(
    source: PreparedDataset | pd.DataFrame,
    normalisation: str = "percentile",
    indicators: tuple[str, ...] = VALUE_INDICATORS,
) -> ValueMatrix:
    """Return the normalised indicator matrix (compute once per dataset and keep it).

    Parameters
    ----------
    source : PreparedDataset or pandas.DataFrame
        Prepared dataset or its customers frame. Not modified.
    normalisation : {"percentile", "minmax"}
        ``percentile``: average rank scaled to 0–1 (robust to the AUM tail);
        ``minmax``: (x − min) / (max − min).
    indicators : tuple of str
        Candidate indicators; those absent or entirely missing are skipped.

    Returns
    -------
    ValueMatrix
        Normalised over active customers only; missing values score 0.5 (neutral).
    """
    if normalisation not in ("percentile", "minmax"):
        raise ValueError("normalisation must be percentile or minmax")
    customers = source.customers if isinstance(source, PreparedDataset) else source
    active = (
        customers["is_active"].to_numpy(dtype=bool)
        if "is_active" in customers.columns
        else np.ones(len(customers), dtype=bool)
    )
    present = tuple(c for c in indicators if c in customers.columns and customers[c].notna().any())
    matrix = np.zeros((len(customers), len(present)), dtype=np.float32, order="F")
    for j, column in enumerate(present):
        values = customers[column].to_numpy(dtype=float, na_value=np.nan)[active]
        matrix[active, j] = _normalised(values, normalisation)
    return ValueMatrix(
        matrix=matrix,
        indicators=present,
        normalisation=normalisation,
        assignable=active,
        unassigned=np.flatnonzero(~active),
    )


def normalised_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Return the weights scaled to sum to 1 (all zero → equal weights).

    Examples
    --------
    >>> normalised_weights({"aum": 3, "tenure_months": 1})
    {'aum': 0.75, 'tenure_months': 0.25}
    >>> normalised_weights({"aum": 0, "tenure_months": 0})
    {'aum': 0.5, 'tenure_months': 0.5}
    """
    if any(not math.isfinite(w) or w < 0 for w in weights.values()):
        raise ValueError("weights must be non-negative numbers")
    if not weights:
        return {}
    total = math.fsum(weights.values())
    if total <= 0:
        return {name: 1 / len(weights) for name in weights}
    return {name: w / total for name, w in weights.items()}


def _largest_remainder(shares: Mapping[str, float], total: int) -> dict[str, int]:
    """Integers proportional to ``shares`` summing exactly to ``total`` (ties to the earlier key)."""
    names = list(shares)
    if not names:
        return {}
    norm = normalised_weights(shares)
    raw = [norm[n] * total for n in names]
    floors = [math.floor(r) for r in raw]
    left = total - sum(floors)
    order = sorted(range(len(names)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return dict(zip(names, floors, strict=True))


def weight_percentages(weights: Mapping[str, float]) -> dict[str, int]:
    """Return whole percentages proportional to the weights, summing to exactly 100.

    Examples
    --------
    >>> weight_percentages({"a": 1, "b": 1, "c": 1})
    {'a': 34, 'b': 33, 'c': 33}
    """
    return _largest_remainder(weights, 100)


def rebalanced_percentages(percentages: Mapping[str, float], changed: str, value: float) -> dict[str, int]:
    """Return slider percentages after one slider moved, the others rescaled to keep 100.

    The moved slider keeps its new value (rounded, clipped to 0–100, or 100 when it is the
    only one); the others share the rest in proportion to their previous values (equally
    when those were all zero), rounded by largest remainder so the total is exactly 100.

    Examples
    --------
    >>> rebalanced_percentages({"aum": 50, "products_held": 30, "tenure_months": 20}, "aum", 70)
    {'aum': 70, 'products_held': 18, 'tenure_months': 12}
    """
    if changed not in percentages:
        raise ValueError(f"unknown slider {changed!r}")
    others = {name: max(float(p), 0.0) for name, p in percentages.items() if name != changed}
    moved = 100 if not others else min(max(round(value), 0), 100)
    result = {changed: moved}
    result.update(_largest_remainder(others, 100 - moved))
    return {name: result[name] for name in percentages}


CHUNK_ROWS = 1 << 16
"""Rows classed at a time: their intermediates stay in the CPU cache at any bank size."""


def value_scores(matrix: ValueMatrix, weights: Mapping[str, float]) -> np.ndarray:
    """Return each customer's value score in [0, 1] (``float32``; NaN for inactive customers).

    Weights of indicators the matrix lacks are ignored; the rest are normalised to sum to 1.
    """
    present = {name: float(weights.get(name, 0.0)) for name in matrix.indicators}
    w = normalised_weights(present)
    vector = np.array([w[name] for name in matrix.indicators], dtype=np.float32)
    # Indicator by indicator over the indicator-major view, in chunks: contiguous passes, no BLAS
    # thread start-up (which costs more than the product itself at a million rows), and the
    # running sum read from cache rather than memory at any bank size.
    by_indicator = matrix.matrix.T  # (indicators, customers), each row contiguous
    scores = np.empty(by_indicator.shape[1], dtype=np.float32)
    scratch = np.empty(min(CHUNK_ROWS, len(scores)), dtype=np.float32)
    for lo in range(0, len(scores), CHUNK_ROWS):  # a chunk's sum stays in cache across the indicators
        out = scores[lo : lo + CHUNK_ROWS]
        if len(vector):
            np.multiply(by_indicator[0, lo : lo + CHUNK_ROWS], vector[0], out=out)
        else:
            out.fill(0.0)
        for j in range(1, len(vector)):
            part = scratch[: len(out)]
            np.multiply(by_indicator[j, lo : lo + CHUNK_ROWS], vector[j], out=part)
            out += part
    scores[matrix.unassigned] = np.nan
    return scores


def _top_share_cutoffs(scores: np.ndarray, shares: tuple[float, ...]) -> np.ndarray:
    """Score cut-offs so the classes from the top hold ``shares`` of scored customers."""
    known = scores[~np.isnan(scores)]
    n = len(known)
    cumulative = np.cumsum(shares)  # from the highest class down
    cutoffs = []
    for fraction in cumulative:
        k = min(n, math.ceil(round(fraction * n, 9)))
        cutoffs.append(np.inf if k == 0 else np.partition(known, n - k)[n - k])
    return np.array(cutoffs[::-1], dtype=np.float64)


def value_classes(scores: np.ndarray, config: ValueConfig = DEFAULT_VALUE) -> Segmentation:
    """Return value classes from scores, by cut-offs or by top shares.

    A score exactly on a cut-off goes to the upper class. With ``top_shares``, the cut-off
    is the score of the last customer inside the share, so ties at the boundary all move up
    and a class can be slightly larger than its share.

    Examples
    --------
    >>> value_classes(np.array([0.1, 0.35, 0.6, 0.9, np.nan], dtype=np.float32)).codes.tolist()
    [0, 1, 2, 3, -1]
    """
    if config.method == "cutoffs":
        cutoffs = np.asarray(config.cutoffs, dtype=np.float32)
    else:
        cutoffs = _top_share_cutoffs(scores, config.top_shares).astype(np.float32)
    codes = np.zeros(len(scores), dtype=np.int8)
    for lo in range(0, len(scores), CHUNK_ROWS):  # each chunk read from memory once, then from cache
        part, out = scores[lo : lo + CHUNK_ROWS], codes[lo : lo + CHUNK_ROWS]
        for cut in cutoffs:
            out += (part >= cut).view(np.int8)
        # A NaN score fails every comparison (code 0), so subtracting 1 marks it -1 (NOT_ASSIGNED).
        out -= np.isnan(part).view(np.int8)
    return Segmentation(codes, config.labels)


def value_segments(matrix: ValueMatrix, config: ValueConfig = DEFAULT_VALUE) -> Segmentation:
    """Return value classes for a config: the weight change path (product + cut)."""
    return value_classes(value_scores(matrix, config.weight_map), config)
