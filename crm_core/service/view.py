"""The Service quality view's one result: complaints and satisfaction by branch and group, and their link to churn.

Every surface that shows a service figure (the Service quality page, a deck slide) reads it from
``service_view``. The result holds no words: units are the data's branch values, groups the
segmentation's own labels, comparisons codes (``better`` / ``worse`` / ``level``), and what the
view has to say (the complaint–churn link, or why it is not computed, and what the data lacks for
"by channel" and "trend") ``crm_core.messages.Message``.

Measures (active customers only, as the Staff KPIs' complaints and satisfaction):

- **Complaints per 100 customers**: complaints of the last 12 months × 100 / customers with a
  recorded count, with an exact Poisson interval.
- **Satisfaction**: mean survey score (1–5) of the customers who answered, with a t interval
  (clipped to the 1–5 scale); **share satisfied**: answers of 4 or 5, with a Wilson interval;
  **response rate**: answers / customers.

A unit of fewer than ``min_group_customers`` customers shows nothing by itself (with complementary
suppression, ``crm_core.segments.profiles.suppressed_groups``); a unit with fewer than
``min_responses`` answers shows no satisfaction and is not ranked on it, and one with fewer
customers than that is not ranked on complaints. The **benchmark** is the ranked branch with the
highest share satisfied (for satisfaction) and the one with the fewest complaints per 100 (for
complaints). A unit is ``better`` or ``worse`` than the bank or the benchmark only when its
interval excludes their value; otherwise ``level``.

**Complaints and churn.** The contract's ``complaints_12m`` is a count at the extract date, not
dated complaints. Some extracts (the bundled sample among them) clear the count when a customer
closes, so "closed customers never complained" is an artefact of the extract, not a finding.
The link is computed only when the customers who closed carry complaints in a way that can be
told apart from clearing (see ``churn_link``); otherwise the view says what the data lacks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_core import validation as check
from crm_core.contract import TABLES
from crm_core.definitions import churn_outcome
from crm_core.messages import Count, Message, Share
from crm_core.prepare import PreparedDataset, text_codes
from crm_core.segments.profiles import suppressed_groups
from crm_core.service.intervals import mean_interval, poisson_rate_interval, rate_ratio_interval, wilson_interval

UNIT_COLUMNS: tuple[str, ...] = (
    "unit",
    "customers",
    "complaints",
    "complaints_per_100",
    "complaints_low",
    "complaints_high",
    "complaints_rank",
    "complaints_vs_bank",
    "complaints_vs_benchmark",
    "responses",
    "response_rate",
    "satisfaction",
    "satisfaction_low",
    "satisfaction_high",
    "satisfied_share",
    "satisfied_low",
    "satisfied_high",
    "satisfied_rank",
    "satisfied_vs_bank",
    "satisfied_vs_benchmark",
)
"""Columns of ``ServiceView.branches``, ``.groups`` (and the fields of ``.bank``)."""

SATISFACTION_SCALE: tuple[float, float] = (1.0, 5.0)
"""The survey's scale (the contract's ``satisfaction``): a mean's interval is clipped to it."""

COMPARISONS: tuple[str, ...] = ("better", "worse", "level", "")
"""Codes of the ``*_vs_*`` columns ("" where the unit's figure is not shown)."""

LINK_STATUSES: tuple[str, ...] = (
    "computed",
    "no_complaints",
    "no_closures",
    "not_recorded_for_closed",
    "cleared_at_closure",
)
"""``ChurnLink.status``: computed, or why not."""

TOLERANCE = 1e-12
"""An interval that reaches a value to within float noise holds it (a unit is level with itself)."""

CLEARED_CHANCE = 0.01
"""Below this chance of the closed customers showing no complaint at all, had they complained like
the others, their zeros are taken as cleared at closure and the link is not computed."""

NEEDED_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("by_channel", ("complaint_date", "complaint_channel")),
    ("trend", ("complaint_date", "survey_date")),
)
"""What "by channel" and "trend" need: dated complaints with their channel, dated survey answers.
The view states it whenever the contract has no such fields (``missing_fields``)."""


@dataclass(frozen=True)
class ServiceSettings:
    """How the Service quality view compares units.

    Parameters
    ----------
    min_responses : int
        Fewest survey answers a unit needs for its satisfaction to be shown and ranked (and
        fewest customers for it to be ranked on complaints).
    min_group_customers : int
        Smallest unit shown at all (the scenario's ``SuppressionConfig.min_customers``).
    confidence : float
        Coverage of every interval.
    satisfied_from : float
        Lowest score counted as satisfied (4: answers of 4 and 5).

    Examples
    --------
    >>> from crm_core.scenarios import Scenario
    >>> ServiceSettings.of(Scenario()).min_group_customers
    10
    """

    min_responses: int = 30
    min_group_customers: int = 10
    confidence: float = 0.95
    satisfied_from: float = 4.0

    def __post_init__(self) -> None:
        check.assign(
            self,
            min_responses=check.whole(self.min_responses, "min_responses", 1, 1_000_000),
            min_group_customers=check.whole(self.min_group_customers, "min_group_customers", 1, 1_000_000),
            confidence=check.number(self.confidence, "confidence", 0.5, 0.999),
            satisfied_from=check.number(self.satisfied_from, "satisfied_from", 1, 5),
        )

    @classmethod
    def of(cls, scenario) -> ServiceSettings:
        """The service settings of a ``Scenario`` (its suppression; the rest at their defaults)."""
        return cls(min_group_customers=scenario.suppression.min_customers)


@dataclass(frozen=True)
class ChurnLink:
    """Churn of the customers who complained against those who did not, or why it is not computed.

    Attributes
    ----------
    status : str
        One of ``LINK_STATUSES``.
    complained_base, complained_closed, others_base, others_closed : int
        Customers in the churn rate's base (``crm_core.definitions.churn_outcome``) with a
        recorded complaint count, split by whether it is at least one, and those of them who
        closed.
    ratio, ratio_low, ratio_high : float
        Churn rate of those who complained over that of the others, with its interval (NaN
        unless computed).
    confidence : float
    """

    status: str
    complained_base: int = 0
    complained_closed: int = 0
    others_base: int = 0
    others_closed: int = 0
    ratio: float = math.nan
    ratio_low: float = math.nan
    ratio_high: float = math.nan
    confidence: float = 0.95

    @property
    def complained_rate(self) -> float:
        """Churn rate of the customers who complained (NaN without any)."""
        return self.complained_closed / self.complained_base if self.complained_base else math.nan

    @property
    def others_rate(self) -> float:
        """Churn rate of the customers who did not complain (NaN without any)."""
        return self.others_closed / self.others_base if self.others_base else math.nan

    @property
    def statement(self) -> Message:
        """What to say: the link, or why it is not computed and what the data would need."""
        if self.status == "computed":
            return Message(
                "service_note_link",
                ratio=f"{self.ratio:.1f}",
                low=f"{self.ratio_low:.1f}",
                high=f"{self.ratio_high:.1f}",
                confidence=Share(self.confidence, 0),
                complained=Share(self.complained_rate),
                others=Share(self.others_rate),
                customers=Count(self.complained_base),
            )
        if self.status == "cleared_at_closure":
            return Message(
                "service_note_link_cleared",
                closed=Count(self.complained_closed + self.others_closed),
                share=Share(self.open_complained_share),
            )
        return Message(f"service_note_link_{self.status}")

    @property
    def open_complained_share(self) -> float:
        """Share of the customers still open who complained (what the cleared statement compares)."""
        open_complained = self.complained_base - self.complained_closed
        open_all = open_complained + self.others_base - self.others_closed
        return open_complained / open_all if open_all else math.nan


@dataclass(frozen=True)
class ServiceView:
    """Aggregates of the Service quality view (no customer rows, no words).

    Attributes
    ----------
    branches : pandas.DataFrame
        ``UNIT_COLUMNS`` per branch shown (by branch value), best share satisfied first.
    groups : pandas.DataFrame
        ``UNIT_COLUMNS`` per group shown, in label order (``*_vs_benchmark`` empty: the benchmark
        is a branch).
    bank : pandas.Series
        ``UNIT_COLUMNS`` of all active customers (``unit`` "bank").
    satisfaction_benchmark, complaints_benchmark : str or None
        The ranked branch with the highest share satisfied, and with the fewest complaints per
        100 (None when no branch is ranked).
    hidden_branches, hidden_groups : tuple of str
        Units too small to show by themselves: left out of ``branches`` / ``groups``, kept in
        ``bank``.
    link : ChurnLink
    needs : tuple of Message
        What "by channel" and "trend" need that the data does not have.
    has_complaints, has_satisfaction : bool
        Whether the data holds complaint counts and survey scores.
    settings : ServiceSettings
    """

    branches: pd.DataFrame
    groups: pd.DataFrame
    bank: pd.Series
    satisfaction_benchmark: str | None
    complaints_benchmark: str | None
    hidden_branches: tuple[str, ...]
    hidden_groups: tuple[str, ...]
    link: ChurnLink
    needs: tuple[Message, ...]
    has_complaints: bool
    has_satisfaction: bool
    settings: ServiceSettings

    def benchmark_row(self, measure: str) -> pd.Series | None:
        """The benchmark branch's row for ``"satisfied"`` or ``"complaints"`` (None without one)."""
        unit = self.satisfaction_benchmark if measure == "satisfied" else self.complaints_benchmark
        if unit is None:
            return None
        return self.branches.set_index("unit").loc[unit].rename(unit)


@dataclass(frozen=True)
class _Inputs:
    """Per-customer arrays of the active customers, computed once per view."""

    recorded: np.ndarray  # complaint count recorded
    complaints: np.ndarray  # complaints (0 where not recorded)
    answered: np.ndarray
    score: np.ndarray  # satisfaction (0 where not answered)
    active: np.ndarray


def _inputs(prepared: PreparedDataset) -> _Inputs:
    customers = prepared.customers
    n = len(customers)
    active = customers["is_active"].to_numpy(dtype=bool) if "is_active" in customers else np.ones(n, dtype=bool)
    if prepared.has("complaints_12m"):
        values = customers["complaints_12m"].astype("float").to_numpy(dtype=float, na_value=np.nan)
        recorded = ~np.isnan(values)
    else:
        values, recorded = np.zeros(n), np.zeros(n, dtype=bool)
    if prepared.has("satisfaction"):
        score = customers["satisfaction"].astype("float").to_numpy(dtype=float, na_value=np.nan)
        answered = ~np.isnan(score)
    else:
        score, answered = np.zeros(n), np.zeros(n, dtype=bool)
    return _Inputs(
        recorded=recorded & active,
        complaints=np.where(recorded & active, values, 0.0),
        answered=answered & active,
        score=np.where(answered & active, score, 0.0),
        active=active,
    )


def _sums(inputs: _Inputs, codes: np.ndarray | None, size: int, satisfied_from: float) -> dict[str, np.ndarray]:
    """Sums per unit over codes ``0 … size − 1`` (a negative code: in no unit); ``codes=None``: one unit of all."""
    if codes is not None:
        codes = np.where(codes < 0, size, codes)

    def total(weights) -> np.ndarray:
        if codes is None:
            return np.array([weights.sum(dtype=np.float64)])
        return np.bincount(codes, weights=weights, minlength=size)[:size]

    return {
        "customers": total(inputs.active.astype(float)),
        "recorded": total(inputs.recorded.astype(float)),
        "complaints": total(inputs.complaints),
        "responses": total(inputs.answered.astype(float)),
        "score": total(inputs.score),
        "score_squares": total(inputs.score**2),
        "satisfied": total((inputs.answered & (inputs.score >= satisfied_from)).astype(float)),
    }


def _compared(value: np.ndarray, low: np.ndarray, high: np.ndarray, target: float, higher_better: bool) -> list[str]:
    if target is None or not math.isfinite(target):
        return ["" for _ in value]
    out = []
    for v, lo, hi in zip(value, low, high, strict=True):
        if not math.isfinite(v):
            out.append("")
        elif lo > target + TOLERANCE:
            out.append("better" if higher_better else "worse")
        elif hi < target - TOLERANCE:
            out.append("worse" if higher_better else "better")
        else:
            out.append("level")
    return out


def _ranks(values: np.ndarray, ranked: np.ndarray, ascending: bool) -> pd.Series:
    series = pd.Series(np.where(ranked, values, np.nan))
    return series.rank(method="min", ascending=ascending).astype("Int64")


def _unit_table(
    units: Sequence[str], sums: dict[str, np.ndarray], hidden: np.ndarray, settings: ServiceSettings
) -> pd.DataFrame:
    """``UNIT_COLUMNS`` of every unit (hidden ones included, their figures blank), comparisons left empty."""
    confidence = settings.confidence
    recorded, responses = sums["recorded"], sums["responses"]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_100 = np.where(recorded > 0, sums["complaints"] * 100 / recorded, np.nan)
        mean = np.where(responses > 0, sums["score"] / responses, np.nan)
        satisfied = np.where(responses > 0, sums["satisfied"] / responses, np.nan)
        response_rate = np.where(sums["customers"] > 0, responses / sums["customers"], np.nan)
    complaints_low, complaints_high = poisson_rate_interval(sums["complaints"], recorded, confidence)
    mean_low, mean_high = mean_interval(sums["score"], sums["score_squares"], responses, confidence)
    mean_low, mean_high = np.clip(mean_low, *SATISFACTION_SCALE), np.clip(mean_high, *SATISFACTION_SCALE)
    share_low, share_high = wilson_interval(sums["satisfied"], responses, confidence)
    rated = ~hidden & (responses >= settings.min_responses)
    counted = ~hidden & (recorded > 0)

    def only(values: np.ndarray, shown: np.ndarray) -> np.ndarray:
        return np.where(shown, values, np.nan)

    return pd.DataFrame(
        {
            "unit": list(units),
            "customers": pd.array(np.where(hidden, np.nan, sums["customers"]), dtype="Int64"),
            "complaints": pd.array(np.where(counted, sums["complaints"], np.nan), dtype="Int64"),
            "complaints_per_100": only(per_100, counted),
            "complaints_low": only(complaints_low * 100, counted),
            "complaints_high": only(complaints_high * 100, counted),
            "complaints_rank": _ranks(per_100, counted & (recorded >= settings.min_responses), ascending=True),
            "complaints_vs_bank": "",
            "complaints_vs_benchmark": "",
            "responses": pd.array(np.where(hidden, np.nan, responses), dtype="Int64"),
            "response_rate": only(response_rate, ~hidden),
            "satisfaction": only(mean, rated),
            "satisfaction_low": only(mean_low, rated),
            "satisfaction_high": only(mean_high, rated),
            "satisfied_share": only(satisfied, rated),
            "satisfied_low": only(share_low, rated),
            "satisfied_high": only(share_high, rated),
            "satisfied_rank": _ranks(satisfied, rated, ascending=False),
            "satisfied_vs_bank": "",
            "satisfied_vs_benchmark": "",
        },
        columns=list(UNIT_COLUMNS),
    )


def _with_comparisons(table: pd.DataFrame, bank: pd.Series, benchmark: dict[str, float] | None) -> pd.DataFrame:
    out = table.copy()
    for measure, column, higher_better in (
        ("complaints", "complaints_per_100", False),
        ("satisfied", "satisfied_share", True),
    ):
        value = out[column].to_numpy(dtype=float)
        low = out[f"{measure}_low"].to_numpy(dtype=float)
        high = out[f"{measure}_high"].to_numpy(dtype=float)
        out[f"{measure}_vs_bank"] = _compared(value, low, high, float(bank[column]), higher_better)
        if benchmark is not None:
            out[f"{measure}_vs_benchmark"] = _compared(value, low, high, benchmark[measure], higher_better)
    return out


def _best(table: pd.DataFrame, rank: str, tiebreak: str) -> str | None:
    ranked = table[table[rank].notna()]
    if ranked.empty:
        return None
    order = ranked.sort_values([rank, tiebreak, "unit"], ascending=[True, False, True], kind="stable")
    return str(order["unit"].iloc[0])


def churn_link(prepared: PreparedDataset, settings: ServiceSettings | None = None) -> ChurnLink:
    """Churn of the customers who complained against the others, computed only when the data supports it.

    The base and closures are the churn rate's (``crm_core.definitions.churn_outcome``); a
    customer counts as having complained with a recorded ``complaints_12m`` of at least one.
    Not computed when the data has no complaint counts (``no_complaints``), records no closures
    (``no_closures``), leaves the count blank for every customer who closed
    (``not_recorded_for_closed``), or shows no complaint among the closed where, had they
    complained like the customers still open, that would happen with a chance below
    ``CLEARED_CHANCE`` (``cleared_at_closure``: the extract clears the count at closure).

    Parameters
    ----------
    prepared : PreparedDataset
        Not modified.
    settings : ServiceSettings, optional
        Its ``confidence`` sets the ratio's interval.

    Returns
    -------
    ChurnLink
    """
    settings = settings or ServiceSettings()
    confidence = settings.confidence
    if not prepared.has("complaints_12m"):
        return ChurnLink("no_complaints", confidence=confidence)
    outcome = churn_outcome(prepared.customers)
    if outcome is None:
        return ChurnLink("no_closures", confidence=confidence)
    base, closed = outcome
    values = prepared.customers["complaints_12m"].astype("float").to_numpy(dtype=float, na_value=np.nan)
    recorded = base & ~np.isnan(values)
    complained = recorded & (np.nan_to_num(values) >= 1)
    others = recorded & ~complained
    counts = {
        "complained_base": int(complained.sum()),
        "complained_closed": int((complained & closed).sum()),
        "others_base": int(others.sum()),
        "others_closed": int((others & closed).sum()),
    }
    if not (recorded & closed).any():
        status = "no_closures" if not (base & closed).any() else "not_recorded_for_closed"
        return ChurnLink(status, **counts, confidence=confidence)
    still_open = recorded & ~closed
    open_share = complained[still_open].mean() if still_open.any() else 0.0
    closed_recorded = int((recorded & closed).sum())
    if counts["complained_closed"] == 0 and (1 - open_share) ** closed_recorded < CLEARED_CHANCE:
        return ChurnLink("cleared_at_closure", **counts, confidence=confidence)
    ratio, low, high = rate_ratio_interval(
        counts["complained_closed"], counts["complained_base"], counts["others_closed"], counts["others_base"],
        confidence,
    )  # fmt: skip
    if not math.isfinite(ratio):
        return ChurnLink("no_closures", **counts, confidence=confidence)
    return ChurnLink("computed", **counts, ratio=ratio, ratio_low=low, ratio_high=high, confidence=confidence)


def missing_fields() -> tuple[Message, ...]:
    """What "by channel" and "trend" need that the canonical contract has no field for.

    Examples
    --------
    >>> [m.key for m in missing_fields()]
    ['service_note_needs_by_channel', 'service_note_needs_trend']
    """
    known = {field.name for fields in TABLES.values() for field in fields}
    out = []
    for what, needed in NEEDED_FIELDS:
        absent = [name for name in needed if name not in known]
        if absent:
            out.append(Message(f"service_note_needs_{what}"))  # the catalog text names the fields
    return tuple(out)


def service_view(
    prepared: PreparedDataset, codes: np.ndarray, labels: Sequence[str], settings: ServiceSettings
) -> ServiceView | None:
    """Return the Service quality view: complaints and satisfaction by branch and group, and the churn link.

    Parameters
    ----------
    prepared : PreparedDataset
        Not modified.
    codes : numpy.ndarray
        Group code per customer row (``-1`` unassigned: in the bank, in no group).
    labels : sequence of str
        Group labels in code order, language-free (a segmentation's own labels).
    settings : ServiceSettings

    Returns
    -------
    ServiceView or None
        None when the data has neither complaint counts nor satisfaction scores.
    """
    has_complaints, has_satisfaction = prepared.has("complaints_12m"), prepared.has("satisfaction")
    if not (has_complaints or has_satisfaction):
        return None
    inputs = _inputs(prepared)
    customers = prepared.customers
    bank_sums = _sums(inputs, None, 1, settings.satisfied_from)
    bank = _unit_table(("bank",), bank_sums, np.zeros(1, dtype=bool), settings).iloc[0]
    bank["complaints_rank"] = bank["satisfied_rank"] = pd.NA

    if "branch" in customers:
        branch_codes, units = text_codes(customers["branch"])
        units = [str(u) for u in units]
    else:
        branch_codes, units = np.zeros(len(customers), dtype=np.int64), []
    branch_sums = _sums(inputs, branch_codes, len(units), settings.satisfied_from)
    branch_hidden = suppressed_groups(branch_sums["customers"].astype(np.int64), settings.min_group_customers)
    branches = _unit_table(units, branch_sums, branch_hidden, settings)
    satisfaction_benchmark = _best(branches, "satisfied_rank", "responses")
    complaints_benchmark = _best(branches, "complaints_rank", "customers")
    by_unit = branches.set_index("unit")
    benchmark = {
        "satisfied": by_unit.loc[satisfaction_benchmark, "satisfied_share"] if satisfaction_benchmark else math.nan,
        "complaints": by_unit.loc[complaints_benchmark, "complaints_per_100"] if complaints_benchmark else math.nan,
    }
    branches = _with_comparisons(branches, bank, benchmark)
    shown_branches = branches[~branch_hidden].sort_values(
        ["satisfied_rank", "complaints_rank", "unit"], na_position="last", kind="stable"
    )

    labels = [str(label) for label in labels]
    group_codes = np.asarray(codes, dtype=np.int64)
    group_sums = _sums(inputs, group_codes, len(labels), settings.satisfied_from)
    unassigned = int((inputs.active & (group_codes < 0)).sum())
    group_counts = np.append(group_sums["customers"], unassigned).astype(np.int64)
    group_hidden = suppressed_groups(group_counts, settings.min_group_customers)[: len(labels)]
    groups = _with_comparisons(_unit_table(labels, group_sums, group_hidden, settings), bank, None)

    return ServiceView(
        branches=shown_branches.reset_index(drop=True),
        groups=groups[~group_hidden].reset_index(drop=True),
        bank=bank,
        satisfaction_benchmark=satisfaction_benchmark,
        complaints_benchmark=complaints_benchmark,
        hidden_branches=tuple(u for u, hide in zip(units, branch_hidden, strict=True) if hide),
        hidden_groups=tuple(label for label, hide in zip(labels, group_hidden, strict=True) if hide),
        link=churn_link(prepared, settings),
        needs=missing_fields(),
        has_complaints=has_complaints,
        has_satisfaction=has_satisfaction,
        settings=settings,
    )
