"""Staff scorecard definitions as data: indicators, perspectives, presets, status rules, guardrail.

Everything a manager can change is a frozen dataclass of numbers, strings and tuples, so a
scenario can save it as JSON (``crm_core.segments.config_json`` works on any of them) and
a cache can hash it. Validation happens once, in ``__post_init__``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crm_core import validation as check
from crm_core.messages import Message, Term

PERSPECTIVES: tuple[str, ...] = ("financial", "customer", "internal_process", "learning_growth")
"""The four perspectives of the balanced scorecard (Kaplan & Norton), in display order."""

PERSPECTIVE_TERMS: dict[str, Term] = {
    "financial": Term("staff_perspective_financial"),
    "customer": Term("staff_perspective_customer"),
    "internal_process": Term("staff_perspective_internal_process"),
    "learning_growth": Term("staff_perspective_learning_growth"),
}
"""Each perspective's name as a catalog term (the explicit registry of these runtime keys)."""

HIGHER, LOWER = "higher", "lower"


@dataclass(frozen=True)
class Indicator:
    """One scorecard indicator, described as data.

    Parameters
    ----------
    name : str
        Column name in the scorecard frame.
    perspective : str
        One of ``PERSPECTIVES``.
    direction : {"higher", "lower"}
        Whether a higher value is better ("lower" for complaints and silent attrition).
    unit : {"growth", "share", "count", "ratio", "per_100", "score"}
        How the value is shown: growth and share as %, the others as numbers.
    description : str
        How the value is computed, in words (English; the docs carry the detail). The display
        name is a catalog term (``INDICATOR_TERMS``).
    """

    name: str
    perspective: str
    direction: str
    unit: str
    description: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "aum_growth",
        "financial",
        HIGHER,
        "growth",
        "sum of AUM now / sum of AUM a year ago − 1, over the unit's customers (closed ones count 0 now)",
    ),
    Indicator(
        "deposit_growth",
        "financial",
        HIGHER,
        "growth",
        "sum of deposit_balance / sum of deposit_balance_12m_ago − 1 (needs both columns)",
    ),
    Indicator(
        "high_value_growth",
        "financial",
        HIGHER,
        "growth",
        "active customers with AUM ≥ threshold now / customers with AUM ≥ threshold a year ago − 1",
    ),
    Indicator(
        "new_customers",
        "customer",
        HIGHER,
        "per_100",
        "customers opened in the last 12 months × 100 / active customers (a raw count would measure size)",
    ),
    Indicator(
        "new_customer_rate",
        "customer",
        HIGHER,
        "share",
        "new customers / customers on the books a year ago",
    ),
    Indicator(
        "retention",
        "customer",
        HIGHER,
        "share",
        "1 − customers closed in the last 12 months / customers on the books a year ago",
    ),
    Indicator(
        "complaints_per_100",
        "customer",
        LOWER,
        "per_100",
        "complaints in the last 12 months × 100 / active customers",
    ),
    Indicator(
        "satisfaction",
        "customer",
        HIGHER,
        "score",
        "mean survey score (1–5) of the active customers who answered",
    ),
    Indicator(
        "cross_sell_ratio",
        "internal_process",
        HIGHER,
        "ratio",
        "products held per active customer",
    ),
    Indicator(
        "products_sold",
        "internal_process",
        HIGHER,
        "per_100",
        "net new products in the last 12 months × 100 / active customers: Σ max(0, products held now − a year"
        " ago) over active customers (a raw count would measure size)",
    ),
    Indicator(
        "products_used_share",
        "internal_process",
        HIGHER,
        "share",
        "held products that show use (see docs/staff_kpis.md for the proxy) / held products that can be checked",
    ),
    Indicator(
        "silent_attrition_share",
        "internal_process",
        LOWER,
        "share",
        "active customers whose counter visits fell, who are not digital and whose AUM fell > 10%",
    ),
    Indicator(
        "digital_adoption",
        "learning_growth",
        HIGHER,
        "share",
        "active customers with a mobile or online transaction in the last 3 months",
    ),
)
"""Every indicator the scorecard knows, in display order."""

INDICATOR_BY_NAME: dict[str, Indicator] = {i.name: i for i in INDICATORS}

INDICATOR_TERMS: dict[str, Term] = {
    "aum_growth": Term("staff_indicator_aum_growth"),
    "deposit_growth": Term("staff_indicator_deposit_growth"),
    "high_value_growth": Term("staff_indicator_high_value_growth"),
    "new_customers": Term("staff_indicator_new_customers"),
    "new_customer_rate": Term("staff_indicator_new_customer_rate"),
    "retention": Term("staff_indicator_retention"),
    "complaints_per_100": Term("staff_indicator_complaints_per_100"),
    "satisfaction": Term("staff_indicator_satisfaction"),
    "cross_sell_ratio": Term("staff_indicator_cross_sell_ratio"),
    "products_sold": Term("staff_indicator_products_sold"),
    "products_used_share": Term("staff_indicator_products_used_share"),
    "silent_attrition_share": Term("staff_indicator_silent_attrition_share"),
    "digital_adoption": Term("staff_indicator_digital_adoption"),
}
"""Each indicator's display name as a catalog term (the explicit registry of these runtime keys)."""


def listed(items: Sequence[object]) -> Message | object:
    """Return a list of terms as one catalog message: "a, b and c" / "a、b、c".

    Examples
    --------
    >>> from crm_core.messages import render
    >>> words = listed([INDICATOR_TERMS["retention"], INDICATOR_TERMS["satisfaction"], "x"])
    >>> render(words, "en"), render(words, "zh")
    ('Retention, Satisfaction and x', '客户留存率、满意度、x')
    """
    items = list(items)
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return Message("staff_list_pair", first=items[0], last=items[1])
    return Message("staff_list_more", first=items[0], rest=listed(items[1:]))


SALES_INDICATORS: tuple[str, ...] = ("aum_growth", "new_customers", "products_sold")
"""Indicators a sales-quota culture rewards (the guardrail's x-axis)."""

OUTCOME_INDICATORS: tuple[str, ...] = ("complaints_per_100", "retention", "satisfaction")
"""Indicators of what customers experience (the guardrail's y-axis)."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


LEVELS: tuple[str, ...] = ("branch", "relationship_manager")
"""Units a scorecard can rank: branches or relationship managers."""


@dataclass(frozen=True)
class SilentAttritionRule:
    """When an active customer counts as silently leaving.

    All three must hold: counter transactions in the last 12 months below the 12 months
    before (``counter_fell``), no mobile or online transaction in the last 3 months
    (``no_digital``), and AUM trend below ``aum_trend_below``.

    Examples
    --------
    >>> SilentAttritionRule().aum_trend_below
    -0.1
    """

    aum_trend_below: float = -0.10
    counter_fell: bool = True
    no_digital: bool = True

    def __post_init__(self) -> None:
        check.assign(
            self,
            aum_trend_below=check.number(self.aum_trend_below, "aum_trend_below (change)", -1, 10),
            counter_fell=check.flag(self.counter_fell, "counter_fell"),
            no_digital=check.flag(self.no_digital, "no_digital"),
        )


DEFAULT_SCORE_RANGES: tuple[tuple[str, float, float], ...] = (
    ("aum_growth", -0.20, 0.40),
    ("deposit_growth", -0.20, 0.40),
    ("high_value_growth", -0.20, 0.40),
    ("new_customers", 0.0, 20.0),
    ("new_customer_rate", 0.0, 0.20),
    ("retention", 0.80, 1.0),
    ("complaints_per_100", 80.0, 0.0),
    ("satisfaction", 3.0, 5.0),
    ("cross_sell_ratio", 1.0, 5.0),
    ("products_sold", 0.0, 60.0),
    ("products_used_share", 0.80, 1.0),
    ("silent_attrition_share", 0.05, 0.0),
    ("digital_adoption", 0.50, 1.0),
)
"""(indicator, worst, best): the span from poor to excellent a bank manager would recognise, so
0 and 1 mean the same thing in every dataset. Anchored on the status targets where there are
some (retention green at 92%, products used at 90%, silent attrition at 1%), wide enough that the
sample's branches fall inside; values beyond an end score 0 or 1."""


def _score_ranges(value: object) -> tuple[tuple[str, float, float], ...]:
    entries = check.items(value, "score_ranges", 0, len(INDICATORS))
    checked = []
    for entry in entries:
        _check(isinstance(entry, tuple | list) and len(entry) == 3, "score_ranges entries are (indicator, worst, best)")
        name, worst, best = entry
        _check(isinstance(name, str) and name in INDICATOR_BY_NAME, f"unknown indicator {check.shown(name)}")
        worst = check.number(worst, f"{name}: worst")
        best = check.number(best, f"{name}: best")
        higher = INDICATOR_BY_NAME[name].direction == HIGHER
        _check(
            best > worst if higher else best < worst,
            f"{name}: best must be beyond worst (direction {'higher' if higher else 'lower'} is better)",
        )
        checked.append((name, worst, best))
    check.distinct((c[0] for c in checked), "score_ranges indicators")
    return tuple(checked)


@dataclass(frozen=True)
class ScorecardConfig:
    """How the per-dataset scorecard is computed.

    Parameters
    ----------
    normalisation : {"range", "percentile", "minmax"}
        How each indicator is put on 0–1, 1 best. ``range`` (the default): linearly over the
        fixed range of ``score_ranges`` (worst → 0, best → 1, clipped), so a unit's score
        does not depend on the other units and a tiny spread stays tiny (products used
        99.2%–100% scores 0.96–1.0, not 0–1). ``percentile`` (rank across units) and
        ``minmax`` (across units) stretch whatever spread there is to the full scale; they
        are kept for comparison. "Lower is better" indicators are flipped so 1 is best.
    score_ranges : tuple of (str, float, float)
        ``(indicator, worst, best)`` per indicator for ``range``; ``worst > best`` when lower
        is better. See ``DEFAULT_SCORE_RANGES``.
    high_value_aum : float
        AUM (CNY) from which a customer counts as high-value (50万 by default).
    min_unit_customers : int
        Units with fewer active customers are not ranked and show no figure of their own: they fold
        into one row (``crm_core.staff.view.folded_ranking``). Customers without a unit (a blank
        branch or relationship manager) are a row of their own.
    shrinkage : bool
        Shrink each unit's indicator toward the bank's figure by its noise (empirical Bayes).
    replicates : int
        Bootstrap resamples of each unit's customers behind the rank ranges (0: none, the
        ranges collapse to the rank).
    interval : float
        Coverage of the rank range (0.9: from the 5th to the 95th percentile of the ranks).
    seed : int
        Seed of the resampling; the same data and seed give the same ranges.
    min_answers : int
        Fewest observations a rate or mean needs (satisfaction answers, customers a year
        ago, held products to check); below it the indicator is missing for that unit.
    silent_attrition : SilentAttritionRule
        The silent-attrition rule.

    Examples
    --------
    >>> ScorecardConfig(normalisation="minmax").min_unit_customers
    30
    """

    normalisation: str = "range"
    score_ranges: tuple[tuple[str, float, float], ...] = DEFAULT_SCORE_RANGES
    high_value_aum: float = 500_000.0
    min_unit_customers: int = 30
    min_answers: int = 5
    silent_attrition: SilentAttritionRule = SilentAttritionRule()
    shrinkage: bool = True
    replicates: int = 200
    interval: float = 0.9
    seed: int = 20261128

    @property
    def range_map(self) -> dict[str, tuple[float, float]]:
        """(worst, best) per indicator."""
        return {name: (worst, best) for name, worst, best in self.score_ranges}

    def __post_init__(self) -> None:
        _check(isinstance(self.silent_attrition, SilentAttritionRule), "silent_attrition must be a SilentAttritionRule")
        check.assign(
            self,
            normalisation=check.choice(self.normalisation, "normalisation", ("range", "percentile", "minmax")),
            score_ranges=_score_ranges(self.score_ranges),
            shrinkage=check.flag(self.shrinkage, "shrinkage"),
            replicates=check.whole(self.replicates, "replicates", 0, 2000),
            interval=check.number(self.interval, "interval", 0.5, 0.99),
            seed=check.whole(self.seed, "seed", 0, 2**32 - 1),
            high_value_aum=check.number(self.high_value_aum, "high_value_aum (yuan)", 0, 1e13, low_open=True),
            min_unit_customers=check.whole(self.min_unit_customers, "min_unit_customers", 1, 10_000_000),
            min_answers=check.whole(self.min_answers, "min_answers", 1, 10_000_000),
        )


@dataclass(frozen=True)
class WeightPreset:
    """A named set of whole-percentage weights (summing to 100); its name is ``PRESET_TERMS[key]``.

    Examples
    --------
    >>> preset = WeightPreset("x", (("retention", 60), ("aum_growth", 40)))
    >>> preset.weight_map
    {'retention': 60, 'aum_growth': 40}
    """

    key: str
    weights: tuple[tuple[str, int], ...]

    def __post_init__(self) -> None:
        for name, weight in self.weights:
            _check(name in INDICATOR_BY_NAME, f"unknown indicator {name!r} in preset {self.key!r}")
            _check(weight >= 0, f"negative weight for {name!r} in preset {self.key!r}")
        _check(sum(w for _, w in self.weights) == 100, f"preset {self.key!r} weights must total 100")

    @property
    def weight_map(self) -> dict[str, int]:
        """Weights as a dict, in the preset's order."""
        return dict(self.weights)


DEPOSIT_SALES = WeightPreset(
    "deposit_sales",
    (
        ("aum_growth", 40),
        ("new_customers", 20),
        ("products_sold", 20),
        ("high_value_growth", 15),
        ("deposit_growth", 5),
    ),
)
"""What the thesis finds in use: balances, head counts of new accounts and products sold."""

CUSTOMER_CENTRIC = WeightPreset(
    "customer_centric",
    (
        ("aum_growth", 10),
        ("high_value_growth", 10),
        ("retention", 20),
        ("satisfaction", 12),
        ("complaints_per_100", 13),
        ("new_customer_rate", 5),
        ("products_used_share", 10),
        ("cross_sell_ratio", 5),
        ("silent_attrition_share", 5),
        ("digital_adoption", 10),
    ),
)
"""All four perspectives; financial results still count, but as a quarter, not the whole."""

PRESETS: tuple[WeightPreset, ...] = (DEPOSIT_SALES, CUSTOMER_CENTRIC)
PRESET_BY_KEY: dict[str, WeightPreset] = {p.key: p for p in PRESETS}
PRESET_TERMS: dict[str, Term] = {
    "deposit_sales": Term("staff_preset_deposit_sales"),
    "customer_centric": Term("staff_preset_customer_centric"),
}
"""Each preset's name as a catalog term (the explicit registry of these runtime keys)."""

STATUS_COLOURS: dict[str, str] = {"green": "#1E8449", "amber": "#D68910", "red": "#C0392B", "none": "#D5D8DC"}


@dataclass(frozen=True)
class StatusRule:
    """Green / amber / red thresholds for one indicator.

    With ``basis="value"`` ``green`` and ``amber`` are values of the indicator; with
    ``basis="percent_of_target"`` they are achievement ratios (1.0 = 100% of ``target``),
    achievement being value / target, or target / value for "lower is better" indicators.
    For "higher is better": green when at or above ``green``, amber at or above ``amber``,
    red below; for "lower is better" the comparisons flip (at or below).

    Examples
    --------
    >>> StatusRule("retention", green=0.92, amber=0.88).basis
    'value'
    """

    indicator: str
    green: float
    amber: float
    basis: str = "value"
    target: float | None = None

    def __post_init__(self) -> None:
        _check(
            isinstance(self.indicator, str) and self.indicator in INDICATOR_BY_NAME,
            f"unknown indicator {check.shown(self.indicator)}",
        )
        _check(self.basis in ("value", "percent_of_target"), "basis must be 'value' or 'percent_of_target'")
        check.assign(
            self,
            green=check.number(self.green, f"{self.indicator}: green"),
            amber=check.number(self.amber, f"{self.indicator}: amber"),
            target=None if self.target is None else check.number(self.target, f"{self.indicator}: target"),
        )
        if self.basis == "percent_of_target":
            _check(self.target is not None and self.target > 0, "percent_of_target needs a positive target")
            _check(self.green >= self.amber, "green must be at or above amber (as % of target)")
        elif INDICATOR_BY_NAME[self.indicator].direction == HIGHER:
            _check(self.green >= self.amber, f"{self.indicator}: green must be at or above amber")
        else:
            _check(self.green <= self.amber, f"{self.indicator}: green must be at or below amber (lower is better)")


@dataclass(frozen=True)
class StatusConfig:
    """Status rules per indicator; indicators without a rule show "none" (grey).

    Examples
    --------
    >>> StatusConfig().rule_map["complaints_per_100"].green
    10.0
    """

    rules: tuple[StatusRule, ...] = (
        StatusRule("aum_growth", green=0.08, amber=0.03),
        StatusRule("deposit_growth", green=0.06, amber=0.02),
        StatusRule("high_value_growth", green=0.05, amber=0.0),
        StatusRule("new_customer_rate", green=0.12, amber=0.08),
        StatusRule("retention", green=0.92, amber=0.89),
        StatusRule("complaints_per_100", green=10.0, amber=20.0),
        StatusRule("satisfaction", green=4.0, amber=3.8),
        StatusRule("cross_sell_ratio", green=2.8, amber=2.5),
        StatusRule("products_used_share", green=0.9, amber=0.8),
        StatusRule("silent_attrition_share", green=0.01, amber=0.02),
        StatusRule("digital_adoption", green=0.75, amber=0.65),
    )

    def __post_init__(self) -> None:
        names = [r.indicator for r in self.rules]
        _check(len(names) == len(set(names)), "one status rule per indicator")

    @property
    def rule_map(self) -> dict[str, StatusRule]:
        """Rules by indicator name."""
        return {r.indicator: r for r in self.rules}


@dataclass(frozen=True)
class GuardrailConfig:
    """Which units the guardrail flags: strong on sales, weak on customer outcomes.

    Parameters
    ----------
    sales : tuple of str
        Sales indicators; "strong" means in the best ``fraction`` of units on any of them.
    outcomes : tuple of str
        Customer-outcome indicators; "weak" means in the worst ``fraction`` on any of them
        (direction-aware: most complaints is worst).
    fraction : float
        Share of units in the top and bottom groups (a third by default; the group size is
        rounded up, so 24 units give groups of 8).
    min_strong, min_weak : int
        Sales indicators a unit must be strong on, and outcome indicators it must be weak
        on, to be flagged. ``min_weak`` is 2 by default: with three outcomes and thirds, one
        weak outcome alone happens to half the units by chance. Capped at the number of
        indicators the dataset has.

    Examples
    --------
    >>> GuardrailConfig().fraction
    0.3333333333333333
    """

    sales: tuple[str, ...] = SALES_INDICATORS
    outcomes: tuple[str, ...] = OUTCOME_INDICATORS
    fraction: float = 1 / 3
    min_strong: int = 1
    min_weak: int = 2

    def __post_init__(self) -> None:
        sales = check.items(self.sales, "sales", 0, len(INDICATORS))
        outcomes = check.items(self.outcomes, "outcomes", 0, len(INDICATORS))
        for name in (*sales, *outcomes):
            _check(isinstance(name, str) and name in INDICATOR_BY_NAME, f"unknown indicator {check.shown(name)}")
        check.assign(
            self,
            sales=sales,
            outcomes=outcomes,
            fraction=check.number(self.fraction, "fraction", 0, 0.5, low_open=True),
            min_strong=check.whole(self.min_strong, "min_strong", 1, len(INDICATORS)),
            min_weak=check.whole(self.min_weak, "min_weak", 1, len(INDICATORS)),
        )


DEFAULT_SCORECARD = ScorecardConfig()
DEFAULT_STATUS = StatusConfig()
DEFAULT_GUARDRAIL = GuardrailConfig()
