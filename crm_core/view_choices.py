"""What each view shows and the product what-if targets: settings a scenario keeps besides the analytics configs.

They are part of the scenario so a manager's choice of segment scheme, grouping or staff level
survives leaving a page, and a saved scenario or link opens the views as they were.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from crm_core.segments.availability import SCHEMES
from crm_core.staff.config import LEVELS

GROUPINGS: tuple[str, ...] = ("tiers", "value", "lifecycle")
"""Groupings other pages break their figures down by (tiers follow the scenario's tier settings)."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


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

    def __post_init__(self) -> None:
        _check(self.segment_scheme in SCHEMES, f"segment_scheme must be one of {', '.join(SCHEMES)}")
        for name in ("visits_group_by", "products_group_by", "loyalty_group_by"):
            _check(getattr(self, name) in GROUPINGS, f"{name} must be one of {', '.join(GROUPINGS)}")
        _check(self.staff_level in LEVELS, f"staff_level must be one of {', '.join(LEVELS)}")


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
        for name in ("cross_sell_target", "closure_share"):
            value = getattr(self, name)
            _check(
                isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value),
                f"{name} must be a finite number",
            )
            object.__setattr__(self, name, float(value))
        _check(1.0 <= self.cross_sell_target <= 10.0, "cross_sell_target must be between 1 and 10 products")
        _check(0.1 <= self.closure_share <= 1.0, "closure_share must be between 10% and 100%")
