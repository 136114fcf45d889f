"""Who moves where when a scheme changes: migration matrices and a plain sentence about them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.messages import Count, Message, Money, Term
from crm_core.segments.config import TierConfig
from crm_core.segments.tiers import tier_terms


def migration_matrix(
    codes_from: np.ndarray,
    codes_to: np.ndarray,
    aum: np.ndarray,
    labels_from: tuple[str, ...] | list[str],
    labels_to: tuple[str, ...] | list[str],
    unassigned_label: str = "not assigned",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return customers and AUM moving from each group (rows) to each group (columns).

    Parameters
    ----------
    codes_from, codes_to : numpy.ndarray
        Codes of the same customers before and after (``-1`` = not assigned). Pass only the
        customers you mean (e.g. active ones).
    aum : numpy.ndarray
        AUM per customer (NaN counts as 0).
    labels_from, labels_to : sequence of str
        Group names in code order.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Counts (``int64``) and AUM (``float64``), index ``labels_from``, columns ``labels_to``,
        each with an extra ``unassigned_label`` row / column only when some code is ``-1``.
        The counts sum to the number of customers.

    Examples
    --------
    >>> counts, _ = migration_matrix(np.array([0, 1, 1]), np.array([0, 0, 1]), np.ones(3), ["a", "b"], ["a", "b"])
    >>> counts.to_numpy().tolist()
    [[1, 0], [1, 1]]
    """
    codes_from, codes_to = np.asarray(codes_from), np.asarray(codes_to)
    if not len(codes_from) == len(codes_to) == len(aum):
        raise ValueError("codes_from, codes_to and aum must have one entry per customer")
    rows, cols = list(labels_from), list(labels_to)
    if (codes_from < 0).any():
        rows.append(unassigned_label)
    if (codes_to < 0).any():
        cols.append(unassigned_label)
    r = np.where(codes_from < 0, len(labels_from), codes_from).astype(np.intp)
    c = np.where(codes_to < 0, len(labels_to), codes_to).astype(np.intp)
    width = len(labels_to) + 1
    cell = r * width + c
    size = (len(labels_from) + 1) * width
    counts = np.bincount(cell, minlength=size).reshape(-1, width)[: len(rows), : len(cols)]
    money = np.bincount(cell, weights=np.nan_to_num(np.asarray(aum, dtype=float)), minlength=size)
    money = money.reshape(-1, width)[: len(rows), : len(cols)]
    index = pd.Index(rows, name="from")
    columns = pd.Index(cols, name="to")
    return (
        pd.DataFrame(counts.astype(np.int64), index=index, columns=columns),
        pd.DataFrame(money, index=index, columns=columns),
    )


def _named(label: object) -> Term | str:
    """A group as a message names it: a term (a preset tier) kept for the renderer, anything else as text."""
    return label if isinstance(label, Term) else str(label)


def _joined(items: list[Message]) -> Message | str:
    """Items joined as a language joins a list (", … and" / "，"), as nested messages."""
    joined: Message | str = items[0]
    for item in items[1:]:
        joined = Message("segments_and", head=joined, item=item)
    return joined


def tier_change_message(before: TierConfig, after: TierConfig) -> Message:
    """Return what changed between two tier configs, naming tiers by ``after``'s names (``tier_terms``).

    Examples
    --------
    >>> from crm_core.messages import render
    >>> a = TierConfig()
    >>> b = TierConfig(thresholds=(1e5, 5e5, 6e6))
    >>> render(tier_change_message(a, b), "zh")
    '将富裕客户门槛提高到10万'
    >>> render(tier_change_message(a, TierConfig(thresholds=(1e5, 5e5, 6e6))), "en")
    'raising the affluent threshold to 100K'
    """
    if before.thresholds == after.thresholds or len(before.thresholds) != len(after.thresholds):
        return Message("segments_new_tiers")
    changes = []
    for i, (old, new) in enumerate(zip(before.thresholds, after.thresholds, strict=True)):
        if old != new:
            fields = {"label": tier_terms(after)[i + 1], "amount": Money(new, currency="")}
            raised = new > old
            changes.append(
                Message("segments_tier_raised", **fields) if raised else Message("segments_tier_lowered", **fields)
            )
    return _joined(changes)


def _flow(direction: str, one: bool, fields: dict) -> Message:
    """One move between groups: up, down or across (axes that do not share labels), one customer or several."""
    if direction == "up":
        return Message("segments_flow_up_one", **fields) if one else Message("segments_flow_up", **fields)
    if direction == "down":
        return Message("segments_flow_down_one", **fields) if one else Message("segments_flow_down", **fields)
    return Message("segments_flow_across_one", **fields) if one else Message("segments_flow_across", **fields)


def migration_message(counts: pd.DataFrame, aum: pd.DataFrame, change: Message | str, max_flows: int = 2) -> Message:
    """Return the largest moves between groups as one sentence, rendered at the edge.

    Parameters
    ----------
    counts, aum : pandas.DataFrame
        From ``migration_matrix``, rows and columns named as the reader sees them.
    change : Message or str
        What changed, e.g. ``tier_change_message``.
    max_flows : int
        How many of the largest moves to name.

    Returns
    -------
    Message
        E.g. "raising the affluent threshold to 600K moves 1,240 customers (¥310M AUM) down to
        mass". "up"/"down" is said when both axes share labels (a later label is higher);
        otherwise "from X to Y".
    """
    rows, cols = list(counts.index), list(counts.columns)
    ranked = [label for label in rows if label in cols]
    same = [label for label in cols if label in rows] == ranked and ranked == rows[: len(ranked)]
    flows = []
    for i, source in enumerate(counts.index):
        for j, target in enumerate(counts.columns):
            if source != target and counts.iat[i, j] > 0:
                flows.append((-int(counts.iat[i, j]), i, j, source, target))
    if not flows:
        return Message("segments_moves_none", change=change)
    flows.sort()
    phrases = []
    for negative, i, j, source, target in flows[:max_flows]:
        n, money = -negative, float(aum.iat[i, j])
        direction = ("up" if j > i else "down") if same and i < len(ranked) and j < len(ranked) else "across"
        fields = {"count": Count(n), "aum": Money(money), "source": _named(source), "target": _named(target)}
        phrases.append(_flow(direction, n == 1, fields))
    return Message("segments_moves", change=change, flows=_joined(phrases))
