"""Comparing scenarios side by side: tiers, migration, opportunity, at-risk AUM, staff rankings.

``scenario_summary`` reduces one scenario to small results (computed from the prepared dataset
with the scenario's configs); ``scenario_comparison`` lines up 2–4 summaries with deltas against
the first and one sentence per difference, as messages rendered at the edge.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_core import loyalty, products, segments, staff
from crm_core.messages import Count, Message, Money, Term
from crm_core.prepare import PreparedDataset
from crm_core.scenarios import Scenario, scenario_term


@dataclass(frozen=True, eq=False)
class ScenarioSummary:
    """One scenario's headline results.

    Attributes
    ----------
    name : str
    tier_codes : numpy.ndarray
        Tier per customer (for migration between scenarios).
    tier_labels : tuple of str
    tiers : pandas.DataFrame
        ``group``, ``customers``, ``aum`` per tier (active customers).
    opportunity_value : float
        CNY a year from converting non-holders of the offered products at the scenario's rates.
    gap_value : float
        CNY a year from closing every gap to the scenario's product benchmark.
    at_risk_aum : float
        AUM of active customers in the high risk band under the scenario's churn definition (NaN without a model).
    retained_aum : float
        AUM the scenario's retention what-if keeps next year (NaN without a model).
    ranking : pandas.DataFrame
        Branch ranking under the scenario's staff weights: ``unit``, ``rank`` (ranked branches only).
    """

    name: str
    tier_codes: np.ndarray
    tier_labels: tuple[str, ...]
    tiers: pd.DataFrame
    opportunity_value: float
    gap_value: float
    at_risk_aum: float
    retained_aum: float
    ranking: pd.DataFrame


def scenario_summary(
    prepared: PreparedDataset,
    scenario: Scenario,
    churn_risk: loyalty.ChurnRisk | None = None,
    product_view: products.ProductsView | None = None,
    staff_views: Callable[[str], staff.StaffView] | None = None,
    loyalty_view: loyalty.LoyaltyView | None = None,
    profile_inputs: segments.ProfileInputs | None = None,
) -> ScenarioSummary:
    """Return the headline results of one scenario.

    Parameters
    ----------
    prepared : PreparedDataset
    scenario : Scenario
    churn_risk : ChurnRisk, optional
        The trained model for ``scenario.churn`` (the app passes its cached one); trained when None.
    product_view : ProductsView, optional
        ``products_view`` over the scenario's tiers (the app passes its cached one); built when None.
    staff_views : callable, optional
        ``level -> staff_view(prepared, level, StaffSettings.of(scenario))`` from the caller's cache
        (computed here when None).
    loyalty_view : LoyaltyView, optional
        ``loyalty_view`` over the scenario's tiers (the app passes its cached one); built when None.
    profile_inputs : ProfileInputs, optional
        ``segments.profile_inputs(prepared)`` (the app passes its cached one); extracted when None.
    """
    tiers = segments.aum_tiers(prepared, scenario.tiers)
    source = profile_inputs if profile_inputs is not None else prepared
    profiles = segments.group_profiles(source, tiers.codes, tiers.labels)
    # every tier, with small ones folded into the suppressed row, so the tiers add up to the bank
    tier_table = profiles.loc[profiles["code"] != -1, ["code", "group", "customers", "aum"]].reset_index(drop=True)

    view = product_view or products.products_view(
        prepared, tiers.codes, tiers.labels, products.ProductSettings.of(scenario)
    )
    opportunity, gap = (view.opportunity_value, view.gap_value) if view is not None else (0.0, 0.0)

    loyal = loyalty_view
    if loyal is None:
        risk = churn_risk if churn_risk is not None else loyalty.churn_risk_model(prepared, scenario.churn)
        settings = loyalty.LoyaltySettings.of(scenario)
        loyal = loyalty.loyalty_view(prepared, tiers.codes, scenario.tiers.labels, settings, risk=risk)
    at_risk, retained = loyal.at_risk_aum, loyal.aum_kept

    views = staff_views or (lambda level: staff.staff_view(prepared, level, staff.StaffSettings.of(scenario)))
    ranking = views("branch").scenario_ranks  # ranked branches only: a unit too small to rank has no rank
    return ScenarioSummary(scenario.name, tiers.codes, tiers.labels, tier_table, opportunity, gap, at_risk,
                           retained, ranking)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Comparison:
    """Side-by-side results of 2–4 scenarios (the first is the reference).

    Attributes
    ----------
    tiers : pandas.DataFrame
        One row per scenario and tier: ``scenario``, ``group``, ``customers``, ``aum``.
    headline : pandas.DataFrame
        One row per scenario: opportunity, gap value, at-risk AUM, retained AUM and their deltas
        against the first scenario.
    migrations : dict
        Scenario name → (counts, aum) migration matrices from the first scenario's tiers.
    rank_changes : pandas.DataFrame
        Branches whose rank differs most between the first scenario and each other one.
    sentences : tuple of Message
        One sentence per difference (rendered at the edge); tiers and built-in scenarios as terms.
    """

    tiers: pd.DataFrame
    headline: pd.DataFrame
    migrations: dict[str, tuple[pd.DataFrame, pd.DataFrame]]
    rank_changes: pd.DataFrame
    sentences: tuple[Message, ...]


_DELTA_WHAT: dict[str, Term] = {
    "opportunity_delta": Term("comparison_what_opportunity"),
    "at_risk_delta": Term("comparison_what_at_risk"),
    "retained_delta": Term("comparison_what_retained"),
}
"""Headline delta column → the catalog term that names it in a sentence."""


def _delta_message(name: Term | str, column: str, delta: float) -> Message | None:
    if not np.isfinite(delta) or delta == 0:
        return None
    fields = {"name": name, "what": _DELTA_WHAT[column], "amount": Money(abs(delta))}
    return Message("comparison_raises", **fields) if delta > 0 else Message("comparison_lowers", **fields)


def scenario_comparison(
    prepared: PreparedDataset,
    summaries: Sequence[ScenarioSummary],
    movers: int = 5,
    unit_names: Mapping[str, str] | None = None,
) -> Comparison:
    """Return 2–4 scenario summaries side by side with deltas and sentences against the first.

    Raises
    ------
    ValueError
        Fewer than two or more than four summaries.
    """
    if not 2 <= len(summaries) <= 4:
        raise ValueError("compare two to four scenarios")
    reference = summaries[0]
    tiers = pd.concat([s.tiers.assign(scenario=s.name) for s in summaries], ignore_index=True)[
        ["scenario", "code", "group", "customers", "aum"]
    ]
    rows = []
    for s in summaries:
        rows.append(
            {
                "scenario": s.name,
                "opportunity_value": s.opportunity_value,
                "gap_value": s.gap_value,
                "at_risk_aum": s.at_risk_aum,
                "retained_aum": s.retained_aum,
                "opportunity_delta": s.opportunity_value - reference.opportunity_value,
                "at_risk_delta": s.at_risk_aum - reference.at_risk_aum,
                "retained_delta": s.retained_aum - reference.retained_aum,
            }
        )
    headline = pd.DataFrame(rows)
    active = prepared.customers["is_active"].to_numpy()
    aum = prepared.customers["aum"].to_numpy(dtype=float)
    migrations, changes, sentences = {}, [], []
    for s in summaries[1:]:
        name = scenario_term(s.name)
        counts, moved = segments.migration_matrix(
            reference.tier_codes[active],
            s.tier_codes[active],
            aum[active],
            segments.tier_terms(reference.tier_labels),
            segments.tier_terms(s.tier_labels),
        )
        migrations[s.name] = (counts, moved)
        off_diagonal = int(
            counts.to_numpy().sum() - np.trace(counts.to_numpy()[: min(counts.shape), : min(counts.shape)])
        )
        if reference.tier_labels == s.tier_labels and off_diagonal:
            quoted = Message("comparison_quoted", name=name)
            sentences.append(Message("comparison_moves", moves=segments.migration_message(counts, moved, quoted)))
        elif off_diagonal:
            sentences.append(Message("comparison_tiers_differ", name=name, count=Count(off_diagonal)))
        row = headline.loc[headline["scenario"] == s.name].iloc[0]
        for column in _DELTA_WHAT:
            message = _delta_message(name, column, float(row[column]))
            if message is not None:
                sentences.append(message)
        merged = reference.ranking.merge(s.ranking, on="unit", suffixes=("_reference", "_scenario"))
        merged["rank_change"] = merged["rank_reference"] - merged["rank_scenario"]
        merged["scenario"] = s.name
        top = merged.reindex(merged["rank_change"].abs().sort_values(ascending=False, kind="stable").index).head(movers)
        changes.append(top)
        if len(top) and top["rank_change"].abs().iloc[0] > 0:
            unit = top.iloc[0].copy()
            unit["unit"] = (unit_names or {}).get(str(unit["unit"]), unit["unit"])
            sentences.append(
                Message(
                    "comparison_rank_moves",
                    name=name,
                    unit=str(unit["unit"]),
                    before=int(unit["rank_reference"]),
                    after=int(unit["rank_scenario"]),
                )
            )
    rank_changes = pd.concat(changes, ignore_index=True) if changes else pd.DataFrame()
    return Comparison(tiers, headline, migrations, rank_changes, tuple(sentences))
