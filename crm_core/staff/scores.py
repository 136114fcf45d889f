"""The cheap per-control step: weights → scores → ranks, on the precomputed normalised matrix.

A weight change is two matrix-vector products (weighted sum of the normalised values and of
the "value present" mask, so each unit's score is renormalised over the indicators it has)
and one ``lexsort``; the customers are never touched again.

Ties are ranked deterministically: by score (rounded to 1e-9, so float noise cannot split a
tie), then by active customers (larger first: a bigger book carries more evidence), then by
unit name (alphabetical).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from crm_core.messages import Message
from crm_core.segments.value import rebalanced_percentages, weight_percentages
from crm_core.staff.config import INDICATOR_BY_NAME, INDICATOR_TERMS, PERSPECTIVES, WeightPreset, listed
from crm_core.staff.indicators import Scorecard
from crm_core.staff.ranks import change_ranges, rank_intervals, ranks_of, weighted_scores


def rebalanced_weights(current: Mapping[str, int], changed: str, value: int) -> dict[str, int]:
    """Return whole-percentage weights after one slider moved; the total stays exactly 100.

    The moved weight keeps its new value (clipped to 0–100); the others share the rest in
    proportion to their previous values (equally when those were all zero), rounded by
    largest remainder. Delegates to ``crm_core.segments.value.rebalanced_percentages``.

    Examples
    --------
    >>> rebalanced_weights({"retention": 50, "aum_growth": 30, "satisfaction": 20}, "retention", 70)
    {'retention': 70, 'aum_growth': 18, 'satisfaction': 12}
    """
    return rebalanced_percentages(current, changed, value)


def scorecard_weights(scorecard: Scorecard, weights: Mapping[str, float] | WeightPreset) -> dict[str, int]:
    """Return slider weights over the scorecard's available indicators, totalling exactly 100.

    Weights of indicators the dataset lacks are dropped and the rest rescaled (largest
    remainder); indicators without a weight get 0. All zero gives equal weights.

    Examples
    --------
    >>> import pandas as pd
    >>> from crm_core.staff.indicators import scorecard_from_customers
    >>> customers = pd.DataFrame({"aum": [1.0], "aum_12m_ago": [1.0], "is_active": True,
    ...     "alive_12m_ago": True, "closed_last_12m": False, "churned": False})
    >>> card = scorecard_from_customers(customers, pd.Timestamp("2026-03-01"))
    >>> scorecard_weights(card, {"aum_growth": 30, "retention": 10, "deposit_growth": 60})
    {'aum_growth': 75, 'high_value_growth': 0, 'retention': 25}
    """
    given = weights.weight_map if isinstance(weights, WeightPreset) else dict(weights)
    _check_names(given)
    present = {name: float(given.get(name, 0.0)) for name in scorecard.indicators}
    if not present:
        return {}
    return weight_percentages(present)


def perspective_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Return the total weight per balanced-scorecard perspective, in ``PERSPECTIVES`` order.

    Examples
    --------
    >>> perspective_weights({"aum_growth": 40, "retention": 35, "satisfaction": 25})
    {'financial': 40.0, 'customer': 60.0, 'internal_process': 0.0, 'learning_growth': 0.0}
    """
    _check_names(weights)
    totals = dict.fromkeys(PERSPECTIVES, 0.0)
    for name, weight in weights.items():
        totals[INDICATOR_BY_NAME[name].perspective] += float(weight)
    return totals


def _check_names(weights: Mapping[str, float]) -> None:
    unknown = [name for name in weights if name not in INDICATOR_BY_NAME]
    if unknown:
        raise ValueError(f"unknown indicators in weights: {unknown}")
    if any(not math.isfinite(float(w)) or float(w) < 0 for w in weights.values()):
        raise ValueError("weights must be non-negative numbers")


def weight_vector(scorecard: Scorecard, weights: Mapping[str, float]) -> np.ndarray:
    """Return the weights aligned with ``scorecard.indicators`` as ``float64`` fractions of 1.

    Unknown indicator names raise ``ValueError``; weights of unavailable indicators are
    ignored. All zero gives zeros (every unit then scores NaN).
    """
    _check_names(weights)
    vector = np.array([float(weights.get(name, 0.0)) for name in scorecard.indicators], dtype=np.float64)
    total = vector.sum()
    return vector / total if total > 0 else vector


def unit_scores(scorecard: Scorecard, weights: Mapping[str, float]) -> np.ndarray:
    """Return each unit's score, 0–100, over the indicators it has (weights renormalised).

    ``score = 100 · (M · w) / (P · w)`` with ``M`` the normalised matrix (0 where missing)
    and ``P`` the 0/1 mask of present values; NaN when no weighted indicator is present.

    Parameters
    ----------
    scorecard : Scorecard
        The per-dataset scorecard.
    weights : mapping of str to float
        Weight per indicator (any scale; whole percentages from the sliders).

    Returns
    -------
    numpy.ndarray
        ``float64``, one score per unit in ``scorecard.units`` order.
    """
    return weighted_scores(scorecard.matrix, scorecard.present, weight_vector(scorecard, weights))


def unit_ranks(scorecard: Scorecard, scores: np.ndarray) -> np.ndarray:
    """Return the rank (1 = best) of each unit; NaN scores rank last; units not ranked after all.

    Ties: by score rounded to ``SCORE_DECIMALS``, then more active customers first, then
    unit name (``scorecard.units`` is sorted, so its position is the name order). Units
    below ``config.min_unit_customers`` (``Scorecard.ranked`` False) are numbered after the
    ranked ones only to keep whole numbers; they are not ranked.
    """
    return ranks_of(scores, scorecard.tie_order, scorecard.ranked)


def perspective_scores(scorecard: Scorecard, weights: Mapping[str, float]) -> pd.DataFrame:
    """Return sub-scores (0–100) per perspective: weighted mean over that perspective's indicators.

    A perspective with no weight, or with none of its weighted indicators present for a
    unit, is NaN. Index: ``scorecard.units``; columns: ``PERSPECTIVES``.
    """
    vector = weight_vector(scorecard, weights)
    membership = np.array(
        [[INDICATOR_BY_NAME[name].perspective == p for p in PERSPECTIVES] for name in scorecard.indicators],
        dtype=np.float64,
    ).reshape(len(scorecard.indicators), len(PERSPECTIVES))
    scores = weighted_scores(scorecard.matrix, scorecard.present, vector[:, None] * membership)
    return pd.DataFrame(scores, index=scorecard.values.index, columns=list(PERSPECTIVES))


def unit_notes(scorecard: Scorecard, weights: Mapping[str, float]) -> list[Message | None]:
    """Return one note per unit (None when none): the weighted indicators it lacks.

    Units too small to rank need no note of their own: they are folded into one row
    (``crm_core.staff.view``) whose label says why.

    Examples
    --------
    >>> import pandas as pd
    >>> from crm_core.messages import render
    >>> from crm_core.staff.indicators import scorecard_from_customers
    >>> customers = pd.DataFrame({"branch": ["N", "S"], "aum": [1.0, 1.0], "aum_12m_ago": [1.0, 0.0],
    ...     "is_active": True, "alive_12m_ago": True, "closed_last_12m": False})
    >>> notes = unit_notes(scorecard_from_customers(customers, pd.Timestamp("2026-03-01")), {"aum_growth": 100})
    >>> notes[0], render(notes[1], "en")
    (None, 'Too little data for AUM growth: score has no weighted indicator.')
    """
    vector = weight_vector(scorecard, weights)
    missing = (scorecard.present == 0) & (vector > 0)
    scored = (scorecard.present @ vector) > 0
    # Units share few patterns of missing indicators: build each pattern's note once.
    pattern = missing.astype(np.int64) @ (1 << np.arange(len(scorecard.indicators), dtype=np.int64))
    patterns, inverse = np.unique(pattern * 2 + scored, return_inverse=True)
    notes: list[Message | None] = []
    for code in patterns:
        lacking = [n for j, n in enumerate(scorecard.indicators) if (int(code) >> 1) & (1 << j)]
        if not lacking:
            notes.append(None)
            continue
        tail = Message("staff_note_renormalised") if code & 1 else Message("staff_note_unscored")
        notes.append(Message("staff_note_lacking", indicators=listed([INDICATOR_TERMS[n] for n in lacking]), tail=tail))
    return [notes[i] for i in inverse.ravel()]


def ranking_table(
    scorecard: Scorecard,
    weights: Mapping[str, float],
    baseline: Mapping[str, float],
) -> pd.DataFrame:
    """Return the ranking under ``weights`` next to the ranking under ``baseline``.

    Parameters
    ----------
    scorecard : Scorecard
        The per-dataset scorecard.
    weights, baseline : mapping of str to float
        Current weights and the baseline's (e.g. ``DEPOSIT_SALES.weight_map``).

    Returns
    -------
    pandas.DataFrame
        Sorted by ``rank``; columns ``unit``, ``rank``, ``baseline_rank``, ``rank_change``
        (positive = moved up; 0 for units not ranked), ``score``, ``baseline_score``, one
        sub-score per perspective, ``customers``, ``small_unit``, ``note`` (a ``Message`` or
        None: the weighted indicators a unit lacks), then
        ``ranked`` (False below ``config.min_unit_customers``: show "not ranked"; their
        ``rank`` only continues the numbering), ``rank_low`` and ``rank_high`` (the 90%
        rank range), ``baseline_rank_low``, ``baseline_rank_high``, ``rank_change_low`` and
        ``rank_change_high`` (range of the change over the same resamples), all nullable
        ``Int64``, missing for units not ranked. Every unit is a row, the small ones with their
        own figures: what a surface shows is ``crm_core.staff.view.folded_ranking`` of it.
    """
    current = rank_intervals(scorecard, weights)
    base = rank_intervals(scorecard, baseline)
    ranked = scorecard.ranked
    table = pd.DataFrame(
        {
            "unit": pd.array(scorecard.units, dtype="string"),
            "rank": current.rank,
            "baseline_rank": base.rank,
            "rank_change": np.where(ranked, base.rank - current.rank, 0),
            "score": current.score,
            "baseline_score": base.score,
        }
    )
    sub = perspective_scores(scorecard, weights).reset_index(drop=True)
    table = pd.concat([table, sub], axis=1)
    table["customers"] = scorecard.customers
    table["small_unit"] = scorecard.small
    table["note"] = pd.Series(unit_notes(scorecard, weights), dtype=object)
    table["ranked"] = ranked
    change_low, change_high = change_ranges(current, base)
    for column, values in (
        ("rank_low", current.low),
        ("rank_high", current.high),
        ("baseline_rank_low", base.low),
        ("baseline_rank_high", base.high),
        ("rank_change_low", change_low),
        ("rank_change_high", change_high),
    ):
        table[column] = pd.array(np.round(values), dtype="Int64")
    return table.sort_values("rank", kind="stable").reset_index(drop=True)


def rank_movers(table: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """Return the ``n`` ranked units whose rank moved most (by absolute change, then current rank).

    Units the table marks as not ranked (``ranked`` False) never move.

    Examples
    --------
    >>> table = pd.DataFrame({"unit": ["a", "b", "c"], "rank": [1, 2, 3], "rank_change": [2, -1, -1]})
    >>> rank_movers(table, 2)["unit"].tolist()
    ['a', 'b']
    """
    moved = table[table["rank_change"] != 0]
    if "ranked" in moved:
        moved = moved[moved["ranked"].to_numpy(dtype=bool)]
    order = np.lexsort((moved["rank"].to_numpy(), -np.abs(moved["rank_change"].to_numpy())))
    return moved.iloc[order[:n]].reset_index(drop=True)


def clear_movers(table: pd.DataFrame) -> pd.DataFrame:
    """Return the movers whose change range excludes 0 (all movers when the table has no ranges).

    Examples
    --------
    >>> table = pd.DataFrame({"unit": ["a", "b"], "rank": [1, 2], "rank_change": [1, -1],
    ...     "rank_change_low": [1, -3], "rank_change_high": [2, 1]})
    >>> clear_movers(table)["unit"].tolist()
    ['a']
    """
    movers = rank_movers(table, len(table))
    if "rank_change_low" not in movers:
        return movers
    low = movers["rank_change_low"].astype("Float64").fillna(0).to_numpy(dtype=float)
    high = movers["rank_change_high"].astype("Float64").fillna(0).to_numpy(dtype=float)
    return movers[(low > 0) | (high < 0)].reset_index(drop=True)


def movers_message(table: pd.DataFrame, baseline: object, current: object, n: int = 3) -> Message:
    """Return one message naming the biggest risers and fallers whose move is beyond its noise.

    With rank-change ranges in the table (``ranking_table``), only moves whose 90% range
    excludes 0 are named; when ranks move but none clearly, the message says so.
    ``baseline`` and ``current`` name the two assessments (terms or plain text).

    Examples
    --------
    >>> from crm_core.messages import render
    >>> table = pd.DataFrame({"unit": ["a", "b"], "rank": [1, 2], "baseline_rank": [2, 1], "rank_change": [1, -1]})
    >>> render(movers_message(table, "Deposit", "Balanced"), "en")
    'From Deposit to Balanced: a rises 2→1; b falls 1→2.'
    """
    names = {"baseline": baseline, "current": current}
    if rank_movers(table, 1).empty:
        return Message("staff_movers_none", **names)
    movers = clear_movers(table)
    if movers.empty:
        return Message("staff_movers_unclear", **names)
    up = movers[movers["rank_change"] > 0].head(n)
    down = movers[movers["rank_change"] < 0].head(n)
    parts = [
        Message("staff_mover_up", unit=str(r.unit), before=int(r.baseline_rank), after=int(r.rank))
        for r in up.itertuples()
    ]
    parts += [
        Message("staff_mover_down", unit=str(r.unit), before=int(r.baseline_rank), after=int(r.rank))
        for r in down.itertuples()
    ]
    return Message("staff_movers", moves=_joined(parts), **names)


def _joined(parts: list[Message]) -> Message:
    """``a; b; c`` in the catalog's separator, as nested messages."""
    if len(parts) == 1:
        return parts[0]
    return Message("staff_movers_joined", first=parts[0], rest=_joined(parts[1:]))


def selected_units(table: pd.DataFrame, limit: int = 30, always: Sequence[str] = ()) -> list[str]:
    """Return at most ``limit`` units to chart: ``always`` first, then the biggest movers, then the top ranks."""
    chosen = [u for u in always if u in set(table["unit"])]
    for unit in [*rank_movers(table, len(table))["unit"], *table["unit"]]:
        if len(chosen) >= limit:
            break
        if unit not in chosen:
            chosen.append(unit)
    return chosen
