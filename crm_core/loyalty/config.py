"""Frozen configurations of the loyalty views: stickiness, primacy, churn, model, value, what-if.

Every config is a ``@dataclass(frozen=True)`` of numbers, strings and tuples: hashable (a
cache key), comparable, and saved in scenarios as JSON with ``config_json`` /
``config_from_json``. Validation happens once, in ``__post_init__``.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm_core import validation as check
from crm_core.segments.config import config_from_json, config_hash, config_json

__all__ = [
    "CHURN_KINDS",
    "STICKINESS_INDICATORS",
    "ChurnDefinition",
    "ClvConfig",
    "ModelConfig",
    "PrimacyConfig",
    "RetentionScenario",
    "StickinessConfig",
    "config_from_json",
    "config_hash",
    "config_json",
]

STICKINESS_INDICATORS: tuple[str, ...] = (
    "products_held",
    "is_payroll",
    "mobile_active",
    "tenure_months",
    "aum_trend",
    "card_use",
)
"""Stickiness indicators in display order. ``card_use`` is the share of debit/credit cards held."""

CHURN_KINDS: tuple[str, ...] = ("flag", "inactive", "aum_drop")
"""How churn is defined: the closure flag, months without activity, or an AUM fall."""

RISK_BANDS: tuple[str, ...] = ("high", "medium", "low")
"""Churn risk bands a retention what-if can target."""

MAX_SEGMENT_CODE = 127
"""Highest segment code (codes are ``int8``)."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass(frozen=True)
class StickinessConfig:
    """Weights of the stickiness index.

    Parameters
    ----------
    weights : tuple of (str, float)
        Non-negative weight per indicator of ``STICKINESS_INDICATORS``; indicators absent
        from a dataset are dropped and the rest rescaled to sum to 100%.
    clip_quantiles : tuple of float
        Lower and upper quantiles that bound continuous indicators before scaling to 0–1,
        so one extreme customer does not squash everyone else.

    Examples
    --------
    >>> dict(StickinessConfig().weights)["products_held"]
    30.0
    """

    weights: tuple[tuple[str, float], ...] = (
        ("products_held", 30.0),
        ("is_payroll", 20.0),
        ("mobile_active", 20.0),
        ("tenure_months", 0.0),  # no signal on churn in the sample (issue 18): kept, weight it to use it
        ("aum_trend", 20.0),
        ("card_use", 10.0),
    )
    clip_quantiles: tuple[float, float] = (0.01, 0.99)

    def __post_init__(self) -> None:
        weights = check.weights(self.weights, "weights", STICKINESS_INDICATORS)
        low, high = check.items(self.clip_quantiles, "clip_quantiles (low, high)", 2, 2)
        low = check.number(low, "clip_quantiles low", 0, 1)
        high = check.number(high, "clip_quantiles high", 0, 1)
        _check(low < high, "clip quantiles must satisfy 0 <= low < high <= 1")
        check.assign(self, weights=weights, clip_quantiles=(low, high))


@dataclass(frozen=True)
class PrimacyConfig:
    """When the bank counts as the customer's main bank.

    A customer is *primary* when their salary arrives here (``is_payroll``) **and** they use
    the relationship: mobile banking active in the last three months, or a card held and at
    least ``min_transactions_12m`` transactions in the last 12 months. Without payroll data
    the first condition becomes "holds at least ``fallback_min_products`` products".

    Parameters
    ----------
    require_payroll : bool
        Whether salary through the bank is required.
    require_usage : bool
        Whether active card or mobile use is required.
    min_transactions_12m : int
        Transactions a card holder needs in 12 months to count as an active card user.
    fallback_min_products : int
        Products held that stand in for payroll when the dataset has no payroll column.
    """

    require_payroll: bool = True
    require_usage: bool = True
    min_transactions_12m: int = 12
    fallback_min_products: int = 3

    def __post_init__(self) -> None:
        check.assign(
            self,
            require_payroll=check.flag(self.require_payroll, "require_payroll"),
            require_usage=check.flag(self.require_usage, "require_usage"),
            min_transactions_12m=check.whole(self.min_transactions_12m, "min_transactions_12m", 0, 100_000),
            fallback_min_products=check.whole(self.fallback_min_products, "fallback_min_products", 1, 100),
        )


@dataclass(frozen=True)
class ChurnDefinition:
    """Which customers count as churned.

    Parameters
    ----------
    kind : {"flag", "inactive", "aum_drop"}
        ``flag``: closed in the last 12 months (``closed_date``) or the dataset's ``churned``
        flag; ``inactive``: no transaction for ``inactive_months`` months or more;
        ``aum_drop``: AUM fell by more than ``aum_drop`` over the last 12 months.
    inactive_months : int
        Months without activity that make a customer churned (1–11, so there is a year-ago
        snapshot to learn from).
    aum_drop : float
        Fraction (0.5 = 50%) the AUM must have fallen by.
    """

    kind: str = "flag"
    inactive_months: int = 6
    aum_drop: float = 0.5

    def __post_init__(self) -> None:
        check.assign(
            self,
            kind=check.choice(self.kind, "kind", CHURN_KINDS),
            inactive_months=check.whole(self.inactive_months, "inactive_months", 1, 11),
            aum_drop=check.number(self.aum_drop, "aum_drop (share)", 0, 1, low_open=True, high_open=True),
        )


@dataclass(frozen=True)
class ModelConfig:
    """Churn risk model settings.

    Parameters
    ----------
    small_rows, small_positives : int
        Below either, a regularised logistic regression replaces gradient boosting.
    min_positives : int
        Fewer churners (or stayers) than this and no model is fitted ("cannot model").
    test_share, calibration_share : float
        Shares of the labelled rows held out for evaluation and for calibration.
    high_risk, medium_risk : float
        Probability cut-offs of the high and medium risk bands.
    importance_rows, importance_repeats : int
        Held-out rows and repeats used for permutation importance.
    max_training_rows, max_evaluation_rows : int
        At most this many training / held-out rows, drawn at random within each outcome
        (stratified): beyond a few hundred thousand customers more rows barely change the
        model but cost minutes. Every customer is still scored.
    random_state : int
        Seed of every split and fit.
    """

    small_rows: int = 2_000
    small_positives: int = 100
    min_positives: int = 30
    test_share: float = 0.25
    calibration_share: float = 0.2
    high_risk: float = 0.2
    medium_risk: float = 0.1
    importance_rows: int = 2_000
    importance_repeats: int = 3
    max_training_rows: int = 400_000
    max_evaluation_rows: int = 200_000
    random_state: int = 0

    def __post_init__(self) -> None:
        share = {"low_open": True, "high_open": True}
        check.assign(
            self,
            small_rows=check.whole(self.small_rows, "small_rows", 0, 10_000_000),
            small_positives=check.whole(self.small_positives, "small_positives", 0, 10_000_000),
            min_positives=check.whole(self.min_positives, "min_positives", 2, 1_000_000),
            test_share=check.number(self.test_share, "test_share", 0, 0.9, **share),
            calibration_share=check.number(self.calibration_share, "calibration_share", 0, 0.9, **share),
            high_risk=check.number(self.high_risk, "high_risk", 0, 1, **share),
            medium_risk=check.number(self.medium_risk, "medium_risk", 0, 1, **share),
            importance_rows=check.whole(self.importance_rows, "importance_rows", 100, 1_000_000),
            importance_repeats=check.whole(self.importance_repeats, "importance_repeats", 1, 100),
            max_training_rows=check.whole(self.max_training_rows, "max_training_rows", 1_000, 100_000_000),
            max_evaluation_rows=check.whole(self.max_evaluation_rows, "max_evaluation_rows", 1_000, 100_000_000),
            random_state=check.whole(self.random_state, "random_state", 0, 2**32 - 1),
        )
        _check(self.medium_risk < self.high_risk, "need 0 < medium_risk < high_risk < 1")


@dataclass(frozen=True)
class ClvConfig:
    """Customer lifetime value settings (``crm_core.loyalty.value``).

    CLV sums ``m · r^t / (1 + d)^t`` over ``t = 1..horizon_years``, ``r`` being one minus the
    churn probability: the model's, else the bank's churn rate.

    Parameters
    ----------
    discount_rate : float
        Yearly discount rate ``d``.
    horizon_years : int
        Years summed.
    aum_margin : float
        Yearly contribution per yuan of AUM used when ``annual_contribution`` is missing
        (1% = net interest and fee margin of a typical retail book).
    assumed_churn_rate : float
        Yearly churn probability assumed only when there is no model score and the data
        records no closures (no closing dates, no churn flag), so the bank's rate is unknown.
    lookalike_min_group : int
        Look-alike groups (income × age band × products × channel use) smaller than this
        fall back to a coarser grouping.
    potential_quantile : float
        Quantile of look-alike AUM taken as a customer's potential.
    """

    discount_rate: float = 0.08
    horizon_years: int = 5
    aum_margin: float = 0.01
    assumed_churn_rate: float = 0.1
    lookalike_min_group: int = 10
    potential_quantile: float = 0.75

    def __post_init__(self) -> None:
        check.assign(
            self,
            discount_rate=check.number(self.discount_rate, "discount_rate (share a year)", 0, 1, high_open=True),
            horizon_years=check.whole(self.horizon_years, "horizon_years", 1, 50),
            aum_margin=check.number(self.aum_margin, "aum_margin (share a year)", 0, 0.2, high_open=True),
            assumed_churn_rate=check.number(self.assumed_churn_rate, "assumed_churn_rate (share a year)", 0, 1),
            lookalike_min_group=check.whole(self.lookalike_min_group, "lookalike_min_group", 1, 1_000_000),
            potential_quantile=check.number(
                self.potential_quantile, "potential_quantile", 0, 1, low_open=True, high_open=True
            ),
        )


@dataclass(frozen=True)
class RetentionScenario:
    """A retention what-if: keep a share of the at-risk customers of chosen segments.

    Parameters
    ----------
    retained_share : float
        Share (0–1) of the would-be churners among the targeted customers who stay.
    segments : tuple of int
        Segment codes targeted; empty means every segment.
    bands : tuple of str
        Risk bands targeted (``high``, ``medium``, ``low``).
    """

    retained_share: float = 0.2
    segments: tuple[int, ...] = ()
    bands: tuple[str, ...] = ("high",)

    def __post_init__(self) -> None:
        segments = check.items(self.segments, "segments", 0, MAX_SEGMENT_CODE + 1)
        segments = tuple(check.whole(s, f"segments[{i}] (code)", 0, MAX_SEGMENT_CODE) for i, s in enumerate(segments))
        check.distinct(segments, "segments")
        bands = check.items(self.bands, "bands", 0, len(RISK_BANDS))
        bands = tuple(check.choice(b, f"bands[{i}]", RISK_BANDS) for i, b in enumerate(bands))
        check.distinct(bands, "bands")
        check.assign(
            self,
            retained_share=check.number(self.retained_share, "retained_share (share)", 0, 1),
            segments=segments,
            bands=bands,
        )


DEFAULT_STICKINESS = StickinessConfig()
DEFAULT_PRIMACY = PrimacyConfig()
DEFAULT_CHURN = ChurnDefinition()
DEFAULT_MODEL = ModelConfig()
DEFAULT_CLV = ClvConfig()
