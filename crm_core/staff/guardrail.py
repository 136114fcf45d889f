"""The guardrail: units strong on sales indicators but weak on what customers experience.

A sales-quota scorecard rewards exactly these units; the Wells Fargo cross-selling scandal
(USD 185M in penalties, 2016) is where that leads when nobody looks at the other side.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.staff.config import DEFAULT_GUARDRAIL, INDICATOR_BY_NAME, LOWER, GuardrailConfig
from crm_core.staff.indicators import Scorecard

GUARDRAIL_WORDS: dict[str, tuple[str, str]] = {
    "aum_growth": ("AUM growth", "资产增长"),
    "deposit_growth": ("deposit growth", "存款增长"),
    "high_value_growth": ("high-value customer growth", "高价值客户增长"),
    "new_customers": ("new customers", "新增客户"),
    "new_customer_rate": ("new-customer rate", "新客率"),
    "cross_sell_ratio": ("cross-sell ratio", "交叉销售率"),
    "products_sold": ("products sold", "产品销售"),
    "complaints_per_100": ("complaints", "投诉"),
    "retention": ("retention", "留存"),
    "satisfaction": ("satisfaction", "满意度"),
    "products_used_share": ("products used", "产品使用"),
    "silent_attrition_share": ("silent attrition", "静默流失"),
    "digital_adoption": ("digital adoption", "数字化使用"),
}
"""Short, in-sentence names of the indicators (English, Chinese)."""


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


def _words(names: list[str], lang: str) -> str:
    words = [GUARDRAIL_WORDS[n][1 if lang == "zh" else 0] for n in names]
    if lang == "zh":
        return "、".join(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _group_name(fraction: float, top: bool, lang: str) -> str:
    if abs(fraction - 1 / 3) < 1e-9:
        return ("前三分之一" if top else "后三分之一") if lang == "zh" else ("top third" if top else "bottom third")
    share = f"{fraction * 100:.0f}%"
    return (f"前{share}" if top else f"后{share}") if lang == "zh" else (f"top {share}" if top else f"bottom {share}")


def guardrail_sentence(unit: str, strong: list[str], weak: list[str], fraction: float = 1 / 3, lang: str = "en") -> str:
    """Return the guardrail sentence of one unit.

    Examples
    --------
    >>> guardrail_sentence("Ningbo Haishu", ["aum_growth"], ["complaints_per_100", "retention"])
    'Ningbo Haishu: top third for AUM growth but bottom third for complaints and retention'
    >>> guardrail_sentence("Ningbo Haishu", ["aum_growth"], ["complaints_per_100", "retention"], lang="zh")
    'Ningbo Haishu：资产增长位列前三分之一，但投诉、留存位列后三分之一'
    """
    top, bottom = _group_name(fraction, True, lang), _group_name(fraction, False, lang)
    if lang == "zh":
        return f"{unit}：{_words(strong, lang)}位列{top}，但{_words(weak, lang)}位列{bottom}"
    return f"{unit}: {top} for {_words(strong, lang)} but {bottom} for {_words(weak, lang)}"


def _group_score(scorecard: Scorecard, names: tuple[str, ...]) -> np.ndarray:
    """Equal-weight mean (0–100) of the normalised indicators in ``names`` that each unit has."""
    columns = [scorecard.indicators.index(n) for n in names if n in scorecard.indicators]
    if not columns:
        return np.full(len(scorecard.units), np.nan)
    total = scorecard.matrix[:, columns].sum(axis=1)
    count = scorecard.present[:, columns].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, 100.0 * total / np.where(count > 0, count, 1), np.nan)


def guardrail_flags(
    scorecard: Scorecard, config: GuardrailConfig = DEFAULT_GUARDRAIL, lang: str = "en"
) -> pd.DataFrame:
    """Return every unit's sales and customer-outcome scores and whether the guardrail flags it.

    Parameters
    ----------
    scorecard : Scorecard
        The per-dataset scorecard (raw values decide the groups, whatever the normalisation).
    config : GuardrailConfig
        Sales and outcome indicators and the group fraction.
    lang : {"en", "zh"}
        Language of ``sentence``.

    Returns
    -------
    pandas.DataFrame
        One row per unit in ``scorecard.units`` order: ``unit``, ``sales_score`` and
        ``outcome_score`` (equal-weight means of the normalised indicators, 0–100),
        ``flagged``, ``strong_on`` and ``weak_on`` (indicator names joined by ``,``),
        ``sentence`` ('' when not flagged).
    """
    n = len(scorecard.units)
    strong: list[list[str]] = [[] for _ in range(n)]
    weak: list[list[str]] = [[] for _ in range(n)]
    for names, target, use_best in ((config.sales, strong, True), (config.outcomes, weak, False)):
        for name in names:
            if name not in scorecard.indicators:
                continue
            values = scorecard.values[name].to_numpy(dtype=float)
            best, worst = extreme_groups(values, config.fraction, INDICATOR_BY_NAME[name].direction == LOWER)
            for row in np.flatnonzero(best if use_best else worst):
                target[row].append(name)
    need_strong = min(config.min_strong, sum(n in scorecard.indicators for n in config.sales))
    need_weak = min(config.min_weak, sum(n in scorecard.indicators for n in config.outcomes))
    flagged = np.array(
        [bool(s and w) and len(s) >= need_strong and len(w) >= need_weak for s, w in zip(strong, weak, strict=True)],
        dtype=bool,
    )
    return pd.DataFrame(
        {
            "unit": pd.array(scorecard.units, dtype="string"),
            "sales_score": _group_score(scorecard, config.sales),
            "outcome_score": _group_score(scorecard, config.outcomes),
            "flagged": flagged,
            "strong_on": pd.array([",".join(s) for s in strong], dtype="string"),
            "weak_on": pd.array([",".join(w) for w in weak], dtype="string"),
            "sentence": pd.array(
                [
                    guardrail_sentence(unit, s, w, config.fraction, lang) if flag else ""
                    for unit, s, w, flag in zip(scorecard.units, strong, weak, flagged, strict=True)
                ],
                dtype="string",
            ),
        }
    )
