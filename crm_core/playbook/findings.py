"""The executive summary: the most material findings of a dataset under a scenario.

Every candidate finding is priced as **money at stake a year, in CNY** by a stated rule (its
``rule`` text) and the summary keeps the largest. Nothing is hard-coded: the numbers, the
segment and branch named, and the order all come from the data and the scenario's settings.

Materiality rules (``m`` = the scenario's AUM margin, ``scenario.clv.aum_margin``):

* ``product_gap``: gap customers × value per customer a year of the largest gap among the
  offered products (scenario benchmark and sizing economics).
* ``counter_decline``: the steepest-declining branch's counter transactions of the last 12
  months × its fitted decline a year × cost per counter transaction (``FindingsConfig``).
* ``at_risk_affluent``: AUM of the chosen tier's active customers in the high churn-risk band × m.
* ``concentration``: AUM of the top 2% of active customers × m.
* ``staff_shift``: AUM of the branches whose rank moves by ≥ 3 places between the staff
  baseline preset and the scenario's weights × m.
* ``churn_loss``: AUM a year ago of the customers on the books a year earlier who closed in the
  last 12 months (the closures of ``crm_core.definitions.churn_rate``) × m.
* ``silent_attrition``: current AUM of the customers silently leaving × m.

The four findings priced at ``m`` are skipped (reason ``finding_not_priced``) when the dataset's value
measure is a stand-in the AUM margin cannot price (a credit limit, an income, a spend: see
``crm_core.loyalty.value.MARGIN_PRICED``).

The findings hold no words in a language: each sentence, rule and reason is a
``crm_core.messages.Message`` (catalog keys ``finding_*``), numbers are typed parameters, and the
branches, tiers and products named are ``Named`` values that ``Findings.named(finding_names(...))``
names in a language at the edge. So one computation serves every language.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crm_core import loyalty, products, segments, staff, visits
from crm_core.definitions import churn_outcome, churn_rate
from crm_core.formatting import format_share
from crm_core.messages import Count, Message, Money, Share, Term, shown
from crm_core.places import place_names
from crm_core.playbook.config import DEFAULT_FINDINGS, FindingsConfig
from crm_core.prepare import PreparedDataset
from crm_core.ranking import top_rows

if TYPE_CHECKING:  # annotations only: the scenario holds playbook settings
    from crm_core.scenarios import Scenario

FINDING_KEYS: tuple[str, ...] = (
    "product_gap",
    "counter_decline",
    "at_risk_affluent",
    "concentration",
    "staff_shift",
    "churn_loss",
    "silent_attrition",
)
"""Candidate findings in tie-break order (equal materiality keeps this order)."""


@dataclass(frozen=True)
class Named:
    """A name the data or the scenario gives, shown in the reader's language at the edge.

    The findings hold a branch, a tier or a product by its language-free value (the data's branch
    value, the scenario's own tier label, the product code); ``Findings.named`` swaps in the names a
    language shows (``finding_names``) before the messages are rendered.

    Attributes
    ----------
    kind : {"branch", "tier", "product"}
    value : str
    """

    kind: str
    value: str

    def __str__(self) -> str:
        return self.value


Param = Message | Named | Term | Share | Money | Count | str
"""What a finding's ``subject`` holds: a message parameter (rendered at the edge)."""


@dataclass(frozen=True)
class Finding:
    """One finding: a sentence with its number, the page that shows it, and what it is worth.

    Attributes
    ----------
    key : str
        One of ``FINDING_KEYS``.
    view : str
        Page key: ``overview``, ``segments``, ``visits``, ``products``, ``loyalty`` or ``staff_kpis``.
    sentence : Message or None
        The finding in one sentence (None when not available); rendered at the edge.
    value : float
        The finding's number (NaN when not available).
    value_kind : str
        How ``value`` reads: ``money``, ``share``, ``rate`` or ``count``.
    materiality : float
        Money at stake a year, CNY (0 when not available).
    rule : Message or None
        How ``materiality`` was computed.
    available : bool
        Whether the data supports the finding.
    reason : Message or None
        Why not, when not available.
    low, high : float
        The range of ``materiality`` where the data gives one (NaN otherwise), read as ``range_basis`` says.
    range_basis : str
        Where the range comes from: ``interval`` (the fitted decline's confidence interval),
        ``calibration`` (churn probabilities shifted by the model's calibration error),
        ``take_up`` (one campaign at the scenario's conversion rate up to the whole gap closed),
        ``observed`` (a count of what happened: no range) or ``""``.
    subject : tuple of (str, Param)
        What the finding is about, as named message parameters for the decision it asks for:
        ``product`` and ``tier`` (product gap), ``branches`` (counter decline), ``tier`` (at-risk
        tier), ``top`` (concentration's top share).
    """

    key: str
    view: str
    sentence: Message | None
    value: float
    value_kind: str
    materiality: float
    rule: Message | None
    available: bool = True
    reason: Message | None = None
    low: float = math.nan
    high: float = math.nan
    range_basis: str = ""
    subject: tuple[tuple[str, Param], ...] = ()

    def named(self, name: Callable[[Named], str]) -> Finding:
        """The finding with every ``Named`` parameter replaced by ``name(named)`` (``finding_names``)."""
        return replace(
            self,
            sentence=_resolved(self.sentence, name),
            rule=_resolved(self.rule, name),
            reason=_resolved(self.reason, name),
            subject=tuple((field, _resolved(value, name)) for field, value in self.subject),
        )


def _resolved(value, name: Callable[[Named], str]):
    if isinstance(value, Named):
        return name(value)
    if isinstance(value, Message):
        return Message(value.key, **{field: _resolved(v, name) for field, v in value.params})
    return value


@dataclass(frozen=True)
class Findings:
    """The executive summary: ranked findings plus those the data cannot support.

    Iterating, ``len`` and indexing go over ``items``, so it reads like the tuple of findings.

    Attributes
    ----------
    items : tuple of Finding
        The ``top`` most material available findings, largest first.
    skipped : tuple of Finding
        Candidates the data or scenario cannot support, each with its ``reason``.
    ranked : tuple of Finding
        Every available finding, largest first (``items`` is its head).
    """

    items: tuple[Finding, ...]
    skipped: tuple[Finding, ...]
    ranked: tuple[Finding, ...]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Finding:
        return self.items[index]

    def named(self, name: Callable[[Named], str]) -> Findings:
        """The findings with their branches, tiers and products named (``finding_names``); no analytics."""
        ranked = tuple(f.named(name) for f in self.ranked)
        return Findings(ranked[: len(self.items)], tuple(f.named(name) for f in self.skipped), ranked)

    def frame(self) -> pd.DataFrame:
        """The findings as a table: ``rank``, ``key``, ``view``, ``sentence``, ``value``, ``materiality``, ``rule``.

        ``sentence`` and ``rule`` hold messages (render them at the edge).
        """
        rows = [(i + 1, f.key, f.view, f.sentence, f.value, f.materiality, f.rule) for i, f in enumerate(self.items)]
        return pd.DataFrame(rows, columns=["rank", "key", "view", "sentence", "value", "materiality", "rule"])


def finding_names(
    prepared: PreparedDataset, scenario: Scenario, lang: str, branches: Mapping[str, str] | None = None
) -> Callable[[Named], str]:
    """Return how a language names the findings' branches, tiers and products (a rendering edge's helper).

    Branches by ``crm_core.places.place_names`` (or ``branches``, the caller's cached copy of it),
    tiers by ``segments.tier_terms`` (a preset's names in ``lang``, a bank's own kept), products by
    ``products.product_name``.
    """
    if branches is None:
        branches = place_names(prepared.customers, "branch", lang)
    tiers = {label: str(shown(term, lang)) for label, term in segments.tier_term_of(scenario.tiers).items()}
    tables = {"branch": branches, "tier": tiers}

    def name(named: Named) -> str:
        if named.kind == "product":
            return products.product_name(named.value, lang)
        return str(tables.get(named.kind, {}).get(named.value, named.value))

    return name


VIEW_OF: dict[str, str] = {
    "product_gap": "products",
    "counter_decline": "visits",
    "at_risk_affluent": "loyalty",
    "concentration": "segments",
    "staff_shift": "staff_kpis",
    "churn_loss": "overview",
    "silent_attrition": "visits",
}


RANGE_BASES: tuple[str, ...] = ("interval", "calibration", "take_up", "observed")
"""Where a finding's money range comes from (``Finding.range_basis``)."""


def _found(
    key: str,
    sentence: Message,
    value: float,
    kind: str,
    materiality: float,
    rule: Message,
    money_range: tuple[float, float] = (math.nan, math.nan),
    range_basis: str = "",
    **subject: Param,
) -> Finding:
    low, high = (float(max(v, 0.0)) if math.isfinite(v) else math.nan for v in money_range)
    return Finding(
        key,
        VIEW_OF[key],
        sentence,
        float(value),
        kind,
        float(max(materiality, 0.0)),
        rule,
        low=low,
        high=high,
        range_basis=range_basis,
        subject=tuple(subject.items()),
    )


def _calibrated_range(probabilities: np.ndarray, held: np.ndarray, error: float, margin: float) -> tuple[float, float]:
    """Expected margin lost when every churn probability is off by the model's calibration error, down and up.

    Examples
    --------
    >>> _calibrated_range(np.array([0.1, 0.5]), np.array([100.0, 100.0]), 0.2, 1.0)
    (30.0, 100.0)
    """
    if not math.isfinite(error):
        return math.nan, math.nan
    p = np.nan_to_num(probabilities)
    low = float((np.clip(p - error, 0, 1) * held).sum()) * margin
    high = float((np.clip(p + error, 0, 1) * held).sum()) * margin
    return round(low, 6), round(high, 6)


def _skipped(key: str, reason: Message | None) -> Finding:
    return Finding(key, VIEW_OF[key], None, math.nan, "", 0.0, None, False, reason)


def _margin(margin: float) -> Message:
    """The scenario's AUM margin: "1%" when whole, else two decimals ("0.85%").

    Examples
    --------
    >>> from crm_core.messages import render
    >>> render(_margin(0.01), "en"), render(_margin(0.0085), "zh")
    ('AUM margin 1% a year (scenario CLV)', '金融资产年收益率 0.85%（情景客户价值设定）')
    """
    whole = format_share(margin, 2).endswith(".00%")
    return Message("finding_margin", share=Share(margin, 0 if whole else 2))


def _named_group(value: str, tier_labels: tuple[str, ...]) -> Named:
    """A group of the sizing table: a tier's own label, else a branch."""
    return Named("tier" if value in tier_labels else "branch", value)


def _product_gap(view: products.ProductsView | None, tier_labels: tuple[str, ...]) -> Finding:
    if view is None:
        return _skipped("product_gap", Message("finding_product_gap_no_holdings"))
    positive = view.sizing[view.sizing["gap_value"] > 0]
    if positive.empty:
        return _skipped("product_gap", Message("finding_product_gap_none"))
    # Ties broken by the names as English shows them (the data's values, a preset's English tier labels).
    order = positive.assign(_name=positive["group"].astype(str))
    row = order.sort_values(["gap_value", "_name", "product"], ascending=[False, True, True], kind="stable").iloc[0]
    sources = {"bank": Term("benchmark_bank"), "target": Term("benchmark_target")}
    source = str(row["benchmark_source"])
    product, tier = Named("product", str(row["product"])), _named_group(str(row["group"]), tier_labels)
    sentence = Message(
        "finding_product_gap", product=product, tier=tier, customers=Count(row["gap_customers"]),
        source=sources.get(source) or _named_group(source, tier_labels), money=Money(row["gap_value"]),
    )  # fmt: skip
    take_up = (float(row["opportunity_value"]), float(row["gap_value"]))
    return _found(
        "product_gap", sentence, row["gap_value"], "money", row["gap_value"], Message("finding_product_gap_rule"),
        take_up, "take_up", product=product, tier=tier,
    )  # fmt: skip


def _visit_reason(prepared: PreparedDataset, view: str) -> Message | None:
    table = visits.visit_availability(prepared).set_index("view")
    if bool(table.loc[view, "available"]):
        return None
    reason = table.loc[view, "reason"]
    return reason if isinstance(reason, Message) else Message(str(reason))


_PLACE_FIELDS = frozenset({"name", "next", "head"})
"""The ``steepest_message`` fields that hold a group's name."""


def _places_named(message: Message, branches: frozenset[str]) -> Message:
    """``message`` with each branch value in a name field held as ``Named("branch", value)``."""
    params = {}
    for field, value in message.params:
        if isinstance(value, Message):
            value = _places_named(value, branches)
        elif field in _PLACE_FIELDS and isinstance(value, str) and value in branches:
            value = Named("branch", value)
        params[field] = value
    return Message(message.key, **params)


def _listed(names: list[Named]) -> Message | Named:
    """Names joined as a language lists them ("a, b" / "a、b")."""
    joined: Message | Named = names[0]
    for name in names[1:]:
        joined = Message("visits_names_more", head=joined, name=name)
    return joined


def _counter_decline(prepared, view, config: FindingsConfig) -> Finding:
    reason = _visit_reason(prepared, "decline")
    if reason is not None:
        return _skipped("counter_decline", reason)
    table = view.branches  # the Visits view's branch fits, the page's own
    falling = table[(table["status"] == visits.OK) & (table["annual_change"] < 0)]
    if falling.empty:
        return _skipped("counter_decline", Message("finding_counter_decline_none"))
    falling = falling.sort_values(["annual_change", "group"], kind="stable")
    # Only branches whose intervals overlap the steepest one are "the fastest": name one only when it stands apart.
    leaders = falling[visits.among_steepest(falling)]
    row = leaders.iloc[0]
    volume = float(leaders["counter_12m"].sum())
    lost = float((leaders["counter_12m"] * -leaders["annual_change"]).sum())
    money = lost * config.cost_per_counter_transaction
    cost = Money(config.cost_per_counter_transaction)
    who = _places_named(visits.steepest_message(falling), frozenset(str(g) for g in falling["group"]))
    said = {"who": who, "lost": Count(lost), "volume": Count(volume), "money": Money(money), "cost": cost}
    if len(leaders) == 1:  # "its" / "their" transactions
        sentence = Message("finding_counter_decline_one", **said)
    else:
        sentence = Message("finding_counter_decline_many", **said)
    # The interval of each branch's fitted decline: its upper end is the slowest plausible decline.
    cost_each = config.cost_per_counter_transaction
    interval = (
        float((leaders["counter_12m"] * -leaders["upper"]).sum()) * cost_each,
        float((leaders["counter_12m"] * -leaders["lower"]).sum()) * cost_each,
    )
    names = [Named("branch", str(g)) for g in leaders["group"]]
    listed: Message | Named = _listed(names[:3])
    if len(names) > 3:
        listed = Message("report_and_others", names=listed, n=len(names) - 3)
    rule = Message("finding_counter_decline_rule", cost=cost)
    return _found(
        "counter_decline", sentence, row["annual_change"], "rate", money, rule, interval, "interval", branches=listed
    )


def _at_risk(prepared, risk, bands, codes, labels, margin, config: FindingsConfig) -> Finding:
    if not risk.usable:
        return _skipped("at_risk_affluent", risk.fitted.reason)
    tiers = [t for t in config.at_risk_tiers if t < len(labels)]
    if not tiers:
        return _skipped("at_risk_affluent", Message("finding_at_risk_no_tier"))
    active = prepared.customers["is_active"].to_numpy(dtype=bool)
    aum = np.nan_to_num(prepared.customers["aum"].to_numpy(dtype=float))
    member = active & np.isin(codes, tiers)
    high = member & (bands == loyalty.RISK_BANDS.index("high"))  # the loyalty view's bands
    at_risk = float(aum[high].sum())
    expected = float(np.nansum(risk.probabilities[high] * aum[high])) * margin
    names: Message | Named = Named("tier", labels[tiers[0]])
    for t in tiers[1:]:
        names = Message("finding_tiers_and", head=names, name=Named("tier", labels[t]))
    held = aum[member].sum()
    sentence = Message(
        "finding_at_risk", tier=names, customers=Count(int(high.sum())), money=Money(at_risk),
        share=Share(at_risk / held if held else math.nan), expected=Money(expected),
    )  # fmt: skip
    rule = Message("finding_at_risk_rule", tier=names, margin=_margin(margin))
    spread = _calibrated_range(risk.probabilities[high], aum[high], risk.fitted.evaluation.calibration_error, margin)
    return _found("at_risk_affluent", sentence, at_risk, "money", expected, rule, spread, "calibration", tier=names)


def _concentration(prepared, risk, margin, config: FindingsConfig) -> Finding:
    c = prepared.customers
    active = c["is_active"].to_numpy(dtype=bool)
    aum = np.clip(np.nan_to_num(c.loc[active, "aum"].to_numpy(dtype=float)), 0, None)
    total = aum.sum()
    if len(aum) == 0 or total <= 0:
        return _skipped("concentration", Message("finding_concentration_no_aum"))
    if not risk.usable:
        return _skipped("concentration", Message("finding_concentration_no_model"))
    k = max(1, math.ceil(config.top_share * len(aum)))
    order = top_rows(np.arange(len(aum)), aum, k)
    top = float(aum[order].sum())
    probabilities = np.nan_to_num(risk.probabilities[active][order])
    expected = float((probabilities * aum[order]).sum()) * margin
    share = top / total
    pct = Share(config.top_share, 0)
    sentence = Message(
        "finding_concentration", top=pct, customers=Count(k), share=Share(share), money=Money(top),
        expected=Money(expected),
    )  # fmt: skip
    rule = Message("finding_concentration_rule", top=pct, margin=_margin(margin))
    spread = _calibrated_range(
        risk.probabilities[active][order], aum[order], risk.fitted.evaluation.calibration_error, margin
    )
    return _found("concentration", sentence, share, "share", expected, rule, spread, "calibration", top=pct)


def _staff_shift(prepared, scenario: Scenario, staff_views) -> Finding:
    """Skipped by design: a ranking shift is not money at stake (the reason says which case)."""
    if not prepared.has("branch"):
        return _skipped("staff_shift", Message("staff_finding_no_branch"))
    shown = staff_views("branch")
    if not shown.rankable:
        return _skipped("staff_shift", Message("staff_finding_too_few"))
    if shown.fallback:  # the scenario's weights equal its baseline's
        baseline = staff.PRESET_TERMS[scenario.staff_baseline]
        return _skipped("staff_shift", Message("staff_finding_same_weights", preset=baseline))
    return _skipped("staff_shift", Message("staff_finding_not_money"))


def _churn_loss(prepared, margin) -> Finding:
    if not (prepared.has("closed_date") and prepared.has("aum_12m_ago")):
        return _skipped("churn_loss", Message("finding_churn_loss_no_data"))
    c = prepared.customers
    _, closed = churn_outcome(c)  # the one churn rate's closures: customers on the books a year earlier
    lost = float(np.nansum(c["aum_12m_ago"].to_numpy(dtype=float)[closed]))
    sentence = Message(
        "finding_churn_loss", customers=Count(int(closed.sum())), rate=Share(churn_rate(c).value),
        lost=Money(lost), margin=Money(lost * margin),
    )  # fmt: skip
    rule = Message("finding_churn_loss_rule", margin=_margin(margin))
    return _found("churn_loss", sentence, lost, "money", lost * margin, rule, range_basis="observed")


def _silent_attrition(prepared, cube, risk, margin) -> Finding:
    reason = _visit_reason(prepared, "silent_attrition")
    if reason is not None:
        return _skipped("silent_attrition", reason)
    if not risk.usable:
        return _skipped("silent_attrition", Message("finding_silent_attrition_no_model"))
    trend = prepared.customers["aum_trend"].to_numpy(dtype=float)
    mask = visits.silent_attrition_mask(cube, trend, visits.DEFAULT_ATTRITION)
    held = np.nan_to_num(prepared.customers["aum"].to_numpy(dtype=float)[mask])
    aum = float(held.sum())
    expected = float((np.nan_to_num(risk.probabilities[mask]) * held).sum()) * margin
    n = int(mask.sum())
    sentence = Message("finding_silent_attrition", customers=Count(n), money=Money(aum), expected=Money(expected))
    rule = Message("finding_silent_attrition_rule", margin=_margin(margin))
    spread = _calibrated_range(risk.probabilities[mask], held, risk.fitted.evaluation.calibration_error, margin)
    return _found("silent_attrition", sentence, n, "count", expected, rule, spread, "calibration")


def ranked_findings(candidates: tuple[Finding, ...] | list[Finding]) -> tuple[Finding, ...]:
    """Return the available findings by materiality, largest first (ties keep ``FINDING_KEYS`` order).

    Examples
    --------
    >>> a = Finding("concentration", "segments", None, 1.0, "share", 5.0, None)
    >>> b = Finding("product_gap", "products", None, 1.0, "money", 9.0, None)
    >>> [f.key for f in ranked_findings([a, b])]
    ['product_gap', 'concentration']
    """
    order = {key: i for i, key in enumerate(FINDING_KEYS)}
    available = [f for f in candidates if f.available]
    return tuple(sorted(available, key=lambda f: (-f.materiality, order.get(f.key, len(order)), f.key)))


def executive_findings(
    prepared: PreparedDataset,
    scenario: Scenario,
    *,
    churn_risk: loyalty.ChurnRisk | None = None,
    top: int = 5,
    config: FindingsConfig = DEFAULT_FINDINGS,
    cube: visits.VisitCube | None = None,
    visit_view: visits.VisitsView | None = None,
    product_view: products.ProductsView | None = None,
    staff_views: Callable[[str], staff.StaffView] | None = None,
    loyalty_view: loyalty.LoyaltyView | None = None,
) -> Findings:
    """Return the ``top`` most material findings of the dataset under the scenario.

    Parameters
    ----------
    prepared : PreparedDataset
        The prepared dataset. Not modified.
    scenario : Scenario
        Tiers, product benchmark, sizing and offered products, churn definition, CLV margin,
        staff weights and baseline: every finding follows them.
    churn_risk : ChurnRisk, optional
        The model trained for ``scenario.churn`` (the app passes its cached one); trained when None.
    top : int
        How many findings to keep.
    config : FindingsConfig
        Cost per counter transaction, the at-risk tier, the top share and the rank shift.
    cube : VisitCube, optional
        ``visits.visit_cube(prepared)`` when the caller has it (built here otherwise).
    visit_view : VisitsView, optional
        ``visits_view`` over the scenario's tiers when the caller has it (built here from ``cube`` otherwise).
    product_view : ProductsView, optional
        ``products_view`` over the scenario's tiers when the caller has it (built here otherwise).
    staff_views : callable, optional
        ``level -> staff_view(prepared, level, StaffSettings.of(scenario))`` from the caller's cache
        (computed here when None).
    loyalty_view : LoyaltyView, optional
        ``loyalty_view`` over the scenario's tiers when the caller has it (built here otherwise).

    Returns
    -------
    Findings
        ``items`` (ranked by ``materiality``, CNY a year), ``skipped`` (with reasons) and ``ranked``;
        language-free: name them with ``Findings.named(finding_names(prepared, scenario, lang))`` and
        render their messages at the edge.
    """
    labels = scenario.tiers.labels  # the scenario's own tier labels: named in a language at the edge
    codes = segments.aum_tiers(prepared, scenario.tiers).codes
    margin = scenario.clv.aum_margin
    if cube is None and prepared.monthly_channels is not None:
        cube = visits.visit_cube(prepared)
    if visit_view is None and cube is not None:
        settings = visits.VisitSettings.of(scenario)
        visit_view = visits.visits_view(prepared, codes, labels, settings, cube=cube)
    risk = churn_risk if churn_risk is not None else loyalty.churn_risk_model(prepared, scenario.churn)
    view = product_view or products.products_view(prepared, codes, labels, products.ProductSettings.of(scenario))
    loyal = loyalty_view or loyalty.loyalty_view(
        prepared, codes, labels, loyalty.LoyaltySettings.of(scenario), risk=risk
    )
    staff_views = staff_views or staff.staff_views(prepared, staff.StaffSettings.of(scenario))
    priced = loyalty.margin_priced(prepared)
    unpriced = Message("finding_not_priced", measure=Term(f"measure_{prepared.dataset.value_measure}"))
    candidates = (
        _product_gap(view, tuple(labels)),
        _counter_decline(prepared, visit_view, config),
        _at_risk(prepared, risk, loyal.customer_bands, codes, labels, margin, config)
        if priced
        else _skipped("at_risk_affluent", unpriced),
        _concentration(prepared, risk, margin, config) if priced else _skipped("concentration", unpriced),
        _staff_shift(prepared, scenario, staff_views),
        _churn_loss(prepared, margin) if priced else _skipped("churn_loss", unpriced),
        _silent_attrition(prepared, cube, risk, margin) if priced else _skipped("silent_attrition", unpriced),
    )
    ranked = ranked_findings(candidates)
    skipped = tuple(f for f in candidates if not f.available)
    return Findings(ranked[: max(top, 0)], skipped, ranked)
