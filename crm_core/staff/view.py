"""The Staff KPIs view's one result: the ranking, its uncertainty, status and guardrail for one level and settings.

Every surface that shows a staff figure (the Staff KPIs page, the report's staff step and
ranking table, the playbook's ranking finding, the scenario comparison) reads it from
``staff_view``; none assembles the chain (scorecard → weights → ranking table → rank ranges →
movers → guardrail) again. The result holds no words: units are the data's own names, the
sentences are ``Message`` values; a surface names units and renders messages in its language.

Units too small to rank (fewer than ``ScorecardConfig.min_unit_customers`` active customers)
show no figure of their own: the ranking folds them into one row, "units under N customers
(k units, m customers)", which shows figures only when its customers together reach N, and
customers without a unit get a row of their own, so the customers of the rows add up to the
bank's active customers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cache, partial

import numpy as np
import pandas as pd

from crm_core.messages import Count, Message, Term
from crm_core.prepare import PreparedDataset
from crm_core.staff.config import (
    CUSTOMER_CENTRIC,
    DEFAULT_GUARDRAIL,
    DEFAULT_SCORECARD,
    DEFAULT_STATUS,
    INDICATOR_BY_NAME,
    PERSPECTIVES,
    PRESET_BY_KEY,
    PRESET_TERMS,
    PRESETS,
    GuardrailConfig,
    ScorecardConfig,
    StatusConfig,
)
from crm_core.staff.guardrail import guardrail_flags, guardrail_messages
from crm_core.staff.indicators import Scorecard, scorecard_notes
from crm_core.staff.ranks import rank_intervals, separation_message, weighted_scores
from crm_core.staff.scores import movers_message, ranking_table, scorecard_weights, weight_vector
from crm_core.staff.status import indicator_status

UNIT, SMALL_UNITS, UNASSIGNED = "unit", "small_units", "unassigned"
"""Kinds of ranking row (the ``row`` column): a ranked unit, the fold of the units too small
to rank, the customers without a unit."""

UNASSIGNED_ROWS: dict[str, Term] = {
    "branch": Term("staff_unassigned_row_branch"),
    "relationship_manager": Term("staff_unassigned_row_relationship_manager"),
}
"""Catalog key of the row of customers without a unit, per level."""

FIGURES: tuple[str, ...] = ("score", "baseline_score", *PERSPECTIVES)
"""The figures of a ranking row that a fold shows only from the minimum size."""


@dataclass(frozen=True)
class StaffSettings:
    """The scenario's staff section: the assessment compared with its baseline, and how units are scored.

    Parameters
    ----------
    weights : tuple of (str, int)
        The scenario's indicator weights (whole percentages).
    baseline : str
        Key of the preset the ranking is compared with.
    proposed : tuple of (str, int)
        Weights compared with the baseline when the scenario's equal it (the "Proposed
        strategy" assessment), so the view shows what a change would do.
    config, status, guardrail
        Scorecard computation, status rules and guardrail rule.

    Examples
    --------
    >>> from crm_core.scenarios import Scenario
    >>> StaffSettings.of(Scenario()).baseline
    'deposit_sales'
    """

    weights: tuple[tuple[str, int], ...]
    baseline: str
    proposed: tuple[tuple[str, int], ...] = CUSTOMER_CENTRIC.weights
    config: ScorecardConfig = DEFAULT_SCORECARD
    status: StatusConfig = DEFAULT_STATUS
    guardrail: GuardrailConfig = DEFAULT_GUARDRAIL

    @classmethod
    def of(cls, scenario) -> StaffSettings:
        """The staff settings of a ``Scenario``."""
        return cls(tuple(scenario.staff_weights), scenario.staff_baseline)


@dataclass(frozen=True, eq=False)
class StaffView:
    """Aggregates of the Staff KPIs view for one level (no customer rows, no words).

    Attributes
    ----------
    level, requested_level : str
        The level the units are (``relationship_manager`` falls back to ``branch``) and the one asked for.
    indicators : tuple of str
        Indicators the dataset supports (the weight sliders).
    units : tuple of str
        The ranked units (enough customers), in name order; the only units with figures.
    small_units : tuple of str
        Units too small to rank, folded into one row.
    ranking : pandas.DataFrame
        ``ranking_table`` columns for the ranked units by rank, then the fold row and the row
        of customers without a unit (when there are any), with ``row`` (``UNIT``,
        ``SMALL_UNITS``, ``UNASSIGNED``); ``unit`` is missing on the last two; ``note`` holds
        a ``Message`` or None. The fold's figures are missing below the minimum size.
    weights, baseline_weights, scenario_weights : dict
        Weights over the available indicators: those compared, the baseline's, the scenario's.
    fallback : bool
        The scenario's weights equal the baseline's, so ``weights`` are ``settings.proposed``.
    baseline_label, current_label : Term
        Names of the two assessments compared.
    movers, separation : Message or None
        What moved beyond its noise; what the rank ranges can tell apart.
    status, values : pandas.DataFrame
        Status (``green`` … ``none``) and raw value of every ranked unit × indicator.
    guardrail : pandas.DataFrame
        ``guardrail_flags`` (ranked units only).
    guardrail_notes : tuple of Message
        One sentence per flagged unit.
    notes : tuple of Message
        What the scorecard could not do (``scorecard_notes``).
    settings : StaffSettings
    """

    level: str
    requested_level: str
    indicators: tuple[str, ...]
    units: tuple[str, ...]
    small_units: tuple[str, ...]
    ranking: pd.DataFrame
    weights: dict[str, int]
    baseline_weights: dict[str, int]
    scenario_weights: dict[str, int]
    fallback: bool
    baseline_label: Term
    current_label: Term
    movers: Message | None
    separation: Message | None
    status: pd.DataFrame
    values: pd.DataFrame
    guardrail: pd.DataFrame
    guardrail_notes: tuple[Message, ...]
    notes: tuple[Message, ...]
    settings: StaffSettings

    @property
    def rankable(self) -> bool:
        """At least two ranked units and one indicator: a ranking can be shown."""
        return len(self.units) >= 2 and bool(self.indicators)

    @property
    def minimum(self) -> int:
        """Fewest active customers a unit (or the fold) needs to show figures."""
        return self.settings.config.min_unit_customers

    @property
    def scenario_ranks(self) -> pd.DataFrame:
        """``unit``, ``rank`` of the ranked units under the scenario's own weights (the comparison's)."""
        if not self.rankable:
            return pd.DataFrame({"unit": pd.Series(dtype=object), "rank": pd.Series(dtype=np.int64)})
        units = self.ranking[self.ranking["row"] == UNIT]
        rank = units["baseline_rank"] if self.fallback else units["rank"]
        return pd.DataFrame({"unit": units["unit"].astype(str).to_numpy(), "rank": rank.to_numpy(dtype=np.int64)})

    @property
    def fold_rule(self) -> Message:
        """The suppression rule as the page states it, naming the folded units."""
        if not self.small_units:
            return Message("staff_fold_rule", minimum=self.minimum)
        listed = ", ".join(self.small_units[:20]) + (" …" if len(self.small_units) > 20 else "")
        return Message("staff_fold_rule_named", minimum=self.minimum, units=listed)


def _matching_label(card: Scorecard, weights: dict[str, int]) -> Term:
    for preset in PRESETS:
        if scorecard_weights(card, preset) == weights:
            return PRESET_TERMS[preset.key]
    return Term("staff_current")


def _pool_figures(card: Scorecard, weights: Mapping[str, float], baseline: Mapping[str, float]) -> dict[str, float]:
    """Score, baseline score and perspective sub-scores of the pool of small units (NaN below the minimum)."""
    figures = dict.fromkeys(FIGURES, np.nan)
    if card.pool_customers < card.config.min_unit_customers or card.pool_matrix is None:
        return figures

    def weighted(vector: np.ndarray) -> float:
        return float(weighted_scores(card.pool_matrix, card.pool_present, vector))

    vector = weight_vector(card, weights)
    figures["score"] = weighted(vector)
    figures["baseline_score"] = weighted(weight_vector(card, baseline))
    for perspective in PERSPECTIVES:
        member = np.array([INDICATOR_BY_NAME[n].perspective == perspective for n in card.indicators], dtype=float)
        figures[perspective] = weighted(vector * member)
    return figures


def folded_ranking(
    card: Scorecard, table: pd.DataFrame, weights: Mapping[str, float], baseline: Mapping[str, float]
) -> pd.DataFrame:
    """Return ``ranking_table`` with the units too small to rank folded into one row.

    Parameters
    ----------
    card : Scorecard
        The scorecard ``table`` was ranked on.
    table : pandas.DataFrame
        ``ranking_table(card, weights, baseline)``.
    weights, baseline : mapping of str to float
        The weights compared (they score the fold).

    Returns
    -------
    pandas.DataFrame
        The ranked units' rows (by rank), then, when there are small units, one row of them
        together: its ``customers`` their sum, ``small_unit`` True, ``ranked`` False, ranks
        missing, ``rank_change`` 0, and its figures (``FIGURES``) only when that sum reaches
        ``min_unit_customers`` (its ``note`` says why otherwise); then, when some active
        customers have no unit, their row (customers only). A ``row`` column tells the kinds
        apart. Customers of the rows add up to the bank's active customers.
    """
    ranked = table[table["ranked"].to_numpy(dtype=bool)].assign(row=UNIT)
    rows = [ranked]
    minimum = card.config.min_unit_customers
    if card.small.any():
        pool = card.pool_customers
        hidden = pool < minimum
        rows.append(
            pd.DataFrame(
                {
                    **_pool_figures(card, weights, baseline),
                    "rank_change": 0,
                    "customers": pool,
                    "small_unit": True,
                    "ranked": False,
                    "note": [Message("staff_small_units_hidden", minimum=minimum) if hidden else None],
                    "row": SMALL_UNITS,
                }
            )
        )
    if card.unassigned_customers:
        rows.append(
            pd.DataFrame(
                {
                    "rank_change": [0],
                    "customers": card.unassigned_customers,
                    "small_unit": False,
                    "ranked": False,
                    "note": [None],
                    "row": UNASSIGNED,
                }
            )
        )
    folded = pd.concat(rows, ignore_index=True) if len(rows) > 1 else ranked.reset_index(drop=True)
    for column in ("rank", "baseline_rank", "rank_change", "customers"):
        folded[column] = pd.array(folded[column], dtype="Int64")
    for column in ("small_unit", "ranked"):
        folded[column] = folded[column].astype(bool)
    folded["rank_change"] = folded["rank_change"].fillna(0)
    folded["unit"] = pd.array(folded["unit"], dtype="string")
    folded["note"] = pd.Series(list(folded["note"]), dtype=object).where(folded["note"].notna(), None)
    return folded[[*table.columns, "row"]]


def staff_views(prepared: PreparedDataset, settings: StaffSettings) -> Callable[[str], StaffView]:
    """Return ``level -> staff_view(prepared, level, settings)``, each level computed once (the report's
    staff step and staff finding read the same view; the app passes its own cached function instead)."""
    return cache(partial(staff_view, prepared, settings=settings))


def staff_view(
    prepared: PreparedDataset, level: str, settings: StaffSettings, scorecard: Scorecard | None = None
) -> StaffView:
    """Return the Staff KPIs view of a dataset for one level and the scenario's staff settings.

    Parameters
    ----------
    prepared : PreparedDataset
        Not modified.
    level : {"branch", "relationship_manager"}
        Units to rank.
    settings : StaffSettings
    scorecard : Scorecard, optional
        ``crm_core.stored_models.scorecard_of(prepared, level, settings.config)`` when the caller has it cached
        (it depends on the dataset, the level and the config only).

    Returns
    -------
    StaffView
    """
    from crm_core.stored_models import scorecard_of  # the artefact's stored scorecard when it fits

    card = scorecard if scorecard is not None else scorecard_of(prepared, level, settings.config)
    if card.config != settings.config:
        raise ValueError("the scorecard was computed with another configuration than the settings'")
    ranked_units = tuple(u for u, ok in zip(card.units, card.ranked, strict=True) if ok)
    small_units = tuple(u for u, small in zip(card.units, card.small, strict=True) if small)
    scenario_weights = scorecard_weights(card, dict(settings.weights)) if card.indicators else {}
    baseline = scorecard_weights(card, PRESET_BY_KEY[settings.baseline]) if card.indicators else {}
    fallback = bool(scenario_weights) and scenario_weights == baseline
    weights = scorecard_weights(card, dict(settings.proposed)) if fallback else scenario_weights
    baseline_label = PRESET_TERMS[settings.baseline]
    current_label = Term("staff_proposed") if fallback else _matching_label(card, weights)
    values = card.values.loc[list(ranked_units)]
    empty = pd.DataFrame()
    if len(ranked_units) < 2 or not card.indicators:
        return StaffView(
            card.level, card.requested_level, card.indicators, ranked_units, small_units, empty, weights, baseline,
            scenario_weights, fallback, baseline_label, current_label, None, None, empty, values, empty, (),
            scorecard_notes(card), settings,
        )  # fmt: skip
    table = ranking_table(card, weights, baseline)
    flags = guardrail_flags(card, settings.guardrail)
    return StaffView(
        level=card.level,
        requested_level=card.requested_level,
        indicators=card.indicators,
        units=ranked_units,
        small_units=small_units,
        ranking=folded_ranking(card, table, weights, baseline),
        weights=weights,
        baseline_weights=baseline,
        scenario_weights=scenario_weights,
        fallback=fallback,
        baseline_label=baseline_label,
        current_label=current_label,
        movers=movers_message(table, baseline_label, current_label),
        separation=separation_message(rank_intervals(card, weights), card.level),
        status=indicator_status(card, settings.status).loc[list(ranked_units)],
        values=values,
        guardrail=flags,
        guardrail_notes=guardrail_messages(flags, settings.guardrail),
        notes=scorecard_notes(card),
        settings=settings,
    )


def named(message: Message | None, names: Mapping[str, str]) -> Message | None:
    """Return ``message`` with the units it names (``unit`` parameters, at any depth) shown as ``names``.

    Examples
    --------
    >>> named(Message("staff_mover_up", unit="N", before=2, after=1), {"N": "North"})
    Message('staff_mover_up', after=1, before=2, unit='North')
    """
    if message is None or not names:
        return message
    params = {}
    for key, value in message.params:
        if isinstance(value, Message):
            value = named(value, names)
        elif key == "unit" and isinstance(value, str):
            value = names.get(value, value)
        params[key] = value
    return Message(message.key, **params)


def row_labels(view: StaffView, names: Mapping[str, str] | None = None) -> list[str | Message]:
    """Return the label of every ranking row: the unit's name, or a message for the fold and the unassigned."""
    names = names or {}
    ranking = view.ranking
    small = int(ranking.loc[ranking["row"] == SMALL_UNITS, "customers"].sum())
    fold = Message(
        "staff_small_units_row", minimum=view.minimum, units=Count(len(view.small_units)), customers=Count(small)
    )
    labels: list[str | Message] = []
    for kind, unit in zip(ranking["row"], ranking["unit"], strict=True):
        if kind == SMALL_UNITS:
            labels.append(fold)
        elif kind == UNASSIGNED:
            labels.append(Message(UNASSIGNED_ROWS[view.level].key))
        else:
            labels.append(names.get(str(unit), str(unit)))
    return labels


def labelled_ranking(view: StaffView, names: Mapping[str, str], render: Callable[[Message], str]) -> pd.DataFrame:
    """Return the folded ranking with its rows labelled and its notes rendered by ``render`` (at an edge)."""
    shown = view.ranking.copy()
    shown["unit"] = pd.array(
        [label if isinstance(label, str) else render(label) for label in row_labels(view, names)], dtype="string"
    )
    shown["note"] = pd.array([render(named(n, names)) if n is not None else "" for n in shown["note"]], dtype="string")
    return shown


def named_view(view: StaffView, names: Mapping[str, str]) -> StaffView:
    """Return ``view`` naming its units as ``names`` (frames and messages; figures unchanged)."""
    if not names:
        return view

    def renamed(frame: pd.DataFrame) -> pd.DataFrame:
        if "unit" not in frame:
            return frame
        units = [names.get(u, u) if isinstance(u, str) else u for u in frame["unit"]]
        return frame.assign(unit=pd.array(units, dtype="string"))

    return replace(
        view,
        units=tuple(names.get(u, u) for u in view.units),
        small_units=tuple(names.get(u, u) for u in view.small_units),
        ranking=renamed(view.ranking),
        movers=named(view.movers, names),
        separation=named(view.separation, names),
        status=view.status.rename(index=names),
        values=view.values.rename(index=names),
        guardrail=renamed(view.guardrail),
        guardrail_notes=tuple(named(n, names) for n in view.guardrail_notes),
    )


def with_params(message: Message, **params: object) -> Message:
    """Return ``message`` with some parameters replaced (a surface naming an assessment its own way).

    Examples
    --------
    >>> with_params(Message("staff_movers_none", baseline="A", current="B"), current="C")
    Message('staff_movers_none', baseline='A', current='C')
    """
    return Message(message.key, **{**dict(message.params), **params})
