"""Words and numbers of the playbook: metric names, value formatting, tier names, rule text."""

from __future__ import annotations

import math
import string
from collections.abc import Mapping

from crm_core import segments as seg
from crm_core.formatting import format_count, format_money, format_share
from crm_core.playbook.config import Rule

METRICS: dict[str, tuple[str, str, str]] = {
    "customers": ("customers", "客户数", "count"),
    "customer_share": ("share of customers", "客户占比", "share"),
    "aum": ("AUM", "金融资产", "money"),
    "aum_share": ("share of AUM", "金融资产占比", "share"),
    "average_aum": ("average AUM", "户均金融资产", "money"),
    "median_aum": ("median AUM", "金融资产中位数", "money"),
    "average_age": ("average age", "平均年龄", "years"),
    "products_per_customer": ("products per customer", "户均产品数", "ratio"),
    "digital_share": ("digitally active share", "数字渠道活跃占比", "share"),
    "payroll_share": ("payroll share", "代发占比", "share"),
    "counter_trend": ("counter transactions, change a year", "柜面交易年变化", "rate"),
    "churn_rate": ("churn rate", "流失率", "share"),
    "high_risk_share": ("high churn-risk share", "高流失风险占比", "share"),
    "at_risk_aum": ("AUM at high churn risk", "高流失风险金融资产", "money"),
    "silent_attrition_share": ("silent attrition share", "静默流失占比", "share"),
    "stickiness_index": ("stickiness index", "黏性指数", "ratio"),
    "primacy_share": ("main-bank share", "主办行客户占比", "share"),
    "products_held_vs_bank": ("products score vs the bank", "持有产品得分较全行", "points"),
    "is_payroll_vs_bank": ("payroll score vs the bank", "代发得分较全行", "points"),
    "mobile_active_vs_bank": ("mobile score vs the bank", "手机银行得分较全行", "points"),
    "tenure_months_vs_bank": ("tenure score vs the bank", "客龄得分较全行", "points"),
    "aum_trend_vs_bank": ("AUM trend score vs the bank", "金融资产趋势得分较全行", "points"),
    "card_use_vs_bank": ("card score vs the bank", "用卡得分较全行", "points"),
    "gap_value": ("gap value a year", "缺口年价值", "money"),
    "opportunity_value": ("opportunity value a year", "机会年价值", "money"),
    "gap_points": ("gap to benchmark", "与基准差距", "points"),
    "gap_customers": ("customers short of the benchmark", "距基准客户数", "count"),
}
"""Metric → (English name, Chinese name, kind) for sentences and rule traces."""

OPERATOR_SIGNS: dict[str, str] = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def metric_label(metric: str, lang: str = "en") -> str:
    """Return a metric's display name (its code with spaces when unknown).

    Examples
    --------
    >>> metric_label("median_aum", "zh")
    '金融资产中位数'
    """
    names = METRICS.get(metric)
    if names is None:
        return metric.replace("_", " ")
    return names[1] if lang == "zh" else names[0]


def format_value(value: float, kind: str, lang: str = "en") -> str:
    """Return a number as a manager reads it.

    Examples
    --------
    >>> format_value(0.123, "share"), format_value(-0.05, "points"), format_value(-0.2, "rate")
    ('12.3%', '-5 pts', '-20.0%')
    >>> format_value(125_000, "money", "zh")
    '¥12.5万'
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    if kind == "money":
        return format_money(value, lang)
    if kind == "share":
        return format_share(value)
    if kind == "rate":
        return f"{value * 100:+.1f}%"
    if kind == "points":
        return f"{value * 100:+.0f} {'个百分点' if lang == 'zh' else 'pts'}"
    if kind == "count":
        return format_count(value, lang)
    if kind == "years":
        return f"{value:.0f}"
    return f"{value:.1f}"


def metric_value(metric: str, value: float, lang: str = "en") -> str:
    """Return ``value`` formatted by its metric's kind."""
    kind = METRICS.get(metric, ("", "", "ratio"))[2]
    return format_value(value, kind, lang)


def rule_text(rule: Rule, lang: str = "en") -> str:
    """Return a rule's condition in words, e.g. "median AUM ≥ ¥500K".

    Examples
    --------
    >>> from crm_core.playbook.config import DEFAULT_RULE_SET
    >>> rule_text(DEFAULT_RULE_SET[0])
    'rm_coverage: median AUM ≥ ¥500K'
    """
    condition = f"{metric_label(rule.metric, lang)} {OPERATOR_SIGNS[rule.operator]} "
    return f"{rule.key}: {condition}{metric_value(rule.metric, rule.threshold, lang)}"


class _KeepUnknown(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def filled(template: str, fields: Mapping[str, str]) -> str:
    """Return ``template`` with ``{name}`` fields filled; unknown fields and stray braces are kept as typed.

    Examples
    --------
    >>> filled("Offer {product} ({nope})", {"product": "funds"})
    'Offer funds ({nope})'
    >>> filled("a {b", {})
    'a {b'
    """
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return template
    if any(spec or conversion for _, _, spec, conversion in parsed):
        return template
    return template.format_map(_KeepUnknown(fields))


tier_labels = seg.tier_labels  # one definition, in crm_core.segments
