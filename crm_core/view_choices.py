"""What each view shows and the product what-if targets: settings a scenario keeps besides the analytics configs.

They are part of the scenario so a manager's choice of segment scheme, grouping or staff level
survives leaving a page, and a saved scenario or link opens the views as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm_core import validation as check
from crm_core.segments.availability import SCHEMES
from crm_core.staff.config import LEVELS

GROUPINGS: tuple[str, ...] = ("tiers", "value", "lifecycle")
"""Groupings other pages break their figures down by (tiers follow the scenario's tier settings)."""


@dataclass(frozen=True)
class ViewChoices:
    """Which scheme, grouping and level each view shows.

    Parameters
    ----------
    segment_scheme : {"tiers", "value", "rfm", "lifecycle", "clusters"}
        The Segments page's scheme.
    visits_group_by, products_group_by, loyalty_group_by : {"tiers", "value", "lifecycle"}
        The grouping each page breaks its figures down by.
    staff_level : {"branch", "relationship_manager"}
        The unit the Staff KPIs page ranks.
    currency : str
        ISO code money is shown in; "" (default) = the data's own (``Dataset.currency``).
    trend_frequency : {"quarter", "month"}
        The period the Overview's KPI trends compare.

    Examples
    --------
    >>> ViewChoices(segment_scheme="value").staff_level
    'branch'
    """

    segment_scheme: str = "tiers"
    visits_group_by: str = "tiers"
    products_group_by: str = "tiers"
    loyalty_group_by: str = "tiers"
    staff_level: str = "branch"
    currency: str = ""
    trend_frequency: str = "quarter"

    def __post_init__(self) -> None:
        from crm_core.formatting import CURRENCY_SYMBOLS

        check.choice(self.currency, "views: currency", ("", *CURRENCY_SYMBOLS))
        check.choice(self.segment_scheme, "views: segment_scheme", SCHEMES)
        for name in ("visits_group_by", "products_group_by", "loyalty_group_by"):
            check.choice(getattr(self, name), f"views: {name}", GROUPINGS)
        check.choice(self.staff_level, "views: staff_level", LEVELS)
        check.choice(self.trend_frequency, "views: trend_frequency", ("quarter", "month"))


@dataclass(frozen=True)
class ProductTargets:
    """The Product gap page's what-if targets.

    Parameters
    ----------
    cross_sell_target : float
        Products per customer the bank aims for (1 to 10).
    closure_share : float
        Share of the sized gap the bank expects to close (0.1 to 1).

    Examples
    --------
    >>> ProductTargets().closure_share
    0.5
    """

    cross_sell_target: float = 3.0
    closure_share: float = 0.5

    def __post_init__(self) -> None:
        check.assign(
            self,
            cross_sell_target=check.number(self.cross_sell_target, "product_targets: cross_sell_target", 1, 10),
            closure_share=check.number(self.closure_share, "product_targets: closure_share", 0.1, 1),
        )
