"""Frozen configurations of the segmentation schemes, their JSON form and their hash.

Every config is a ``@dataclass(frozen=True)`` of numbers, strings and tuples, so it is
hashable (a cache key), comparable, and round-trips through JSON for saved scenarios.
Validation happens once, in ``__post_init__``: inside the core a config is trusted.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from crm_core import validation as check

Config = TypeVar("Config")

MAX_TIER_THRESHOLD = 1e13
"""Highest tier threshold accepted, in yuan (10 trillion: above any customer's AUM)."""

MAX_LABEL_LENGTH = 40
"""Longest tier, class or segment label, in characters (it has to fit a chart axis)."""

NOT_ASSIGNED = -1
"""Code of a customer a scheme cannot place (missing value, closed customer, …)."""

TIER_BASES: dict[str, str] = {
    "current": "aum",
    "1m": "aum",
    "3m": "aum_avg_3m",
    "6m": "aum_avg_3m+aum_avg_12m",
    "12m": "aum_avg_12m",
}
"""Tiering basis → customer column(s). ``6m`` is the mean of the 3- and 12-month averages."""


@dataclass(frozen=True, eq=False)
class Segmentation:
    """The result of a scheme: one integer code per customer and the ordered labels.

    Attributes
    ----------
    codes : numpy.ndarray
        ``int8`` array, one entry per customer row; ``labels[code]`` names the group,
        ``-1`` means not assignable.
    labels : tuple of str
        Group names in code order.
    notes : tuple of str
        Plain-English notes on fallbacks taken (e.g. a missing column replaced).
    """

    codes: np.ndarray
    labels: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def counts(self) -> np.ndarray:
        """Customers per code (``-1`` excluded), as ``int64``."""
        # One vectorised comparison per label beats bincount's cast of a million codes to intp.
        return np.array([np.count_nonzero(self.codes == code) for code in range(len(self.labels))], dtype=np.int64)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass(frozen=True)
class TierConfig:
    """AUM tiers: thresholds in CNY and one label per tier.

    A customer whose basis value equals a threshold belongs to the upper tier
    (``thresholds[i] <= value < thresholds[i + 1]`` is tier ``i + 1``).

    Parameters
    ----------
    thresholds : tuple of float
        1 to 5 strictly ascending, positive, finite lower bounds of tiers 2, 3, ….
    labels : tuple of str
        ``len(thresholds) + 1`` distinct, non-empty names, lowest tier first.
    basis : {"current", "1m", "3m", "6m", "12m"}
        Which AUM figure is tiered, see ``TIER_BASES``.
    closed_by_aum_12m_ago : bool
        Place closed customers by their AUM a year ago (their tier before leaving), so
        churn by tier is meaningful; otherwise their (zero) current balance is used.

    Examples
    --------
    >>> TierConfig(thresholds=(5e4, 5e5), labels=("mass", "affluent", "rich")).basis
    'current'
    """

    thresholds: tuple[float, ...] = (5e4, 5e5, 6e6)
    labels: tuple[str, ...] = ("mass", "affluent", "high net worth", "private")
    basis: str = "current"
    closed_by_aum_12m_ago: bool = True

    def __post_init__(self) -> None:
        thresholds = check.items(self.thresholds, "thresholds", 0, 100)
        _check(1 <= len(thresholds) <= 5, f"tiers need 1 to 5 thresholds (2 to 6 tiers), got {len(thresholds)}")
        thresholds = tuple(
            check.number(t, f"thresholds[{i}] (yuan)", 0, MAX_TIER_THRESHOLD, low_open=True, high_open=True)
            for i, t in enumerate(thresholds)
        )
        _check(all(a < b for a, b in itertools.pairwise(thresholds)), "thresholds must ascend strictly")
        labels = check.items(self.labels, "labels", 0, 100)
        labels = tuple(check.text(label, f"labels[{i}]", MAX_LABEL_LENGTH) for i, label in enumerate(labels))
        _check(len(labels) == len(thresholds) + 1, "labels must number thresholds + 1")
        _check(all(label.strip() for label in labels), "labels must not be empty")
        _check(len(set(labels)) == len(labels), "labels must be distinct")
        check.assign(
            self,
            thresholds=thresholds,
            labels=labels,
            basis=check.choice(self.basis, "basis", TIER_BASES),
            closed_by_aum_12m_ago=check.flag(self.closed_by_aum_12m_ago, "closed_by_aum_12m_ago"),
        )


VALUE_INDICATORS: tuple[str, ...] = (
    "aum",
    "annual_contribution",
    "products_held",
    "tenure_months",
    "digital_share_12m",
    "aum_trend",
)
"""Indicators of the value score, in display order; those absent from a dataset are skipped."""

VALUE_CLASSES: tuple[str, ...] = ("sleeping", "low_value", "valuable", "high_value_added")
"""Value classes, lowest first (the label keys the UI translates)."""


@dataclass(frozen=True)
class ValueConfig:
    """Value score weights and how the score is cut into classes.

    Parameters
    ----------
    weights : tuple of (str, float)
        Non-negative weight per indicator; normalised to sum to 1 over the indicators
        present (all zero → equal weights).
    normalisation : {"percentile", "minmax"}
        How indicators are put on a 0–1 scale (``value_matrix``).
    method : {"cutoffs", "top_shares"}
        Classes by score cut-offs, or by the top shares of customers.
    cutoffs : tuple of float
        Ascending score lower bounds of the classes above the lowest (score on a
        cut-off → upper class).
    top_shares : tuple of float
        Share of customers in each class from the highest down, excluding the lowest
        class (which takes the rest); must sum to at most 1.
    labels : tuple of str
        Class labels, lowest first.
    """

    weights: tuple[tuple[str, float], ...] = (
        ("aum", 35.0),
        ("annual_contribution", 25.0),
        ("products_held", 15.0),
        ("tenure_months", 10.0),
        ("digital_share_12m", 10.0),
        ("aum_trend", 5.0),
    )
    normalisation: str = "percentile"
    method: str = "cutoffs"
    cutoffs: tuple[float, ...] = (0.35, 0.55, 0.75)
    top_shares: tuple[float, ...] = (0.05, 0.20, 0.45)
    labels: tuple[str, ...] = VALUE_CLASSES

    def __post_init__(self) -> None:
        weights = check.weights(self.weights, "weights", VALUE_INDICATORS)
        cutoffs = check.items(self.cutoffs, "cutoffs", 1, 9)
        cutoffs = tuple(check.number(c, f"cutoffs[{i}] (score)", 0, 1) for i, c in enumerate(cutoffs))
        _check(all(a < b for a, b in itertools.pairwise(cutoffs)), "cut-offs must ascend strictly")
        top_shares = check.items(self.top_shares, "top_shares", 1, 9)
        top_shares = tuple(check.number(s, f"top_shares[{i}] (share)", 0, 1) for i, s in enumerate(top_shares))
        _check(sum(top_shares) <= 1 + 1e-9, f"top shares must sum to at most 1, got {sum(top_shares):g}")
        labels = check.items(self.labels, "labels", 2, 10)
        labels = tuple(
            check.text(label, f"labels[{i}]", MAX_LABEL_LENGTH, required=True) for i, label in enumerate(labels)
        )
        _check(len(labels) == len(cutoffs) + 1, "labels must number cut-offs + 1")
        _check(len(labels) == len(top_shares) + 1, "labels must number top shares + 1")
        check.assign(
            self,
            weights=weights,
            normalisation=check.choice(self.normalisation, "normalisation", ("percentile", "minmax")),
            method=check.choice(self.method, "method", ("cutoffs", "top_shares")),
            cutoffs=cutoffs,
            top_shares=top_shares,
            labels=labels,
        )

    @property
    def weight_map(self) -> dict[str, float]:
        """Weights as a dict."""
        return dict(self.weights)


RFM_RULES: tuple[tuple[str, int, int, int, int], ...] = (
    ("champions", 4, 5, 4, 5),
    ("loyal", 3, 5, 3, 5),
    ("new", 5, 5, 1, 1),
    ("potential_loyalist", 4, 5, 1, 3),
    ("need_attention", 3, 3, 1, 2),
    ("cannot_lose", 1, 2, 5, 5),
    ("at_risk", 1, 2, 3, 4),
    ("hibernating", 1, 2, 1, 2),
)
"""Default named segments: (name, R low, R high, FM low, FM high), first match wins.

FM is the frequency–monetary score ``(F + M + 1) // 2`` (the mean rounded half up).
The default covers all 25 (R, FM) cells.
"""


@dataclass(frozen=True)
class RfmConfig:
    """RFM scoring and the named-segment map.

    Parameters
    ----------
    monetary : {"aum", "annual_contribution"}
        Column behind the M score (``aum`` when the chosen one is absent).
    segments : tuple of (name, r_low, r_high, fm_low, fm_high)
        Ordered rules, first match wins; unmatched customers get code -1.
    """

    monetary: str = "aum"
    segments: tuple[tuple[str, int, int, int, int], ...] = RFM_RULES

    def __post_init__(self) -> None:
        segments = []
        for i, rule in enumerate(check.items(self.segments, "segments", 1, 25)):
            name, *scores = check.items(rule, f"segments[{i}] (name, r1, r2, fm1, fm2)", 5, 5)
            name = check.text(name, f"segments[{i}] name", MAX_LABEL_LENGTH, required=True)
            r1, r2, fm1, fm2 = (check.whole(v, f"segments[{i}] ({name}) scores", 1, 5) for v in scores)
            _check(r1 <= r2 and fm1 <= fm2, f"segments[{i}] ({name}): score ranges in 1..5 must run low to high")
            segments.append((name, r1, r2, fm1, fm2))
        _check(len({s[0] for s in segments}) == len(segments), "segment names must be distinct")
        check.assign(
            self,
            monetary=check.choice(self.monetary, "monetary", ("aum", "annual_contribution")),
            segments=tuple(segments),
        )


MAX_TENURE_MONTHS = 1_200
"""Longest tenure a lifecycle rule may name (100 years)."""

MAX_TREND = 10.0
"""Largest change a lifecycle rule may name (+1,000%); the smallest is -1 (-100%)."""

LIFECYCLE_STAGES: tuple[str, ...] = ("prospect", "formation", "stable", "decline")
"""Lifecycle stages in code order: 考察期, 形成期, 稳定期, 退化期."""


@dataclass(frozen=True)
class LifecycleConfig:
    """Thresholds of the lifecycle rules (applied in order: prospect, decline, formation, stable).

    Parameters
    ----------
    prospect_max_tenure_months : int
        Tenure below this → prospect (考察期).
    decline_aum_trend : float
        AUM change over 12 months at or below this → decline.
    decline_activity_trend : float
        Change in transactions (all channels, last 12 months vs the 12 before) at or below
        this → decline.
    formation_max_tenure_months : int
        Tenure below this (and not prospect or decline) → formation.
    formation_aum_trend : float
        AUM growth at or above this → formation, whatever the tenure.
    """

    prospect_max_tenure_months: int = 12
    decline_aum_trend: float = -0.20
    decline_activity_trend: float = -0.30
    formation_max_tenure_months: int = 36
    formation_aum_trend: float = 0.20

    def __post_init__(self) -> None:
        prospect = check.whole(self.prospect_max_tenure_months, "prospect_max_tenure_months", 0, MAX_TENURE_MONTHS)
        formation = check.whole(self.formation_max_tenure_months, "formation_max_tenure_months", 0, MAX_TENURE_MONTHS)
        _check(prospect <= formation, "tenure bounds must ascend (prospect_max_tenure_months ≤ formation's)")
        decline = check.number(self.decline_aum_trend, "decline_aum_trend (change)", -1, MAX_TREND)
        growth = check.number(self.formation_aum_trend, "formation_aum_trend (change)", -1, MAX_TREND)
        _check(decline < growth, "decline trend must be below formation (decline_aum_trend < formation_aum_trend)")
        activity = check.number(self.decline_activity_trend, "decline_activity_trend (change)", -1, MAX_TREND)
        check.assign(
            self,
            prospect_max_tenure_months=prospect,
            formation_max_tenure_months=formation,
            decline_aum_trend=decline,
            formation_aum_trend=growth,
            decline_activity_trend=activity,
        )


MONEY_FEATURES: frozenset[str] = frozenset(
    {
        "aum",
        "aum_avg_3m",
        "aum_avg_12m",
        "aum_12m_ago",
        "annual_contribution",
        "deposit_balance",
        "investment_balance",
        "loan_balance",
        "annual_income",
    }
)
"""Money columns: clustered on ``log1p`` (negative values clipped to 0)."""

COUNT_FEATURES: frozenset[str] = frozenset(
    {"counter_txn_12m", "atm_txn_12m", "mobile_txn_12m", "online_txn_12m", "phone_txn_12m"}
)
"""Transaction counts: clustered on ``log1p`` too (a few customers with hundreds of visits
would otherwise make a cluster of their own)."""

STRUCTURE_SILHOUETTE = 0.25
"""Silhouette below which the data shows no strong natural groups (the usual rule of thumb:
0.25–0.5 weak, 0.5–0.7 reasonable, above 0.7 strong structure): clusters are then numbered,
not named."""

CLUSTER_FEATURES: tuple[str, ...] = (
    "aum",
    "annual_contribution",
    "products_held",
    "tenure_months",
    "age",
    "digital_share_12m",
    "counter_txn_12m",
)
"""Default clustering features; those absent are skipped."""

CLUSTER_FEATURE_CHOICES: tuple[str, ...] = (*VALUE_INDICATORS, "age", "counter_txn_12m")
"""Features the Segments page offers for clustering (a scenario's features come from these)."""


@dataclass(frozen=True)
class ClusterConfig:
    """k-means clustering of active customers.

    Parameters
    ----------
    features : tuple of str
        Customer columns to cluster on (at least two present).
    k : int
        Number of clusters, 2 to 12.
    random_state : int
        Seed of k-means and of every sample drawn.
    n_init : int
        k-means restarts (set explicitly, never left to the library default).
    fit_rows : int
        Fit on at most this many active customers (a seeded sample), then assign all.
    silhouette_rows : int
        Rows sampled for the silhouette comparison of k = 2..8.
    """

    features: tuple[str, ...] = CLUSTER_FEATURES
    k: int = 4
    random_state: int = 0
    n_init: int = 4
    fit_rows: int = 200_000
    silhouette_rows: int = 5_000

    def __post_init__(self) -> None:
        features = check.items(self.features, "features", 0, 40)
        _check(len(features) >= 2, "clustering needs at least two features")
        features = tuple(check.code(f, f"features[{i}]") for i, f in enumerate(features))
        check.distinct(features, "features")
        check.assign(
            self,
            features=features,
            k=check.whole(self.k, "k (clusters)", 2, 12),
            random_state=check.whole(self.random_state, "random_state", 0, 2**32 - 1),
            n_init=check.whole(self.n_init, "n_init", 1, 50),
            fit_rows=check.whole(self.fit_rows, "fit_rows", 100, 5_000_000),
            # The silhouette compares every sampled row with every other: its cost grows with the square.
            silhouette_rows=check.whole(self.silhouette_rows, "silhouette_rows", 100, 20_000),
        )


@dataclass(frozen=True)
class SuppressionConfig:
    """Small-group suppression applied on every surface that shows a group's figures.

    A group of fewer than ``min_customers`` customers (but at least one) shows none of its
    figures; when that alone would let a reader recover it by subtracting the shown groups
    from a printed total, further groups are suppressed with it (complementary suppression,
    ``crm_core.segments.profiles.suppressed_groups``). The suppressed groups' customers and
    AUM are shown together in one "suppressed" row, so totals still reconcile.

    Parameters
    ----------
    min_customers : int
        Smallest group whose figures are shown (10 by default; 1 shows every group).

    Examples
    --------
    >>> SuppressionConfig().min_customers
    10
    """

    min_customers: int = 10

    def __post_init__(self) -> None:
        check.assign(self, min_customers=check.whole(self.min_customers, "min_customers", 1, 1_000_000))


from crm_core.configs import config_from_json, config_hash, config_json  # noqa: E402, F401 - re-exported

DEFAULT_TIERS = TierConfig()
DEFAULT_VALUE = ValueConfig()
DEFAULT_RFM = RfmConfig()
DEFAULT_LIFECYCLE = LifecycleConfig()
DEFAULT_CLUSTERS = ClusterConfig()
DEFAULT_SUPPRESSION = SuppressionConfig()
