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
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crm_core import loyalty, products, segments, staff, visits
from crm_core.catalog import text
from crm_core.definitions import churn_outcome, churn_rate
from crm_core.formatting import format_count, format_money, format_share
from crm_core.messages import render
from crm_core.places import named_places, place_names
from crm_core.playbook.config import DEFAULT_FINDINGS, FindingsConfig
from crm_core.playbook.wording import format_value, tier_labels
from crm_core.prepare import PreparedDataset

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
class Finding:
    """One finding: a sentence with its number, the page that shows it, and what it is worth.

    Attributes
    ----------
    key : str
        One of ``FINDING_KEYS``.
    view : str
        Page key: ``overview``, ``segments``, ``visits``, ``products``, ``loyalty`` or ``staff_kpis``.
    sentence : str
        One sentence in the requested language ("" when not available).
    value : float
        The finding's number (NaN when not available).
    value_kind : str
        How ``value`` reads: ``money``, ``share``, ``rate`` or ``count``.
    value_text : str
        ``value`` formatted.
    materiality : float
        Money at stake a year, CNY (0 when not available).
    rule : str
        How ``materiality`` was computed, in words.
    available : bool
        Whether the data supports the finding.
    reason : str
        Why not, when not available.
    low, high : float
        The range of ``materiality`` where the data gives one (NaN otherwise), read as ``range_basis`` says.
    range_basis : str
        Where the range comes from: ``interval`` (the fitted decline's confidence interval),
        ``calibration`` (churn probabilities shifted by the model's calibration error),
        ``take_up`` (one campaign at the scenario's conversion rate up to the whole gap closed),
        ``observed`` (a count of what happened: no range) or ``""``.
    subject : tuple of (str, str)
        What the finding is about, as named fields for the decision it asks for: ``product`` and
        ``tier`` (product gap), ``branches`` (counter decline), ``tier`` (at-risk tier), ``top``
        (concentration's top share).
    """

    key: str
    view: str
    sentence: str
    value: float
    value_kind: str
    value_text: str
    materiality: float
    rule: str
    available: bool = True
    reason: str = ""
    low: float = math.nan
    high: float = math.nan
    range_basis: str = ""
    subject: tuple[tuple[str, str], ...] = ()


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

    def frame(self) -> pd.DataFrame:
        """The findings as a table: ``rank``, ``key``, ``view``, ``sentence``, ``value``, ``materiality``, ``rule``."""
        rows = [(i + 1, f.key, f.view, f.sentence, f.value, f.materiality, f.rule) for i, f in enumerate(self.items)]
        return pd.DataFrame(rows, columns=["rank", "key", "view", "sentence", "value", "materiality", "rule"])


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
    sentence: str,
    value: float,
    kind: str,
    materiality: float,
    rule: str,
    lang: str,
    money_range: tuple[float, float] = (math.nan, math.nan),
    range_basis: str = "",
    **subject: str,
) -> Finding:
    low, high = (float(max(v, 0.0)) if math.isfinite(v) else math.nan for v in money_range)
    return Finding(
        key,
        VIEW_OF[key],
        sentence,
        float(value),
        kind,
        format_value(value, kind, lang),
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


def _skipped(key: str, reason: str) -> Finding:
    return Finding(key, VIEW_OF[key], "", math.nan, "", "n/a", 0.0, "", False, reason)


def _margin_words(margin: float, lang: str) -> str:
    share = format_share(margin, 2).replace(".00%", "%")
    return f"资产年收益率 {share}（情景客户价值设定）" if lang == "zh" else f"AUM margin {share} a year (scenario CLV)"


def _product_gap(view: products.ProductsView | None, names: dict[str, str], margin, config, lang) -> Finding:
    zh = lang == "zh"
    if view is None:
        return _skipped("product_gap", "数据中没有产品持有信息。" if zh else "The data has no product holdings.")
    sources = {"bank": text("benchmark_bank", lang), "target": text("benchmark_target", lang)}
    sizing = products.relabelled(view.sizing, {**names, **sources}, ("group", "benchmark_source"))
    positive = sizing[sizing["gap_value"] > 0]
    if positive.empty:
        return _skipped(
            "product_gap",
            "在售产品在各客群均未低于基准。" if zh else "No segment is below the benchmark on any offered product.",
        )
    row = positive.sort_values(["gap_value", "group", "product"], ascending=[False, True, True], kind="stable").iloc[0]
    name = products.product_name(str(row["product"]), lang)
    customers, money = format_count(row["gap_customers"], lang), format_money(row["gap_value"], lang)
    source = str(row["benchmark_source"])
    if zh:
        sentence = f"最大的产品缺口是{row['group']}的{name}：距基准（{source}）差{customers}名客户，每年价值{money}。"
        rule = "距基准客户数 × 每位客户年价值（情景的基准与产品测算设定），在售产品中取最大缺口。"
    else:
        sentence = (
            f"The largest product gap is {name} in the {row['group']} tier: {customers} customers short of the "
            f"benchmark ({source}), worth {money} a year."
        )
        rule = (
            "Customers short of the benchmark × value per customer a year (the scenario's benchmark and sizing "
            "economics); the largest gap among the offered products."
        )
    take_up = (float(row["opportunity_value"]), float(row["gap_value"]))
    return _found(
        "product_gap", sentence, row["gap_value"], "money", row["gap_value"], rule, lang, take_up, "take_up",
        product=name, tier=str(row["group"]),
    )  # fmt: skip


def _visit_reason(prepared: PreparedDataset, view: str, lang: str) -> str:
    table = visits.visit_availability(prepared).set_index("view")
    if bool(table.loc[view, "available"]):
        return ""
    return render(table.loc[view, "reason"], lang)


def _counter_decline(prepared, view, config: FindingsConfig, lang, branches: dict[str, str]) -> Finding:
    zh = lang == "zh"
    reason = _visit_reason(prepared, "decline", lang)
    if reason:
        return _skipped("counter_decline", reason)
    table = view.branches  # the Visits view's branch fits, the page's own
    falling = table[(table["status"] == visits.OK) & (table["annual_change"] < 0)]
    if falling.empty:
        return _skipped(
            "counter_decline", "没有网点的柜面交易在下降。" if zh else "No branch's counter volume is falling."
        )
    falling = falling.sort_values(["annual_change", "group"], kind="stable")
    # Only branches whose intervals overlap the steepest one are "the fastest": name one only when it stands apart.
    leaders = falling[visits.among_steepest(falling)]
    row = leaders.iloc[0]
    volume = float(leaders["counter_12m"].sum())
    lost = float((leaders["counter_12m"] * -leaders["annual_change"]).sum())
    money = lost * config.cost_per_counter_transaction
    cost = format_money(config.cost_per_counter_transaction, lang)
    who = visits.steepest_sentence(named_places(falling, {"group": branches}), lang)
    n = len(leaders)
    if zh:
        sentence = (
            f"{who}{'其' if n == 1 else '这些网点'}近12个月{format_count(volume, lang)}笔柜面交易中"
            f"约{format_count(lost, lang)}笔将流出，按每笔{cost}计，每年涉及{format_money(money, lang)}的柜面产能。"
        )
        rule = (
            f"下降最快的网点（区间与最快者重叠的都算）近12个月柜面交易量 × 各自拟合的年下降率 × 每笔柜面交易成本{cost}"
            "（可配置）。"
        )
    else:
        sentence = (
            f"{who} About {format_count(lost)} of {'its' if n == 1 else 'their'} {format_count(volume)} counter "
            f"transactions a year leave, {format_money(money)} of teller capacity a year at {cost} each."
        )
        rule = (
            "Counter transactions of the last 12 months of the fastest-declining branches (every branch whose "
            f"interval overlaps the steepest) × their fitted decline a year × {cost} per counter transaction "
            "(FindingsConfig)."
        )
    # The interval of each branch's fitted decline: its upper end is the slowest plausible decline.
    cost_each = config.cost_per_counter_transaction
    interval = (
        float((leaders["counter_12m"] * -leaders["upper"]).sum()) * cost_each,
        float((leaders["counter_12m"] * -leaders["lower"]).sum()) * cost_each,
    )
    names = [str(branches.get(str(g), g)) for g in leaders["group"]]
    shown = names[:3]
    listed = ("、" if zh else ", ").join(shown)
    if len(names) > len(shown):
        listed = text("report_and_others", lang, names=listed, n=len(names) - len(shown))
    return _found(
        "counter_decline", sentence, row["annual_change"], "rate", money, rule, lang, interval, "interval",
        branches=listed,
    )  # fmt: skip


def _at_risk(prepared, risk, bands, codes, labels, margin, config: FindingsConfig, lang) -> Finding:
    zh = lang == "zh"
    if not risk.usable:
        return _skipped("at_risk_affluent", render(risk.fitted.reason, lang) if risk.fitted.reason else "")
    tiers = [t for t in config.at_risk_tiers if t < len(labels)]
    if not tiers:
        return _skipped(
            "at_risk_affluent", "情景的分层中没有所选层级。" if zh else "The scenario's tiers lack that tier."
        )
    active = prepared.customers["is_active"].to_numpy(dtype=bool)
    aum = np.nan_to_num(prepared.customers["aum"].to_numpy(dtype=float))
    member = active & np.isin(codes, tiers)
    high = member & (bands == loyalty.RISK_BANDS.index("high"))  # the loyalty view's bands
    at_risk = float(aum[high].sum())
    expected = float(np.nansum(risk.probabilities[high] * aum[high])) * margin
    names = "、".join(labels[t] for t in tiers) if zh else " and ".join(labels[t] for t in tiers)
    money, expected_money = format_money(at_risk, lang), format_money(expected, lang)
    share = format_share(at_risk / aum[member].sum() if aum[member].sum() else math.nan)
    if zh:
        sentence = (
            f"{names}中有{format_count(high.sum(), lang)}名高流失风险客户，资产{money}（占该层{share}）；"
            f"按各自的流失概率，预计每年损失收益{expected_money}。"
        )
        rule = (
            f"{names}高风险档（流失概率 ≥ 20%）存续客户的 Σ 流失概率 × 资产 × {_margin_words(margin, lang)}（期望值）。"
        )
    else:
        sentence = (
            f"In the {names} tier, {format_count(high.sum())} customers at high churn risk hold {money} ({share} of "
            f"the tier); at their churn probabilities the expected loss is {expected_money} of margin a year."
        )
        rule = (
            f"Σ churn probability × AUM of the {names} tier's active customers in the high churn-risk band "
            f"(probability ≥ 20%) × {_margin_words(margin, lang)} (an expected value)."
        )
    spread = _calibrated_range(risk.probabilities[high], aum[high], risk.fitted.evaluation.calibration_error, margin)
    return _found(
        "at_risk_affluent", sentence, at_risk, "money", expected, rule, lang, spread, "calibration", tier=names
    )


def _concentration(prepared, risk, margin, config: FindingsConfig, lang) -> Finding:
    zh = lang == "zh"
    c = prepared.customers
    active = c["is_active"].to_numpy(dtype=bool)
    aum = np.clip(np.nan_to_num(c.loc[active, "aum"].to_numpy(dtype=float)), 0, None)
    total = aum.sum()
    if len(aum) == 0 or total <= 0:
        return _skipped("concentration", "没有存续客户的资产。" if zh else "No AUM among active customers.")
    if not risk.usable:
        return _skipped(
            "concentration",
            "没有流失模型，集中度不是可计量的风险金额。"
            if zh
            else "Without a churn model, concentration is not an amount at risk.",
        )
    k = max(1, math.ceil(config.top_share * len(aum)))
    order = np.argsort(-aum, kind="stable")[:k]
    top = float(aum[order].sum())
    probabilities = np.nan_to_num(risk.probabilities[active][order])
    expected = float((probabilities * aum[order]).sum()) * margin
    share = top / total
    pct = format_share(config.top_share, 0)
    if zh:
        sentence = (
            f"前{pct}的客户（{format_count(k, lang)}名）持有{format_share(share)}的资产（{format_money(top, lang)}）；"
            f"按各自的流失概率，预计每年损失收益{format_money(expected, lang)}。"
        )
        rule = f"资产最高的前{pct}存续客户的 Σ 流失概率 × 资产 × {_margin_words(margin, lang)}（期望值）。"
    else:
        sentence = (
            f"The top {pct} of customers ({format_count(k)}) hold {format_share(share)} of AUM ({format_money(top)}); "
            f"at their churn probabilities the expected loss is {format_money(expected)} of margin a year."
        )
        rule = (
            f"Σ churn probability × AUM of the top {pct} of active customers × {_margin_words(margin, lang)} "
            "(an expected value)."
        )
    spread = _calibrated_range(
        risk.probabilities[active][order], aum[order], risk.fitted.evaluation.calibration_error, margin
    )
    return _found("concentration", sentence, share, "share", expected, rule, lang, spread, "calibration", top=pct)


def _staff_shift(prepared, scenario: Scenario, staff_views, lang) -> Finding:
    """Skipped by design: a ranking shift is not money at stake (the reason says which case)."""
    if not prepared.has("branch"):
        return _skipped("staff_shift", text("staff_finding_no_branch", lang))
    shown = staff_views("branch")
    if not shown.rankable:
        return _skipped("staff_shift", text("staff_finding_too_few", lang))
    if shown.fallback:  # the scenario's weights equal its baseline's
        baseline = text(staff.PRESET_TERMS[scenario.staff_baseline].key, lang)
        return _skipped("staff_shift", text("staff_finding_same_weights", lang, preset=baseline))
    return _skipped("staff_shift", text("staff_finding_not_money", lang))


def _churn_loss(prepared, margin, lang) -> Finding:
    zh = lang == "zh"
    if not (prepared.has("closed_date") and prepared.has("aum_12m_ago")):
        return _skipped(
            "churn_loss",
            "需要销户日期和一年前的资产才能计算流失资产。"
            if zh
            else "Lost AUM needs closing dates and AUM a year ago.",
        )
    c = prepared.customers
    _, closed = churn_outcome(c)  # the one churn rate's closures: customers on the books a year earlier
    lost = float(np.nansum(c["aum_12m_ago"].to_numpy(dtype=float)[closed]))
    rate = format_share(churn_rate(c).value)
    if zh:
        sentence = (
            f"一年前在册的客户中，近12个月有{format_count(closed.sum(), lang)}名销户（流失率{rate}），带走资产"
            f"{format_money(lost, lang)}，每年收益{format_money(lost * margin, lang)}。"
        )
        rule = f"一年前在册、近12个月销户的客户一年前的资产 × {_margin_words(margin, lang)}。"
    else:
        sentence = (
            f"Of the customers on the books a year earlier, {format_count(closed.sum())} closed in the last 12 "
            f"months (a churn rate of {rate}), taking {format_money(lost)} of AUM, {format_money(lost * margin)} "
            "of margin a year."
        )
        rule = (
            "AUM a year ago of the customers on the books a year earlier who closed in the last 12 months × "
            f"{_margin_words(margin, lang)}."
        )
    return _found("churn_loss", sentence, lost, "money", lost * margin, rule, lang, range_basis="observed")


def _silent_attrition(prepared, cube, risk, margin, lang) -> Finding:
    zh = lang == "zh"
    reason = _visit_reason(prepared, "silent_attrition", lang)
    if reason:
        return _skipped("silent_attrition", reason)
    if not risk.usable:
        return _skipped(
            "silent_attrition",
            "没有流失模型，无法计算静默流失的期望损失。" if zh else "Without a churn model there is no expected loss.",
        )
    trend = prepared.customers["aum_trend"].to_numpy(dtype=float)
    mask = visits.silent_attrition_mask(cube, trend, visits.DEFAULT_ATTRITION)
    held = np.nan_to_num(prepared.customers["aum"].to_numpy(dtype=float)[mask])
    aum = float(held.sum())
    expected = float((np.nan_to_num(risk.probabilities[mask]) * held).sum()) * margin
    n = int(mask.sum())
    if zh:
        sentence = (
            f"{format_count(n, lang)}名客户正在静默流失（柜面到访减少、未转线上、资产下降超过10%），"
            f"仍持有资产{format_money(aum, lang)}；按各自的流失概率，预计每年损失收益{format_money(expected, lang)}。"
        )
        rule = f"符合静默流失规则的存续客户的 Σ 流失概率 × 当前资产 × {_margin_words(margin, lang)}（期望值）。"
    else:
        sentence = (
            f"{format_count(n)} customers are leaving silently (fewer counter visits, no digital uptake, AUM down "
            f"over 10%); they still hold {format_money(aum)}; at their churn probabilities the expected loss is "
            f"{format_money(expected)} of margin a year."
        )
        rule = (
            "Σ churn probability × current AUM of the active customers matching the silent-attrition rule × "
            f"{_margin_words(margin, lang)} (an expected value)."
        )
    spread = _calibrated_range(risk.probabilities[mask], held, risk.fitted.evaluation.calibration_error, margin)
    return _found("silent_attrition", sentence, n, "count", expected, rule, lang, spread, "calibration")


def ranked_findings(candidates: tuple[Finding, ...] | list[Finding]) -> tuple[Finding, ...]:
    """Return the available findings by materiality, largest first (ties keep ``FINDING_KEYS`` order).

    Examples
    --------
    >>> a = Finding("concentration", "segments", "a", 1.0, "share", "1", 5.0, "r")
    >>> b = Finding("product_gap", "products", "b", 1.0, "money", "1", 9.0, "r")
    >>> [f.key for f in ranked_findings([a, b])]
    ['product_gap', 'concentration']
    """
    order = {key: i for i, key in enumerate(FINDING_KEYS)}
    available = [f for f in candidates if f.available]
    return tuple(sorted(available, key=lambda f: (-f.materiality, order.get(f.key, len(order)), f.key)))


def executive_findings(
    prepared: PreparedDataset,
    scenario: Scenario,
    lang: str = "en",
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
    lang : {"en", "zh"}
        Language of the sentences, rules and reasons.
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
        ``items`` (ranked by ``materiality``, CNY a year), ``skipped`` (with reasons) and ``ranked``.
    """
    lang = "zh" if lang == "zh" else "en"
    labels = tier_labels(scenario.tiers, lang)
    codes = segments.aum_tiers(prepared, scenario.tiers).codes
    margin = scenario.clv.aum_margin
    branches = place_names(prepared.customers, "branch", lang)  # a sentence names a branch as the language shows it
    if cube is None and prepared.monthly_channels is not None:
        cube = visits.visit_cube(prepared)
    if visit_view is None and cube is not None:
        settings = visits.VisitSettings.of(scenario)
        visit_view = visits.visits_view(prepared, codes, scenario.tiers.labels, settings, cube=cube)
    risk = churn_risk if churn_risk is not None else loyalty.churn_risk_model(prepared, scenario.churn)
    view = product_view or products.products_view(
        prepared, codes, scenario.tiers.labels, products.ProductSettings.of(scenario)
    )
    loyal = loyalty_view or loyalty.loyalty_view(
        prepared, codes, scenario.tiers.labels, loyalty.LoyaltySettings.of(scenario), risk=risk
    )
    candidates = (
        _product_gap(view, {**branches, **segments.tier_names(scenario.tiers, lang)}, margin, config, lang),
        _counter_decline(prepared, visit_view, config, lang, branches),
        _at_risk(prepared, risk, loyal.customer_bands, codes, labels, margin, config, lang),
        _concentration(prepared, risk, margin, config, lang),
        _staff_shift(
            prepared,
            scenario,
            staff_views or partial(staff.staff_view, prepared, settings=staff.StaffSettings.of(scenario)),
            lang,
        ),
        _churn_loss(prepared, margin, lang),
        _silent_attrition(prepared, cube, risk, margin, lang),
    )
    ranked = ranked_findings(candidates)
    skipped = tuple(f for f in candidates if not f.available)
    return Findings(ranked[: max(top, 0)], skipped, ranked)
