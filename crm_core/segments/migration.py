"""Who moves where when a scheme changes: migration matrices and a plain sentence about them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.formatting import format_count, format_money
from crm_core.segments.config import TierConfig


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


def _threshold_words(value: float, lang: str) -> str:
    return format_money(value, lang, currency="")


def tier_change_phrase(before: TierConfig, after: TierConfig) -> dict[str, str]:
    """Return what changed between two tier configs as a phrase, in English and Chinese.

    Examples
    --------
    >>> a = TierConfig()
    >>> b = TierConfig(thresholds=(1e5, 5e5, 6e6))
    >>> tier_change_phrase(a, b)["en"]
    'raising the affluent threshold to 100K'
    >>> tier_change_phrase(a, b)["zh"]
    '将affluent门槛提高到10万'
    """
    if before.thresholds == after.thresholds or len(before.thresholds) != len(after.thresholds):
        return {"en": "the new tier settings", "zh": "新的分层设置"}
    changed = [i for i, (a, b) in enumerate(zip(before.thresholds, after.thresholds, strict=True)) if a != b]
    en, zh = [], []
    for i in changed:
        up = after.thresholds[i] > before.thresholds[i]
        label = after.labels[i + 1]
        en.append(
            f"{'raising' if up else 'lowering'} the {label} threshold to {_threshold_words(after.thresholds[i], 'en')}"
        )
        zh.append(f"将{label}门槛{'提高' if up else '降低'}到{_threshold_words(after.thresholds[i], 'zh')}")
    return {"en": " and ".join(en), "zh": "，".join(zh)}


def migration_sentence(
    counts: pd.DataFrame,
    aum: pd.DataFrame,
    change: dict[str, str],
    max_flows: int = 2,
) -> dict[str, str]:
    """Return the largest moves between groups as one plain sentence, in English and Chinese.

    Parameters
    ----------
    counts, aum : pandas.DataFrame
        From ``migration_matrix``.
    change : dict
        ``{"en": …, "zh": …}`` naming the change, e.g. from ``tier_change_phrase``.
    max_flows : int
        How many of the largest moves to name.

    Returns
    -------
    dict
        ``{"en": "raising the affluent threshold to 600K moves 1,240 customers (¥310M AUM)
        down to mass", "zh": …}``. "up"/"down" is said when both axes share labels (a later
        label is higher); otherwise "from X to Y".
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
        return {"en": f"{change['en']} moves no customers", "zh": f"{change['zh']}，没有客户变动层级"}
    flows.sort()
    en, zh = [], []
    for negative, i, j, source, target in flows[:max_flows]:
        n, money = -negative, float(aum.iat[i, j])
        customers = "customer" if n == 1 else "customers"
        if same and i < len(ranked) and j < len(ranked):
            direction_en = "up" if j > i else "down"
            en.append(f"{format_count(n)} {customers} ({format_money(money, 'en')} AUM) {direction_en} to {target}")
            verb = "升" if j > i else "降"
            zh.append(f"{format_count(n, 'zh')}名客户（资产{format_money(money, 'zh')}）从{source}{verb}至{target}")
        else:
            en.append(f"{format_count(n)} {customers} ({format_money(money, 'en')} AUM) from {source} to {target}")
            zh.append(f"{format_count(n, 'zh')}名客户（资产{format_money(money, 'zh')}）从{source}转入{target}")
    return {"en": f"{change['en']} moves " + " and ".join(en), "zh": f"{change['zh']}，" + "，".join(zh)}
