"""Frozen configuration of the visits views: benchmark, decline model, attrition rule, what-if inputs.

Every config is a frozen dataclass of plain values, so a scenario can save it as JSON and a
cache can hash it (``config_json`` / ``config_from_json``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from crm_core import validation as check
from crm_core.messages import Count, Message, Share

FIRST_BENCHMARK_YEAR, LAST_BENCHMARK_YEAR = 1990, 2100
"""Years an off-counter benchmark point may have."""

MAX_SOURCE_LENGTH = 500
"""Longest benchmark source text, in characters."""

MAX_SEGMENT_CODE = 127
"""Highest segment code (codes are ``int8``)."""

MAX_TRANSACTIONS_PER_TELLER_MONTH = 100_000.0
"""Most counter transactions one teller can be assumed to handle in a month."""

CBA_SOURCE = (
    "China Banking Association, annual service reports of the banking industry: "
    "off-counter rate (离柜率) 89.77% in 2019 and 90.29% in 2021."
)


@dataclass(frozen=True)
class OffCounterBenchmark:
    """Industry off-counter rate (离柜率) by year, editable and extendable.

    Parameters
    ----------
    points : tuple of (year, rate)
        Annual industry rates as shares (0.8977 for 89.77%), any order.
    source : str
        Where the figures come from, shown under the chart.

    Examples
    --------
    >>> OffCounterBenchmark().rate_for_year(2024)
    0.9029
    >>> OffCounterBenchmark(points=((2019, 0.8977), (2021, 0.9029), (2023, 0.91))).rate_for_year(2023)
    0.91
    """

    points: tuple[tuple[int, float], ...] = ((2019, 0.8977), (2021, 0.9029))
    source: str = CBA_SOURCE

    def __post_init__(self) -> None:
        points = []
        for i, pair in enumerate(check.items(self.points, "points", 0, LAST_BENCHMARK_YEAR - FIRST_BENCHMARK_YEAR + 1)):
            year, rate = check.items(pair, f"points[{i}] (year, rate)", 2, 2)
            year = check.whole(year, f"points[{i}] year", FIRST_BENCHMARK_YEAR, LAST_BENCHMARK_YEAR)
            points.append((year, check.number(rate, f"points[{i}] ({year}) rate (share)", 0, 1)))
        check.distinct((y for y, _ in points), "benchmark years")
        check.assign(
            self, points=tuple(points), source=check.text(self.source, "source", MAX_SOURCE_LENGTH, multiline=True)
        )

    def sorted_points(self) -> tuple[tuple[int, float], ...]:
        """The points in year order."""
        return tuple(sorted((int(y), float(r)) for y, r in self.points))

    def rate_for_year(self, year: int) -> float:
        """The latest published rate at or before ``year`` (the earliest one before the series starts)."""
        points = self.sorted_points()
        if not points:
            return float("nan")
        earlier = [rate for y, rate in points if y <= year]
        return earlier[-1] if earlier else points[0][1]

    def year_for(self, year: int) -> int | None:
        """The benchmark year that ``rate_for_year(year)`` uses."""
        points = self.sorted_points()
        if not points:
            return None
        earlier = [y for y, _ in points if y <= year]
        return earlier[-1] if earlier else points[0][0]


@dataclass(frozen=True)
class DeclineConfig:
    """The counter-decline model.

    Parameters
    ----------
    min_months : int
        Fewer months of history than this give "not enough history" instead of numbers.
        Thirteen is the least that separates a trend from month-of-year seasonality.
    confidence : float
        Level of the confidence interval of the rate and of the forecast's prediction interval.
    horizon_months : int
        Months forecast ahead.
    lags : int or None
        Newey–West lags of the autocorrelation-robust interval; None for the Newey–West (1994)
        rule ``floor(4 (n / 100) ** (2 / 9))`` (3 lags for 36 months).
    """

    min_months: int = 13
    confidence: float = 0.95
    horizon_months: int = 12
    lags: int | None = None

    def __post_init__(self) -> None:
        check.assign(
            self,
            min_months=check.whole(self.min_months, "min_months", 13, 600),
            confidence=check.number(self.confidence, "confidence", 0.5, 1, high_open=True),
            horizon_months=check.whole(self.horizon_months, "horizon_months", 1, 60),
            lags=None if self.lags is None else check.whole(self.lags, "lags", 0, 120),
        )


@dataclass(frozen=True)
class SilentAttritionRule:
    """Who counts as silently leaving: fewer counter visits, no digital uptake, shrinking assets.

    A customer matches when all hold:

    * counter transactions of the last 12 months fell by at least ``min_counter_drop``
      (a share) against the 12 months before, which had at least ``min_counter_before``;
    * digital (mobile + online) transactions rose by at most ``max_digital_increase``;
    * ``aum_trend`` (AUM now / AUM a year ago - 1) is below ``aum_trend_below``;
    * the relationship is still open, when ``active_only``.

    Parameters
    ----------
    min_counter_drop : float
    min_counter_before : int
    max_digital_increase : int
    aum_trend_below : float
    active_only : bool
    """

    min_counter_drop: float = 0.3
    min_counter_before: int = 3
    max_digital_increase: int = 0
    aum_trend_below: float = -0.1
    active_only: bool = True

    def __post_init__(self) -> None:
        check.assign(
            self,
            min_counter_drop=check.number(self.min_counter_drop, "min_counter_drop (share)", 0, 1),
            min_counter_before=check.whole(self.min_counter_before, "min_counter_before", 0, 100_000),
            max_digital_increase=check.whole(self.max_digital_increase, "max_digital_increase", 0, 100_000),
            aum_trend_below=check.number(self.aum_trend_below, "aum_trend_below (change)", -1, 10),
            active_only=check.flag(self.active_only, "active_only"),
        )

    def message(self) -> Message:
        """The rule in one sentence for managers, rendered at the edge.

        Examples
        --------
        >>> from crm_core.messages import render
        >>> render(SilentAttritionRule().message(), "en")[:45]
        'Open customers whose counter transactions fel'
        """
        rose = (
            Message("visits_rule_digital_flat")
            if self.max_digital_increase == 0
            else Message("visits_rule_digital_up_to", count=Count(self.max_digital_increase))
        )
        fields = {
            "drop": Share(self.min_counter_drop, 0),
            "before": Count(self.min_counter_before),
            "digital": rose,
            "aum": f"{self.aum_trend_below * 100:+.0f}%",
        }
        return Message("visits_rule_open", **fields) if self.active_only else Message("visits_rule_all", **fields)


@dataclass(frozen=True)
class WhatIfInputs:
    """Inputs of the digital-adoption what-if.

    Parameters
    ----------
    segments : tuple of int
        Segment codes whose non-digital customers are nudged to mobile or online banking.
    adoption_increase_pp : float
        Percentage points: that share of those segments' non-digital customers' counter volume is
        taken as converting (10 → 10%).
    substitution_factor : float
        Share of a converted customer's counter transactions that leave the counter (the rest,
        cash and complex business, stays). 0.7 by default.
    transactions_per_teller_month : float
        Counter transactions one teller handles in a month.
    """

    segments: tuple[int, ...] = ()
    adoption_increase_pp: float = 10.0
    substitution_factor: float = 0.7
    transactions_per_teller_month: float = 1_500.0

    def __post_init__(self) -> None:
        segments = check.items(self.segments, "segments", 0, MAX_SEGMENT_CODE + 1)
        segments = tuple(check.whole(s, f"segments[{i}] (code)", 0, MAX_SEGMENT_CODE) for i, s in enumerate(segments))
        check.distinct(segments, "segments")
        check.assign(
            self,
            segments=segments,
            adoption_increase_pp=check.number(self.adoption_increase_pp, "adoption_increase_pp (points)", 0, 100),
            substitution_factor=check.number(self.substitution_factor, "substitution_factor (share)", 0, 1),
            transactions_per_teller_month=check.number(
                self.transactions_per_teller_month,
                "transactions_per_teller_month",
                0,
                MAX_TRANSACTIONS_PER_TELLER_MONTH,
                low_open=True,
            ),
        )


DEFAULT_BENCHMARK = OffCounterBenchmark()
DEFAULT_DECLINE = DeclineConfig()
DEFAULT_ATTRITION = SilentAttritionRule()
DEFAULT_WHAT_IF = WhatIfInputs()

Config = TypeVar("Config", OffCounterBenchmark, DeclineConfig, SilentAttritionRule, WhatIfInputs)


from crm_core.configs import config_from_json, config_json  # noqa: E402, F401 - re-exported
