"""The playbook per segment: position, service model, products, stickiness levers and risks.

``segment_metrics`` measures every tier of the scenario (one small row per tier);
``segment_playbook`` applies ``PlaybookRules`` to those rows. Every recommendation carries
the metric that triggered it, its value and the rule (key and condition), so a manager can
trace it and a bank can change it by editing the rules, not the code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crm_core import loyalty, products, segments, visits
from crm_core.messages import Count, Message, Money, Share, Term
from crm_core.playbook.config import DEFAULT_RULES, PlaybookRules, Rule
from crm_core.prepare import PreparedDataset
from crm_core.products.config import product_term

if TYPE_CHECKING:  # annotations only: the scenario holds playbook settings
    from crm_core.scenarios import Scenario

PROFILE_METRICS: dict[str, str] = {
    "customers": "customers",
    "customer_share": "customer_share",
    "aum": "aum",
    "aum_share": "aum_share",
    "average_aum": "average_aum",
    "median_aum": "median_aum",
    "average_age": "average_age",
    "products_per_customer": "products_per_customer",
    "digital_share": "digital_active_share",
    "payroll_share": "payroll_share",
    "counter_trend": "counter_trend",
    "churn_rate": "churn_rate",
}
"""Playbook metric → ``segments.group_profiles`` column."""


@dataclass(frozen=True)
class Recommendation:
    """One recommendation, traced to what triggered it (language-free: ``plays_in`` words it).

    Attributes
    ----------
    kind : str
        ``service_model``, ``product``, ``stickiness`` or ``risk``.
    metric : str
        The metric the rule read.
    value : float
        Its value for the segment (or segment × product).
    rule : Rule
        The rule that fired (its key, condition and recommendation template in each language).
    product : str
        The product code, for product recommendations ("" otherwise).
    params : tuple of (str, object)
        The template's fields as data: ``segment`` (a tier term or name), and for products
        ``product`` (a term), ``customers`` (Count) and ``money`` (Money).
    """

    kind: str
    metric: str
    value: float
    rule: Rule
    product: str = ""
    params: tuple[tuple[str, object], ...] = ()

    @property
    def rule_key(self) -> str:
        """The key of the rule that fired."""
        return self.rule.key


@dataclass(frozen=True)
class SegmentPlay:
    """The playbook of one segment, as data (``plays_in`` renders it in a language).

    Attributes
    ----------
    code : int
        Tier code in the scenario's tiers.
    segment : Term or str
        The tier's name: a preset's as a catalog term, a bank's own as typed.
    position : Message
        Who they are, in numbers (one sentence).
    service_model : str
        Key of the service-model rule that fired ("" when none did).
    service : Recommendation or None
    products : tuple of Recommendation
        Largest gaps by value a year among the offered products.
    levers : tuple of Recommendation
        Weakest stickiness indicators against the bank.
    risks : tuple of Recommendation
        Risks to watch.
    suppressed : bool
        Too few active customers to say anything (no recommendations then).
    note : Message or None
        Why there is no recommendation (None otherwise).
    """

    code: int
    segment: Term | str
    position: Message
    service_model: str
    service: Recommendation | None
    products: tuple[Recommendation, ...]
    levers: tuple[Recommendation, ...]
    risks: tuple[Recommendation, ...]
    suppressed: bool = False
    note: Message | None = None

    @property
    def recommendations(self) -> tuple[Recommendation, ...]:
        """Every recommendation: service model, products, levers, risks."""
        service = (self.service,) if self.service is not None else ()
        return (*service, *self.products, *self.levers, *self.risks)


def _member_means(values: np.ndarray, codes: np.ndarray, n_groups: int, mask: np.ndarray) -> np.ndarray:
    """Mean of ``values`` (NaN ignored) per group among ``mask``; NaN for empty groups."""
    keep = mask & (codes >= 0) & ~np.isnan(values)
    sums = np.bincount(codes[keep], weights=values[keep], minlength=n_groups)[:n_groups]
    counts = np.bincount(codes[keep], minlength=n_groups)[:n_groups]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def segment_metrics(
    prepared: PreparedDataset,
    codes: np.ndarray,
    labels: tuple[str, ...] | list[str],
    churn_risk: loyalty.ChurnRisk | None = None,
    stickiness: loyalty.StickinessConfig = loyalty.DEFAULT_STICKINESS,
    cube: visits.VisitCube | None = None,
    loyalty_view: loyalty.LoyaltyView | None = None,
    profile_inputs: segments.ProfileInputs | None = None,
) -> pd.DataFrame:
    """Return the metrics the rules read, one row per segment (active customers).

    Parameters
    ----------
    prepared : PreparedDataset
        Not modified.
    codes : numpy.ndarray
        Segment code per customer row (``-1`` unassigned).
    labels : sequence of str
        Segment names in code order.
    churn_risk : ChurnRisk, optional
        Without a usable model ``high_risk_share`` and ``at_risk_aum`` are NaN.
    stickiness : StickinessConfig
        Weights of the stickiness index.
    cube : VisitCube, optional
        For ``silent_attrition_share`` (NaN without 24 months of activity and AUM a year ago).
    loyalty_view : LoyaltyView, optional
        ``loyalty_view`` over the same groups (the app's cached one): the risk and stickiness
        metrics are read from it; built here from ``churn_risk`` and ``stickiness`` when None.
    profile_inputs : ProfileInputs, optional
        ``segments.profile_inputs(prepared)`` when the caller has it (the app caches it per
        dataset); extracted here when None (0.3 s at 1M customers).

    Returns
    -------
    pandas.DataFrame
        ``code``, ``segment``, ``suppressed``, the profile measures (``customers``,
        ``customer_share``, ``aum``, ``aum_share``, ``average_aum``, ``median_aum``, ``average_age``,
        ``products_per_customer``, ``digital_share``, ``payroll_share``, ``counter_trend``,
        ``churn_rate``), ``high_risk_share``, ``at_risk_aum``, ``silent_attrition_share``,
        ``stickiness_index``, ``primacy_share`` and ``<indicator>_vs_bank`` per stickiness indicator
        (segment mean of its 0–1 score minus the bank's). Missing data gives NaN.
    """
    labels = tuple(labels)
    g = len(labels)
    codes = np.asarray(codes).astype(np.int64)
    profiles = segments.group_profiles(profile_inputs if profile_inputs is not None else prepared, codes, labels)
    profiles = profiles[profiles["code"] >= 0].set_index("code").reindex(range(g))
    frame = pd.DataFrame({"code": np.arange(g, dtype=np.int64), "segment": list(labels)})
    frame["suppressed"] = profiles["suppressed"].fillna(True).astype(bool).to_numpy()
    for metric, column in PROFILE_METRICS.items():
        frame[metric] = profiles[column].to_numpy(dtype=float)
    frame["customers"] = profiles["customers"].fillna(0).to_numpy(dtype=np.int64)
    frame["suppressed"] |= frame["customers"] == 0  # an empty tier has nothing to recommend to

    c = prepared.customers
    active = c["is_active"].to_numpy(dtype=bool)
    nan = np.full(g, np.nan)
    view = loyalty_view
    if view is None:
        settings = loyalty.LoyaltySettings(
            loyalty.DEFAULT_CHURN, stickiness, loyalty.DEFAULT_CLV, loyalty.RetentionScenario()
        )
        view = loyalty.loyalty_view(
            prepared, codes, labels, settings, risk=churn_risk or loyalty.unscored_risk(prepared)
        )
    frame["high_risk_share"] = view.risk["high_risk_share"].to_numpy(dtype=float) if view.model_usable else nan
    frame["at_risk_aum"] = view.risk["at_risk_aum"].to_numpy(dtype=float) if view.model_usable else nan
    if cube is not None and visits.silent_attrition_measurable(prepared, cube):
        silent = visits.silent_attrition_mask(cube, c["aum_trend"].to_numpy(dtype=float)).astype(float)
        frame["silent_attrition_share"] = _member_means(silent, codes, g, active)
    else:
        frame["silent_attrition_share"] = nan
    frame["stickiness_index"] = view.stickiness["mean"].to_numpy(dtype=float)
    frame["primacy_share"] = view.stickiness["primacy_share"].to_numpy(dtype=float)
    for indicator in loyalty.STICKINESS_INDICATORS:
        gaps = view.indicator_gaps
        frame[f"{indicator}_vs_bank"] = gaps[indicator].to_numpy(dtype=float) if indicator in gaps else nan
    metric_columns = [col for col in frame.columns if col not in ("code", "segment", "suppressed", "customers")]
    frame.loc[frame["suppressed"], metric_columns] = np.nan
    return frame


def _recommendation(rule: Rule, value: float, segment: Term | str, **fields: object) -> Recommendation:
    product = str(fields.pop("product_code", ""))
    params = tuple(sorted({"segment": segment, **fields}.items()))
    return Recommendation(rule.kind, rule.metric, float(value), rule, product, params)


def _position(row: pd.Series, segment: Term | str) -> Message:
    """Who the tier's customers are, in numbers; each measure said only when the data has it."""
    parts = {}
    if math.isfinite(row["average_age"]):
        parts["age"] = Message("play_position_age", age=f"{row['average_age']:.0f}")
    if math.isfinite(row["products_per_customer"]):
        parts["products"] = Message("play_position_products", products=f"{row['products_per_customer']:.1f}")
    if math.isfinite(row["digital_share"]):
        parts["digital"] = Message("play_position_digital", share=Share(row["digital_share"]))
    return Message(
        "play_position",
        segment=segment,
        customers=Count(row["customers"]),
        customer_share=Share(row["customer_share"]),
        aum_share=Share(row["aum_share"]),
        **{name: parts.get(name, "") for name in ("age", "products", "digital")},
    )


def segment_playbook(
    prepared: PreparedDataset,
    scenario: Scenario,
    rules: PlaybookRules = DEFAULT_RULES,
    churn_risk: loyalty.ChurnRisk | None = None,
    cube: visits.VisitCube | None = None,
    product_view: products.ProductsView | None = None,
    loyalty_view: loyalty.LoyaltyView | None = None,
    profile_inputs: segments.ProfileInputs | None = None,
) -> tuple[SegmentPlay, ...]:
    """Return the playbook of every tier of ``scenario.tiers``.

    Parameters
    ----------
    prepared : PreparedDataset
        Not modified.
    scenario : Scenario
        Tiers, stickiness weights, churn definition, product benchmark, sizing and offered products.
    rules : PlaybookRules
        Which metric values trigger which recommendation (``DEFAULT_RULES`` documented in
        ``docs/playbook.md``).
    churn_risk : ChurnRisk, optional
        The model trained for ``scenario.churn``; trained when None.
    cube : VisitCube, optional
        ``visits.visit_cube(prepared)`` when the caller has it.
    product_view : ProductsView, optional
        ``products_view`` over the scenario's tiers when the caller has it (built here otherwise).
    loyalty_view : LoyaltyView, optional
        ``loyalty_view`` over the scenario's tiers when the caller has it (built here otherwise).
    profile_inputs : ProfileInputs, optional
        ``segments.profile_inputs(prepared)`` when the caller has it (extracted here otherwise).

    Returns
    -------
    tuple of SegmentPlay
        One per tier, lowest first. Service model: the first ``service_model`` rule that fires.
        Products: the ``rules.top_products`` largest gaps by value a year where a ``product``
        rule fires. Levers: the ``rules.max_levers`` weakest indicators whose ``stickiness`` rule
        fires. Risks: every ``risk`` rule that fires.
    """
    labels = scenario.tiers.labels
    names = dict(zip(labels, segments.tier_terms(scenario.tiers), strict=True))
    codes = segments.aum_tiers(prepared, scenario.tiers).codes
    risk = churn_risk if churn_risk is not None else loyalty.churn_risk_model(prepared, scenario.churn)
    if cube is None and prepared.monthly_channels is not None:
        cube = visits.visit_cube(prepared)
    if loyalty_view is None:
        loyalty_view = loyalty.loyalty_view(
            prepared, codes, scenario.tiers.labels, loyalty.LoyaltySettings.of(scenario), risk=risk
        )
    metrics = segment_metrics(prepared, codes, labels, risk, scenario.stickiness, cube, loyalty_view, profile_inputs)
    view = product_view or products.products_view(
        prepared, codes, scenario.tiers.labels, products.ProductSettings.of(scenario)
    )
    sizing = None if view is None else view.sizing
    plays = []
    for row in metrics.to_dict("records"):
        row = pd.Series(row)
        label = str(row["segment"])
        segment = names[label]
        if row["suppressed"]:
            note = Message("play_too_few", segment=segment, count=Count(int(row["customers"])))
            plays.append(SegmentPlay(int(row["code"]), segment, note, "", None, (), (), (), True, note))
            continue
        service = next(
            (
                _recommendation(r, row[r.metric], segment)
                for r in rules.of_kind("service_model")
                if r.holds(row.get(r.metric, math.nan))
            ),
            None,
        )
        offers: list[Recommendation] = []
        if sizing is not None:
            own = sizing[sizing["group"] == label].sort_values(
                ["gap_value", "product"], ascending=[False, True], kind="stable"
            )
            for item in own.to_dict("records"):
                if len(offers) >= rules.top_products:
                    break
                rule = next((r for r in rules.of_kind("product") if r.holds(item.get(r.metric, math.nan))), None)
                if rule is None:
                    continue
                fields = {
                    "product": product_term(item["product"]),
                    "product_code": item["product"],
                    "customers": Count(item["gap_customers"]),
                    "money": Money(item["gap_value"]),
                }
                offers.append(_recommendation(rule, item[rule.metric], segment, **fields))
        fired = [(row[r.metric], r) for r in rules.of_kind("stickiness") if r.holds(row.get(r.metric, math.nan))]
        fired.sort(key=lambda pair: pair[0])
        levers = tuple(_recommendation(r, v, segment) for v, r in fired[: rules.max_levers])
        risks = tuple(
            _recommendation(r, row[r.metric], segment)
            for r in rules.of_kind("risk")
            if r.holds(row.get(r.metric, math.nan))
        )
        plays.append(
            SegmentPlay(
                int(row["code"]),
                segment,
                _position(row, segment),
                service.rule_key if service else "",
                service,
                tuple(offers),
                levers,
                risks,
            )
        )
    return tuple(plays)
