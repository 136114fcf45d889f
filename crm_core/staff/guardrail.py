"""The guardrail: units strong on sales indicators but weak on what customers experience.

A sales-quota scorecard rewards exactly these units; the Wells Fargo cross-selling scandal
(USD 185M in penalties, 2016) is where that leads when nobody looks at the other side.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crm_core.messages import Message, Share, Term
from crm_core.staff.config import DEFAULT_GUARDRAIL, INDICATOR_BY_NAME, LOWER, GuardrailConfig, listed
from crm_core.staff.indicators import Scorecard

GUARDRAIL_WORDS: dict[str, Term] = {
    "aum_growth": Term("staff_word_aum_growth"),
    "deposit_growth": Term("staff_word_deposit_growth"),
    "high_value_growth": Term("staff_word_high_value_growth"),
    "new_customers": Term("staff_word_new_customers"),
    "new_customer_rate": Term("staff_word_new_customer_rate"),
    "cross_sell_ratio": Term("staff_word_cross_sell_ratio"),
    "products_sold": Term("staff_word_products_sold"),
    "complaints_per_100": Term("staff_word_complaints_per_100"),
    "retention": Term("staff_word_retention"),
    "satisfaction": Term("staff_word_satisfaction"),
    "products_used_share": Term("staff_word_products_used_share"),
    "silent_attrition_share": Term("staff_word_silent_attrition_share"),
    "digital_adoption": Term("staff_word_digital_adoption"),
}
"""Short, in-sentence names of the indicators, as catalog terms (the registry of these runtime keys)."""


def extreme_groups(values: np.ndarray, fraction: float, lower_is_better: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Return (in best group, in worst group) masks; a group holds ``ceil(fraction · n)`` units.

    A unit is in the best group when fewer than that many units are strictly better (so
    ties at the edge are all in); NaN is in neither.

    Examples
    --------
    >>> best, worst = extreme_groups(np.array([5.0, 1.0, 3.0, np.nan]), 1 / 3)
    >>> best.tolist(), worst.tolist()
    ([True, False, False, False], [False, True, False, False])
    """
    values = np.asarray(values, dtype=float)
    known = ~np.isnan(values)
    x = -values if lower_is_better else values
    size = int(np.ceil(round(fraction * known.sum(), 9)))
    ordered = np.sort(x[known])
    better = known.sum() - np.searchsorted(ordered, x, side="right")
    worse = np.searchsorted(ordered, x, side="left")
    return known & (better < size), known & (worse < size)


def _group_name(fraction: float, top: bool) -> Message:
    if abs(fraction - 1 / 3) < 1e-9:
        return Message("staff_group_top_third") if top else Message("staff_group_bottom_third")
    if top:
        return Message("staff_group_top_share", share=Share(fraction, 0))
    return Message("staff_group_bottom_share", share=Share(fraction, 0))


def guardrail_message(unit: str, strong: Sequence[str], weak: Sequence[str], fraction: float = 1 / 3) -> Message:
    """Return the guardrail sentence of one unit, as a catalog message.

    Examples
    --------
    >>> from crm_core.messages import render
    >>> note = guardrail_message("Ningbo Haishu", ["aum_growth"], ["complaints_per_100", "retention"])
    >>> render(note, "en")
    'Ningbo Haishu: top third for AUM growth but bottom third for complaints and retention'
    >>> render(note, "zh")
    'Ningbo Haishu：金融资产增长位列前三分之一，但投诉、留存位列后三分之一'
    """
    return Message(
        "staff_guardrail_sentence",
        unit=unit,
        top=_group_name(fraction, True),
        strong=listed([GUARDRAIL_WORDS[n] for n in strong]),
        bottom=_group_name(fraction, False),
        weak=listed([GUARDRAIL_WORDS[n] for n in weak]),
    )


def _group_score(scorecard: Scorecard, names: tuple[str, ...]) -> np.ndarray:
    """Equal-weight mean (0–100) of the normalised indicators in ``names`` that each unit has."""
    columns = [scorecard.indicators.index(n) for n in names if n in scorecard.indicators]
    if not columns:
        return np.full(len(scorecard.units), np.nan)
    total = scorecard.matrix[:, columns].sum(axis=1)
    count = scorecard.present[:, columns].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, 100.0 * total / np.where(count > 0, count, 1), np.nan)


def guardrail_flags(scorecard: Scorecard, config: GuardrailConfig = DEFAULT_GUARDRAIL) -> pd.DataFrame:
    """Return every ranked unit's sales and customer-outcome scores and whether the guardrail flags it.

    Units too small to rank (``Scorecard.small``) show no figure of their own: they are left
    out, and the top and bottom groups are formed among the ranked units only.

    Parameters
    ----------
    scorecard : Scorecard
        The per-dataset scorecard (raw values decide the groups, whatever the normalisation).
    config : GuardrailConfig
        Sales and outcome indicators and the group fraction.

    Returns
    -------
    pandas.DataFrame
        One row per ranked unit in ``scorecard.units`` order: ``unit``, ``sales_score`` and
        ``outcome_score`` (equal-weight means of the normalised indicators, 0–100),
        ``flagged``, ``strong_on`` and ``weak_on`` (indicator names joined by ``,``). The
        sentence of a flagged unit is ``guardrail_message(unit, strong, weak, fraction)``.
    """
    ranked = scorecard.ranked
    n = len(scorecard.units)
    strong: list[list[str]] = [[] for _ in range(n)]
    weak: list[list[str]] = [[] for _ in range(n)]
    for names, target, use_best in ((config.sales, strong, True), (config.outcomes, weak, False)):
        for name in names:
            if name not in scorecard.indicators:
                continue
            values = np.where(ranked, scorecard.values[name].to_numpy(dtype=float), np.nan)
            best, worst = extreme_groups(values, config.fraction, INDICATOR_BY_NAME[name].direction == LOWER)
            for row in np.flatnonzero(best if use_best else worst):
                target[row].append(name)
    need_strong = min(config.min_strong, sum(n in scorecard.indicators for n in config.sales))
    need_weak = min(config.min_weak, sum(n in scorecard.indicators for n in config.outcomes))
    flagged = np.array(
        [bool(s and w) and len(s) >= need_strong and len(w) >= need_weak for s, w in zip(strong, weak, strict=True)],
        dtype=bool,
    )
    frame = pd.DataFrame(
        {
            "unit": pd.array(scorecard.units, dtype="string"),
            "sales_score": _group_score(scorecard, config.sales),
            "outcome_score": _group_score(scorecard, config.outcomes),
            "flagged": flagged,
            "strong_on": pd.array([",".join(s) for s in strong], dtype="string"),
            "weak_on": pd.array([",".join(w) for w in weak], dtype="string"),
        }
    )
    return frame[ranked].reset_index(drop=True)


def guardrail_messages(flags: pd.DataFrame, config: GuardrailConfig = DEFAULT_GUARDRAIL) -> tuple[Message, ...]:
    """Return the sentence of every flagged unit of ``guardrail_flags``, in its order."""
    flagged = flags[flags["flagged"].to_numpy(dtype=bool)]
    return tuple(
        guardrail_message(str(row.unit), str(row.strong_on).split(","), str(row.weak_on).split(","), config.fraction)
        for row in flagged.itertuples()
    )
