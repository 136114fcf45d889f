"""Playbook configs as data: findings economics, segment rules and guarantee targets.

Every config is a frozen dataclass of numbers, strings and tuples, so a bank can edit it, a
scenario can save it with ``crm_core.configs.config_json`` and load it back with
``config_from_json``, and a cache can hash it. Validation happens once, in ``__post_init__``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from crm_core import validation as check

OPERATORS: tuple[str, ...] = (">=", ">", "<=", "<", "==")
"""Comparisons a ``Rule`` may use."""

RULE_KINDS: tuple[str, ...] = ("service_model", "product", "stickiness", "risk")
"""What a rule decides: the segment's service model (first match wins), a product to offer,
a stickiness lever, or a risk to watch (every match is listed)."""

VIEWS: tuple[str, ...] = ("overview", "segments", "visits", "products", "loyalty", "staff_kpis")
"""Page keys a finding links to."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass(frozen=True)
class FindingsConfig:
    """Economics of the executive summary: how each finding is priced in CNY a year.

    The AUM margin is the scenario's (``scenario.clv.aum_margin``, 1% by default), so the
    summary follows the scenario; the rest is set here.

    Parameters
    ----------
    cost_per_counter_transaction : float
        CNY one counter transaction costs in teller time and premises. ¥15 by default: industry
        estimates put a counter transaction at ¥10–20 against under ¥1 on mobile banking. The
        counter volume a branch loses in a year, priced at this cost, is capacity to redeploy.
    at_risk_tiers : tuple of int
        Tier codes (of ``scenario.tiers``, 0 = lowest) whose high-risk AUM is the "affluent at
        risk" finding; (1,) = the second tier, the affluent one of every preset.
    top_share : float
        Share of active customers that makes the "top" of the concentration finding (0.02 = top 2%).
    rank_shift : int
        Places a branch must move between the staff baseline preset and the scenario's weights
        to count as "changing rank".

    Examples
    --------
    >>> FindingsConfig().cost_per_counter_transaction
    15.0
    """

    cost_per_counter_transaction: float = 15.0
    at_risk_tiers: tuple[int, ...] = (1,)
    top_share: float = 0.02
    rank_shift: int = 3

    def __post_init__(self) -> None:
        object.__setattr__(self, "cost_per_counter_transaction", float(self.cost_per_counter_transaction))
        object.__setattr__(self, "at_risk_tiers", tuple(int(t) for t in self.at_risk_tiers))
        _check(
            math.isfinite(self.cost_per_counter_transaction) and self.cost_per_counter_transaction >= 0,
            "cost_per_counter_transaction must be a non-negative number",
        )
        _check(all(t >= 0 for t in self.at_risk_tiers), "at_risk_tiers are tier codes (0 or more)")
        _check(0 < self.top_share < 1, "top_share must be between 0 and 1")
        _check(self.rank_shift >= 1, "rank_shift must be at least 1")


@dataclass(frozen=True)
class Rule:
    """One playbook rule: when ``metric operator threshold`` holds, recommend something.

    Parameters
    ----------
    key : str
        Unique name, quoted in the trace of every recommendation it makes.
    kind : {"service_model", "product", "stickiness", "risk"}
        See ``RULE_KINDS``.
    metric : str
        A segment metric (``segment_metrics`` columns, see ``docs/playbook.md``); for
        ``product`` rules a column of the sizing table (``gap_value``, ``gap_points``, …).
    operator : {">=", ">", "<=", "<", "=="}
    threshold : float
        In the metric's unit: CNY, shares (0.6 = 60%), years, products, points of 0–1.
    recommendation_en, recommendation_zh : str
        What to do. May name ``{segment}``, ``{value}`` (the metric, formatted), ``{threshold}``,
        and for product rules ``{product}``, ``{customers}``, ``{money}``.

    Examples
    --------
    >>> Rule("rm", "service_model", "median_aum", ">=", 5e5, "RM", "客户经理").holds(6e5)
    True
    """

    key: str
    kind: str
    metric: str
    operator: str
    threshold: float
    recommendation_en: str
    recommendation_zh: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "threshold", float(self.threshold))
        _check(bool(str(self.key).strip()), "a rule needs a key")
        _check(self.kind in RULE_KINDS, f"rule {self.key!r}: kind must be one of {', '.join(RULE_KINDS)}")
        _check(self.operator in OPERATORS, f"rule {self.key!r}: operator must be one of {' '.join(OPERATORS)}")
        _check(math.isfinite(self.threshold), f"rule {self.key!r}: threshold must be a number")

    def holds(self, value: float) -> bool:
        """Whether the rule fires for ``value`` (a missing value never fires)."""
        if value is None or not math.isfinite(value):
            return False
        t = self.threshold
        return {
            ">=": value >= t,
            ">": value > t,
            "<=": value <= t,
            "<": value < t,
            "==": value == t,
        }[self.operator]

    def recommendation(self, lang: str = "en") -> str:
        """The recommendation template in ``lang``."""
        return self.recommendation_zh if lang == "zh" else self.recommendation_en


DEFAULT_RULE_SET: tuple[Rule, ...] = (
    # Service model: first match wins, in this order.
    Rule(
        "rm_coverage",
        "service_model",
        "median_aum",
        ">=",
        500_000,
        "Relationship-manager coverage: a named manager for every customer, reviewed at least quarterly "
        "(median AUM {value}).",
        "客户经理专属服务：每位客户配备专属客户经理，至少每季度回访（AUM 中位数 {value}）。",
    ),
    Rule(
        "branch_assisted",
        "service_model",
        "digital_share",
        "<",
        0.6,
        "Branch-assisted: keep counter and lobby service, and coach customers onto mobile banking at each visit "
        "(digitally active {value}).",
        "网点辅助服务：保留柜面与大堂服务，每次到访时引导客户使用手机银行（数字渠道活跃 {value}）。",
    ),
    Rule(
        "digital_first",
        "service_model",
        "digital_share",
        ">=",
        0.6,
        "Digital-first: serve through mobile banking and remote advisers, branch for complex needs only "
        "(digitally active {value}).",
        "数字优先：以手机银行和远程顾问服务为主，网点只承接复杂业务（数字渠道活跃 {value}）。",
    ),
    # Products: each of the segment's largest gaps among the offered products that fires.
    Rule(
        "product_gap",
        "product",
        "gap_value",
        ">",
        0,
        "Offer {product}: {customers} customers short of the benchmark, worth {money} a year.",
        "推荐{product}：距基准差{customers}名客户，每年价值{money}。",
    ),
    # Stickiness levers: an indicator's 0–1 score this far below the bank's (weakest first).
    Rule(
        "lever_products",
        "stickiness",
        "products_held_vs_bank",
        "<",
        -0.02,
        "Deepen the relationship: bundle a second and third product (products score {value} vs the bank).",
        "加深关系：推动第二、第三个产品的组合销售（持有产品得分较全行 {value}）。",
    ),
    Rule(
        "lever_payroll",
        "stickiness",
        "is_payroll_vs_bank",
        "<",
        -0.02,
        "Win the salary account: payroll campaigns with employers (payroll share {value} vs the bank).",
        "争取代发工资：与企业合作开展代发营销（代发占比较全行 {value}）。",
    ),
    Rule(
        "lever_mobile",
        "stickiness",
        "mobile_active_vs_bank",
        "<",
        -0.02,
        "Activate mobile banking: onboarding at the counter and first-use rewards (mobile active {value} vs the bank).",
        "激活手机银行：柜面引导开通并给予首用奖励（手机银行活跃较全行 {value}）。",
    ),
    Rule(
        "lever_tenure",
        "stickiness",
        "tenure_months_vs_bank",
        "<",
        -0.02,
        "Welcome journey for newer customers: contact in the first 90 days (tenure score {value} vs the bank).",
        "新客旅程：开户 90 天内主动联系（客龄得分较全行 {value}）。",
    ),
    Rule(
        "lever_aum_trend",
        "stickiness",
        "aum_trend_vs_bank",
        "<",
        -0.02,
        "Win back balances: review maturing deposits and outflows (AUM trend score {value} vs the bank).",
        "挽回资金：跟进到期存款和资金流出（资产趋势得分较全行 {value}）。",
    ),
    Rule(
        "lever_cards",
        "stickiness",
        "card_use_vs_bank",
        "<",
        -0.02,
        "Put a card in the wallet: debit and credit card activation (card score {value} vs the bank).",
        "提高用卡：借记卡与信用卡激活（用卡得分较全行 {value}）。",
    ),
    # Risks: every rule that fires is listed.
    Rule(
        "risk_churn_model",
        "risk",
        "high_risk_share",
        ">=",
        0.1,
        "Churn risk: {value} of customers are in the high-risk band; call them before maturities.",
        "流失风险：{value}的客户处于高风险档，应在到期前主动联系。",
    ),
    Rule(
        "risk_churn_history",
        "risk",
        "churn_rate",
        ">=",
        0.08,
        "Closures: {value} of last year's customers closed; run exit interviews and a retention offer.",
        "销户：去年{value}的客户已销户；开展离行访谈并提供挽留方案。",
    ),
    Rule(
        "risk_silent_attrition",
        "risk",
        "silent_attrition_share",
        ">=",
        0.02,
        "Silent attrition: {value} stopped visiting without going digital while their AUM fell; call them.",
        "静默流失：{value}的客户不再到访、未转线上且资产下降；应主动联系。",
    ),
    Rule(
        "risk_counter_decline",
        "risk",
        "counter_trend",
        "<=",
        -0.2,
        "Counter use falling fast ({value} a year): make sure each leaving visitor is reached digitally.",
        "柜面使用快速下降（每年 {value}）：确保流失的到访客户有线上触达。",
    ),
)
"""The documented default rules (see ``docs/playbook.md``)."""


@dataclass(frozen=True)
class PlaybookRules:
    """The rules of the segment playbook, editable by a bank and saved as JSON.

    Parameters
    ----------
    rules : tuple of Rule
        Evaluated in order; keys must be unique.
    top_products : int
        Largest gaps (by value a year) offered per segment.
    max_levers : int
        Weakest stickiness levers listed per segment.

    Examples
    --------
    >>> from crm_core.configs import config_from_json, config_json
    >>> config_from_json(PlaybookRules, config_json(PlaybookRules())) == PlaybookRules()
    True
    """

    rules: tuple[Rule, ...] = DEFAULT_RULE_SET
    top_products: int = 3
    max_levers: int = 2

    def __post_init__(self) -> None:
        rules = tuple(r if isinstance(r, Rule) else Rule(**r) for r in self.rules)
        object.__setattr__(self, "rules", rules)
        keys = [r.key for r in rules]
        _check(len(keys) == len(set(keys)), "rule keys must be unique")
        _check(self.top_products >= 0 and self.max_levers >= 0, "top_products and max_levers must be >= 0")

    def of_kind(self, kind: str) -> tuple[Rule, ...]:
        """The rules of one kind, in order."""
        return tuple(r for r in self.rules if r.kind == kind)

    def with_rule(self, rule: Rule) -> PlaybookRules:
        """A copy with the rule of the same key replaced (or appended)."""
        if any(r.key == rule.key for r in self.rules):
            return PlaybookRules(
                tuple(rule if r.key == rule.key else r for r in self.rules), self.top_products, self.max_levers
            )
        return PlaybookRules((*self.rules, rule), self.top_products, self.max_levers)


GUARANTEE_AREAS: tuple[str, ...] = ("organisation", "data_technology", "talent_training", "incentives")
"""The four guarantee measures of the thesis, in order."""

DEFAULT_TARGETS: tuple[tuple[str, float], ...] = (
    ("rm_coverage", 0.95),
    ("off_counter_rate", 0.9029),
    ("data_completeness", 0.95),
    ("digital_adoption", 0.75),
    ("cross_sell_ratio", 2.8),
    ("satisfaction", 4.0),
    ("customer_weight", 0.4),
    ("retention", 0.92),
)
"""External marks each guarantee KPI should at least reach: RM coverage 95% of affluent-and-above
customers; off-counter rate at the industry's 90.29% (China Banking Association, 2021); 95% of
optional data fields filled; digital adoption 75%, cross-sell 2.8 products, satisfaction 4.0 and
retention 92% (the green marks of the staff scorecard's status rules); 40% of staff KPI weight on the
customer perspective. A target nobody has set starts from today's value (``starting_target``)."""

IMPROVEMENT_STEPS: dict[str, float] = {
    "rm_coverage": 0.02,
    "off_counter_rate": 0.02,
    "data_completeness": 0.02,
    "digital_adoption": 0.03,
    "cross_sell_ratio": 0.1,
    "satisfaction": 0.1,
    "customer_weight": 0.0,
    "retention": 0.01,
}
"""The improvement on today's value a target starts from (shares in points, cross-sell in products,
satisfaction in points of 5); the customer weight is a policy choice, its mark only."""

TARGET_CAPS: dict[str, float] = {"satisfaction": 5.0, "cross_sell_ratio": 1e6}
"""Highest value a KPI can take (shares 1.0 unless listed)."""


def starting_target(kpi: str, current: float) -> float:
    """Return the target of a KPI nobody has set: today's value plus its step, never below the mark.

    ``max(mark, min(cap, current + step))``: a KPI already past its external mark is asked to improve
    on today (so "met" means something), one below it is asked to reach the mark; at its cap it is
    asked to hold. Without today's value, the mark.

    Examples
    --------
    >>> round(starting_target("digital_adoption", 0.825), 3), starting_target("retention", 0.89)
    (0.855, 0.92)
    >>> starting_target("rm_coverage", 1.0), starting_target("satisfaction", float("nan"))
    (1.0, 4.0)
    """
    mark = dict(DEFAULT_TARGETS)[kpi]
    if not math.isfinite(current):
        return mark
    cap = TARGET_CAPS.get(kpi, 1.0)
    digits = 3 if cap == 1.0 else 2  # a share to 0.1 point, a count or a score to 0.01, as the page shows them
    return max(mark, min(cap, round(current + IMPROVEMENT_STEPS.get(kpi, 0.0), digits)))


@dataclass(frozen=True)
class GuaranteeTargets:
    """Targets, owners and milestones of the guarantee KPIs, editable one KPI at a time.

    Parameters
    ----------
    targets : tuple of (str, float)
        Target per KPI (shares as 0–1, cross-sell as products per customer, satisfaction 1–5).
    owners, milestones : tuple of (str, str)
        Who is accountable and by when (free text); KPIs not listed show "TBD".

    Examples
    --------
    >>> GuaranteeTargets().target_map  # none set: each starts from today's value (starting_target)
    {}
    >>> GuaranteeTargets().with_target("retention", 0.95, owner="Retail head").owner_map
    {'retention': 'Retail head'}
    """

    targets: tuple[tuple[str, float], ...] = ()
    owners: tuple[tuple[str, str], ...] = ()
    milestones: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        pairs = {}
        for name in ("targets", "owners", "milestones"):
            checked = []
            for i, pair in enumerate(check.items(getattr(self, name), f"guarantees: {name}", 0, 100)):
                if not isinstance(pair, tuple | list) or len(pair) != 2:
                    raise ValueError(f"guarantees: {name}[{i}] must be a (KPI, value) pair")
                kpi = check.code(pair[0], f"guarantees: {name}[{i}] KPI")
                if name == "targets":
                    value = check.number(pair[1], f"guarantees: target of {kpi}", 0, 1e6)
                else:
                    value = check.text(pair[1], f"guarantees: {name[:-1]} of {kpi}", 80)
                checked.append((kpi, value))
            pairs[name] = tuple(checked)
        check.assign(self, **pairs)
        targets = self.targets
        for name, pairs in (("targets", targets), ("owners", self.owners), ("milestones", self.milestones)):
            keys = [k for k, _ in pairs]
            _check(len(keys) == len(set(keys)), f"each KPI may appear once in {name}")

    @property
    def target_map(self) -> dict[str, float]:
        """Targets as a dict."""
        return dict(self.targets)

    @property
    def owner_map(self) -> dict[str, str]:
        """Owners as a dict."""
        return dict(self.owners)

    @property
    def milestone_map(self) -> dict[str, str]:
        """Milestones as a dict."""
        return dict(self.milestones)

    def with_target(
        self, kpi: str, target: float | None = None, owner: str | None = None, milestone: str | None = None
    ) -> GuaranteeTargets:
        """A copy with one KPI's target, owner or milestone changed (None keeps it)."""

        def replaced(pairs: tuple, value: object) -> tuple:
            if value is None:
                return pairs
            return (*((k, v) for k, v in pairs if k != kpi), (kpi, value))

        return GuaranteeTargets(
            replaced(self.targets, target), replaced(self.owners, owner), replaced(self.milestones, milestone)
        )


DEFAULT_FINDINGS = FindingsConfig()
DEFAULT_RULES = PlaybookRules()
DEFAULT_GUARANTEE_TARGETS = GuaranteeTargets()
