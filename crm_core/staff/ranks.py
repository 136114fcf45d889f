"""Ranks with their uncertainty: rank ranges from the bootstrap, and which units can be told apart.

The scorecard carries the normalised matrix of every bootstrap resample of the units'
customers (``Scorecard.replicate_matrix``), so ranks under any weights are one batched
matrix-vector product and one sort per resample. A unit's rank range is the central
``config.interval`` (90%) of its ranks over the resamples, widened to include its rank on
the data itself. Units below ``config.min_unit_customers`` active customers are not ranked.

Statements are made only where ranges separate: two units are told apart when their ranges
do not overlap. The sentence names the first- and last-ranked units, how many others each is
clearly ahead of (or behind) and how many it cannot be told apart from, and the share of all
pairs of units that can be told apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from crm_core.messages import Message, Share, Term
from crm_core.staff.indicators import Scorecard

SCORE_DECIMALS = 9
"""Scores are compared after rounding to this many decimals (ties survive float noise)."""


@dataclass(frozen=True, eq=False)
class RankIntervals:
    """Ranks under one set of weights, with their bootstrap ranges.

    Attributes
    ----------
    units : tuple of str
        ``Scorecard.units``; position ``i`` is entry ``i`` of every array.
    score : numpy.ndarray
        Score (0–100) on the data, NaN when no weighted indicator is present.
    rank : numpy.ndarray
        ``int64``: 1 … k over the ranked units; units not ranked follow (k + 1 … n, by
        score) only so the column stays whole numbers: show them as "not ranked".
    low, high : numpy.ndarray
        ``float64`` rank range (best, worst plausible rank); NaN for units not ranked.
    ranked : numpy.ndarray
        Boolean: the unit has enough customers to be ranked.
    replicate_ranks : numpy.ndarray
        ``int64`` replicates × units: rank in each resample (0 for units not ranked).
    interval : float
        Coverage of the ranges.
    """

    units: tuple[str, ...]
    score: np.ndarray
    rank: np.ndarray
    low: np.ndarray
    high: np.ndarray
    ranked: np.ndarray
    replicate_ranks: np.ndarray
    interval: float

    @property
    def median_span(self) -> float:
        """Median number of places a ranked unit's range covers (``high − low + 1``); NaN if none."""
        spans = (self.high - self.low + 1)[self.ranked]
        return float(np.median(spans)) if len(spans) else float("nan")

    def overlapping(self, position: int) -> np.ndarray:
        """Boolean per unit: another ranked unit whose range overlaps that of the unit at ``position``."""
        others = self.ranked & (np.arange(len(self.units)) != position)
        return others & (self.low <= self.high[position]) & (self.high >= self.low[position])

    @property
    def separable_share(self) -> float:
        """Share of the pairs of ranked units whose ranges do not overlap (NaN below two units)."""
        low, high = self.low[self.ranked], self.high[self.ranked]
        n = len(low)
        if n < 2:
            return float("nan")
        apart = (high[:, None] < low[None, :]) | (high[None, :] < low[:, None])
        return float(apart[np.triu_indices(n, 1)].mean())


def _weight_vector(scorecard: Scorecard, weights: Mapping[str, float]) -> np.ndarray:
    vector = np.array([float(weights.get(name, 0.0)) for name in scorecard.indicators], dtype=np.float64)
    total = vector.sum()
    return vector / total if total > 0 else vector


def weighted_scores(matrix: np.ndarray, present: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Return ``100 · (M · w) / (P · w)`` along the last axis: scores 0–100 over the indicators present.

    NaN where no weighted indicator is present. Works on units × indicators, replicates × units ×
    indicators or one row of indicators alike.

    Examples
    --------
    >>> weighted_scores(np.array([[1.0, 0.0], [0.5, 0.0]]), np.array([[1.0, 0.0], [1.0, 1.0]]), np.array([0.5, 0.5]))
    array([100.,  25.])
    """
    weighted = matrix @ vector
    covered = present @ vector
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(covered > 0, 100.0 * weighted / np.where(covered > 0, covered, 1.0), np.nan)


def ranks_of(scores: np.ndarray, tie_order: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """Return ranks (1 = best) along the last axis: ranked units first, by score, ties in ``tie_order``.

    NaN scores rank last among their kind; units not ranked come after every ranked unit.

    Examples
    --------
    >>> ranks_of(np.array([50.0, 70.0, 90.0, np.nan]), np.arange(4), np.array([True, True, False, True])).tolist()
    [2, 1, 4, 3]
    """
    key = np.where(np.isnan(scores), -np.inf, np.round(scores, SCORE_DECIMALS))
    # Unranked units sort after ranked ones: a stable sort on "ranked" first, then on score.
    ordered = np.take(key, tie_order, axis=-1)
    by_score = np.argsort(-ordered, axis=-1, kind="stable")
    order = tie_order[by_score]
    last = np.take_along_axis(~np.broadcast_to(ranked, key.shape), order, axis=-1)
    order = np.take_along_axis(order, np.argsort(last, axis=-1, kind="stable"), axis=-1)
    ranks = np.empty(key.shape, dtype=np.int64)
    positions = np.broadcast_to(np.arange(1, key.shape[-1] + 1), key.shape)
    np.put_along_axis(ranks, order, positions, axis=-1)
    return ranks


def tied_rank_bounds(scores: np.ndarray, ranked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return each ranked unit's best and worst rank per row of ``scores``, ties spanning their places.

    A unit tied with others could hold any of the tied places, so its best rank is 1 + the
    units strictly ahead and its worst the units ahead or level (itself included). A tie
    broken by name must not look like a separation: when shrinkage finds an indicator is all
    noise, every resample gives the units the same value. Units not ranked get 0.

    Examples
    --------
    >>> best, worst = tied_rank_bounds(np.array([[5.0, 5.0, 1.0, 9.0]]), np.array([True, True, True, False]))
    >>> best.tolist(), worst.tolist()
    ([[1, 1, 3, 0]], [[2, 2, 3, 0]])
    """
    scores = np.atleast_2d(scores)
    key = np.where(np.isnan(scores), -np.inf, np.round(scores, SCORE_DECIMALS))[:, ranked]
    best = np.zeros(scores.shape, dtype=np.int64)
    worst = np.zeros(scores.shape, dtype=np.int64)
    n = key.shape[1]
    for row in range(key.shape[0]):  # one sort per resample, vectorised over units
        ordered = np.sort(key[row])
        best[row, ranked] = n - np.searchsorted(ordered, key[row], side="right") + 1
        worst[row, ranked] = n - np.searchsorted(ordered, key[row], side="left")
    return best, worst


def rank_intervals(scorecard: Scorecard, weights: Mapping[str, float]) -> RankIntervals:
    """Return ranks under ``weights`` with their bootstrap rank ranges and separable groups.

    Parameters
    ----------
    scorecard : Scorecard
        The per-dataset scorecard (with its resampled matrices).
    weights : mapping of str to float
        Weight per indicator (any scale).

    Returns
    -------
    RankIntervals

    Examples
    --------
    >>> import pandas as pd
    >>> from crm_core.staff.config import ScorecardConfig
    >>> from crm_core.staff.indicators import scorecard_from_customers
    >>> customers = pd.DataFrame({"branch": ["N"] * 40 + ["S"] * 40 + ["W"] * 3,
    ...     "aum": [2.0] * 40 + [1.0] * 43, "aum_12m_ago": 1.0,
    ...     "is_active": True, "alive_12m_ago": True, "closed_last_12m": False})
    >>> card = scorecard_from_customers(customers, pd.Timestamp("2026-03-01"), config=ScorecardConfig(shrinkage=False))
    >>> ranks = rank_intervals(card, {"aum_growth": 100})
    >>> ranks.rank.tolist(), ranks.low.tolist(), ranks.high.tolist(), ranks.separable_share
    ([1, 2, 3], [1.0, 2.0, nan], [1.0, 2.0, nan], 1.0)
    """
    vector = _weight_vector(scorecard, weights)
    ranked = scorecard.ranked
    score = weighted_scores(scorecard.matrix, scorecard.present, vector)
    rank = ranks_of(score, scorecard.tie_order, ranked)
    n = len(scorecard.units)
    replicate_scores = weighted_scores(scorecard.replicate_matrix, scorecard.replicate_present, vector)
    if len(replicate_scores):
        replicate_ranks = np.where(ranked, ranks_of(replicate_scores, scorecard.tie_order, ranked), 0)
        best, worst = tied_rank_bounds(replicate_scores, ranked)
        tail = (1.0 - scorecard.config.interval) / 2
        low = np.quantile(best, tail, axis=0, method="inverted_cdf").astype(float)
        high = np.quantile(worst, 1.0 - tail, axis=0, method="inverted_cdf").astype(float)
    else:
        replicate_ranks = np.zeros((0, n), dtype=np.int64)
        low, high = rank.astype(float), rank.astype(float)
    # The range always holds the rank on the data (a resample's median can sit beside it).
    low = np.where(ranked, np.minimum(low, rank), np.nan)
    high = np.where(ranked, np.maximum(high, rank), np.nan)
    return RankIntervals(
        units=scorecard.units,
        score=score,
        rank=rank,
        low=low,
        high=high,
        ranked=ranked,
        replicate_ranks=replicate_ranks,
        interval=scorecard.config.interval,
    )


def change_ranges(current: RankIntervals, baseline: RankIntervals) -> tuple[np.ndarray, np.ndarray]:
    """Return the (low, high) range of each unit's rank change (baseline − current, positive = up).

    Both rankings come from the same resamples, so the change is measured resample by
    resample; NaN for units not ranked or without resamples.
    """
    if not len(current.replicate_ranks):
        change = (baseline.rank - current.rank).astype(float)
        return np.where(current.ranked, change, np.nan), np.where(current.ranked, change, np.nan)
    change = baseline.replicate_ranks - current.replicate_ranks
    tail = (1.0 - current.interval) / 2
    low = np.quantile(change, tail, axis=0, method="inverted_cdf").astype(float)
    high = np.quantile(change, 1.0 - tail, axis=0, method="inverted_cdf").astype(float)
    point = (baseline.rank - current.rank).astype(float)
    return (
        np.where(current.ranked, np.minimum(low, point), np.nan),
        np.where(current.ranked, np.maximum(high, point), np.nan),
    )


def range_text(low: float, high: float, not_ranked: str) -> str:
    """Return a rank range as shown: ``3–11``, ``1`` when it is one place, ``not_ranked`` when NaN.

    Examples
    --------
    >>> range_text(3.0, 11.0, "not ranked"), range_text(1.0, 1.0, "-"), range_text(float("nan"), 2.0, "not ranked")
    ('3–11', '1', 'not ranked')
    """
    if np.isnan(low) or np.isnan(high):
        return not_ranked
    return f"{low:.0f}" if low == high else f"{low:.0f}–{high:.0f}"


SEPARATION_KEYS: dict[tuple[str, str], Term] = {
    ("top", "clear"): Term("staff_separation_top_clear"),
    ("top", "some"): Term("staff_separation_top_some"),
    ("top", "none"): Term("staff_separation_top_none"),
    ("bottom", "clear"): Term("staff_separation_bottom_clear"),
    ("bottom", "some"): Term("staff_separation_bottom_some"),
    ("bottom", "none"): Term("staff_separation_bottom_none"),
}
"""Catalog key of each (end of the ranking, what its range can tell apart): the registry of these keys."""


def separation_message(intervals: RankIntervals, level: str) -> Message | None:
    """Return what the ranking can tell apart, as a catalog message.

    Names the first-ranked unit (and, from three ranked units, the last) with its range,
    how many units it is clearly ahead of (behind) and how many it cannot be told apart
    from; then the share of pairs of units whose ranges do not overlap.

    Parameters
    ----------
    intervals : RankIntervals
        Output of ``rank_intervals``.
    level : {"branch", "relationship_manager"}
        The scorecard's level (names the units).

    Returns
    -------
    Message or None
        None when fewer than two units are ranked.

    Examples
    --------
    >>> from crm_core.messages import render
    >>> ranks = RankIntervals(("a", "b"), np.array([2.0, 1.0]), np.array([1, 2]), np.array([1.0, 2.0]),
    ...     np.array([1.0, 2.0]), np.array([True, True]), np.zeros((0, 2), dtype=np.int64), 0.9)
    >>> first, pairs = render(separation_message(ranks, "branch"), "en").split(". ")
    >>> first
    'a ranks first (range 1–1), clearly ahead of all 1 other branches'
    >>> pairs.startswith("100% of the pairs of branches")
    True
    """
    ranked = np.flatnonzero(intervals.ranked)
    n = len(ranked)
    if n < 2:
        return None
    units = Term(f"level_units_{level}")
    order = ranked[np.argsort(intervals.rank[ranked], kind="stable")]
    parts = {}
    for position, end in ((order[0], "top"), (order[-1], "bottom")):
        if end == "bottom" and n < 3:
            break
        overlap = int(intervals.overlapping(position).sum())
        kind = "clear" if overlap == 0 else "none" if overlap == n - 1 else "some"
        parts[end] = Message(
            SEPARATION_KEYS[end, kind].key,
            unit=intervals.units[position],
            low=f"{intervals.low[position]:.0f}",
            high=f"{intervals.high[position]:.0f}",
            apart=n - 1 - overlap,
            overlap=overlap,
            units=units,
        )
    pairs = Message("staff_separation_pairs", share=Share(intervals.separable_share, 0), units=units)
    if "bottom" in parts:
        return Message("staff_separation_3", pairs=pairs, **parts)
    return Message("staff_separation_2", pairs=pairs, **parts)
