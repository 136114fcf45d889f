"""The Visits & channels view's one result: channel mix, decline fits, what-if, substitution, attrition.

Every surface that shows a visit figure (the Visits page, the report's guarantee step, the
playbook's counter-decline and silent-attrition findings) reads it from ``visits_view``; none
assembles the chain (cube → fits → KPIs → what-if base → staffing) again. The result holds no
words: groups are the grouping's own language-free labels, branches the data's own names, the
bank total row of the flows has code ``-1``; sentences are ``Message`` values rendered at the edge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from crm_core.messages import Message
from crm_core.prepare import PreparedDataset
from crm_core.visits.attrition import silent_attrition
from crm_core.visits.config import (
    DEFAULT_ATTRITION,
    DEFAULT_DECLINE,
    DeclineConfig,
    OffCounterBenchmark,
    SilentAttritionRule,
    WhatIfInputs,
)
from crm_core.visits.cube import VisitCube, visit_cube
from crm_core.visits.decline import (
    DeclineFit,
    bank_counter_series,
    bank_decline,
    branch_declines,
    counter_forecast,
    curvature_message,
    fitted_history,
    halving_message,
    segment_declines,
)
from crm_core.visits.kpis import visit_kpis
from crm_core.visits.substitution import substitution_flows, substitution_message
from crm_core.visits.trends import channel_trend, off_counter_rates
from crm_core.visits.whatif import WhatIfBase, what_if_base, what_if_message, what_if_staffing

BANK = "bank"
"""The ``group`` of the flows' bank total row (code ``-1``); a surface names it in its language."""


@dataclass(frozen=True)
class VisitSettings:
    """The scenario's visits section: what-if inputs, off-counter benchmark, attrition rule, decline model.

    Examples
    --------
    >>> from crm_core.scenarios import Scenario
    >>> VisitSettings.of(Scenario()).what_if == Scenario().visits_what_if
    True
    """

    what_if: WhatIfInputs
    benchmark: OffCounterBenchmark
    attrition: SilentAttritionRule = DEFAULT_ATTRITION
    decline: DeclineConfig = DEFAULT_DECLINE

    @classmethod
    def of(cls, scenario) -> VisitSettings:
        """The visit settings of a ``Scenario``."""
        return cls(scenario.visits_what_if, scenario.off_counter_benchmark)


@dataclass(frozen=True)
class VisitFits:
    """The per-dataset decline fits: the bank's, and the branch table with one fit per branch."""

    bank: DeclineFit
    branches: pd.DataFrame
    branch_fits: tuple[DeclineFit, ...]


def visit_fits(cube: VisitCube, config: DeclineConfig = DEFAULT_DECLINE) -> VisitFits:
    """Return the bank and branch decline fits of a cube (once per dataset)."""
    table, fits = branch_declines(cube, config)
    return VisitFits(bank_decline(cube, config), table, tuple(fits))


@dataclass(frozen=True)
class VisitsView:
    """Aggregates of the Visits & channels view (no words but ``Message`` values).

    Attributes
    ----------
    n_months : int
        Months of activity history.
    kpis : pandas.DataFrame
        ``visit_kpis`` under the scenario's benchmark and rule.
    rates : pandas.DataFrame
        ``off_counter_rates`` (monthly off-counter rate next to the benchmark).
    channels : pandas.DataFrame
        ``channel_trend(prepared, "bank")``.
    bank_fit : DeclineFit
    halving, curvature : Message or None
        When counter transactions halve, and the check against a curved trend.
    history, forecast : pandas.DataFrame
        ``fitted_history`` and ``counter_forecast(bank_fit, 12)``.
    branches : pandas.DataFrame
        ``branch_declines`` table (branches by the data's own names).
    groups : tuple of str
        The grouping's language-free labels, in code order.
    segments : pandas.DataFrame
        ``segment_declines`` per group.
    flows : pandas.DataFrame
        ``substitution_flows`` per group plus the bank row (code -1, group ``BANK``).
    substitution : Message or None
    base : WhatIfBase
    what_if : WhatIfInputs
        The scenario's inputs, an empty group choice meaning every group.
    staffing : pandas.DataFrame
        ``what_if_staffing(base, what_if)``.
    what_if_result : Message
    at_risk : pandas.DataFrame
        ``silent_attrition`` list, largest AUM first.
    settings : VisitSettings
    """

    n_months: int
    kpis: pd.DataFrame
    rates: pd.DataFrame
    channels: pd.DataFrame
    bank_fit: DeclineFit
    halving: Message | None
    curvature: Message | None
    history: pd.DataFrame
    forecast: pd.DataFrame
    branches: pd.DataFrame
    groups: tuple[str, ...]
    segments: pd.DataFrame
    flows: pd.DataFrame
    substitution: Message | None
    base: WhatIfBase
    what_if: WhatIfInputs
    staffing: pd.DataFrame
    what_if_result: Message
    at_risk: pd.DataFrame
    settings: VisitSettings

    def kpi(self, metric: str) -> float:
        """One tile's value (``visit_kpis`` metric)."""
        return float(self.kpis.set_index("metric").loc[metric, "value"])

    @property
    def off_counter_rate(self) -> float:
        """Off-counter rate of the last 12 months (the latest month's with fewer)."""
        return self.kpi("off_counter_rate")

    @property
    def tellers_freed(self) -> float:
        """Full-time tellers the scenario's digital what-if frees across branches."""
        return float(self.staffing["tellers_freed"].sum()) if len(self.staffing) else math.nan


def visits_view(
    prepared: PreparedDataset,
    codes: np.ndarray,
    labels: Sequence[str],
    settings: VisitSettings,
    cube: VisitCube | None = None,
    fits: VisitFits | None = None,
) -> VisitsView:
    """Return the Visits & channels view of a dataset for one grouping and the scenario's visit settings.

    Parameters
    ----------
    prepared : PreparedDataset
        Not modified; needs activity (``prepared.monthly_channels``).
    codes : numpy.ndarray
        Group code per customer row (``-1`` unassigned).
    labels : sequence of str
        Group labels in code order, language-free.
    settings : VisitSettings
    cube, fits : optional
        ``visit_cube(prepared)`` and ``visit_fits(cube)`` when the caller has them cached (they
        depend on the dataset only).

    Returns
    -------
    VisitsView
    """
    labels = tuple(labels)
    cube = cube if cube is not None else visit_cube(prepared)
    fits = fits if fits is not None else visit_fits(cube, settings.decline)
    segments, _ = segment_declines(cube, codes, labels, settings.decline)  # no monthly segment history
    flows = substitution_flows(cube, codes, labels, total_label=BANK)
    base = what_if_base(cube, codes, labels, fits.branch_fits)
    view = VisitsView(
        n_months=cube.n_months,
        kpis=visit_kpis(prepared, cube, fits.bank, settings.attrition, settings.benchmark),
        rates=off_counter_rates(prepared, settings.benchmark),
        channels=channel_trend(prepared, "bank"),
        bank_fit=fits.bank,
        halving=halving_message(fits.bank),
        curvature=curvature_message(fits.bank),
        history=fitted_history(fits.bank, bank_counter_series(cube), cube.months),
        forecast=counter_forecast(fits.bank, 12),
        branches=fits.branches,
        groups=labels,
        segments=segments,
        flows=flows,
        substitution=substitution_message(flows),
        base=base,
        what_if=settings.what_if,
        staffing=pd.DataFrame(),
        what_if_result=Message("visits_what_if_sentence"),
        at_risk=silent_attrition(prepared, cube, settings.attrition),
        settings=settings,
    )
    return with_what_if(view, settings.what_if)


def with_what_if(view: VisitsView, what_if: WhatIfInputs) -> VisitsView:
    """Return ``view`` under other what-if inputs: only the staffing is recomputed (small per-branch arrays).

    A what-if slider moves this and nothing else; no group chosen means every group.
    """
    chosen = replace(what_if, segments=tuple(what_if.segments) or tuple(range(len(view.groups))))
    staffing = what_if_staffing(view.base, chosen)
    return replace(
        view,
        what_if=chosen,
        staffing=staffing,
        what_if_result=what_if_message(staffing, chosen),
        settings=replace(view.settings, what_if=what_if),
    )
