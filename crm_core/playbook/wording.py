"""The playbook's renderer: metric names, values, rule text and the plays in a reader's language.

``segment_playbook`` returns plays as data (terms, messages, rules and their fields);
``plays_in`` words them in a language at the edge, so a language switch recomputes nothing.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from crm_core import catalog
from crm_core.formatting import format_count, format_money, format_share
from crm_core.messages import render, shown
from crm_core.playbook.config import Rule

if TYPE_CHECKING:  # annotations only: the plays are worded here
    from crm_core.playbook.plays import Recommendation, SegmentPlay

METRIC_KINDS: dict[str, str] = {
    "customers": "count",
    "customer_share": "share",
    "aum": "money",
    "aum_share": "share",
    "average_aum": "money",
    "median_aum": "money",
    "average_age": "years",
    "products_per_customer": "ratio",
    "digital_share": "share",
    "payroll_share": "share",
    "counter_trend": "rate",
    "churn_rate": "share",
    "high_risk_share": "share",
    "at_risk_aum": "money",
    "silent_attrition_share": "share",
    "stickiness_index": "ratio",
    "primacy_share": "share",
    "products_held_vs_bank": "points",
    "is_payroll_vs_bank": "points",
    "mobile_active_vs_bank": "points",
    "tenure_months_vs_bank": "points",
    "aum_trend_vs_bank": "points",
    "card_use_vs_bank": "points",
    "gap_value": "money",
    "opportunity_value": "money",
    "gap_points": "points",
    "gap_customers": "count",
}
"""Metric → how its value reads (``format_value``); its name is the catalog term ``playmetric_<metric>``."""

OPERATOR_SIGNS: dict[str, str] = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def metric_label(metric: str, lang: str = "en") -> str:
    """Return a metric's display name (its code with spaces when unknown).

    Examples
    --------
    >>> metric_label("median_aum", "zh")
    '金融资产中位数'
    """
    if metric not in METRIC_KINDS:
        return metric.replace("_", " ")
    return catalog.text(f"playmetric_{metric}", lang)


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
        return catalog.text("not_available", lang)
    if kind == "money":
        return format_money(value, lang)
    if kind == "share":
        return format_share(value, lang=lang)
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
    kind = METRIC_KINDS.get(metric, "ratio")
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


@dataclass(frozen=True)
class ShownRecommendation:
    """A recommendation in one language: what to do and the rule's condition in words."""

    kind: str
    text: str
    metric: str
    value: float
    rule_key: str
    rule: str
    product: str = ""


@dataclass(frozen=True)
class ShownPlay:
    """A tier's play in one language (``plays_in``)."""

    code: int
    segment: str
    position: str
    service_model: str
    service: ShownRecommendation | None
    products: tuple[ShownRecommendation, ...]
    levers: tuple[ShownRecommendation, ...]
    risks: tuple[ShownRecommendation, ...]
    suppressed: bool = False
    note: str = ""

    @property
    def recommendations(self) -> tuple[ShownRecommendation, ...]:
        """Every recommendation: service model, products, levers, risks."""
        service = (self.service,) if self.service is not None else ()
        return (*service, *self.products, *self.levers, *self.risks)


def recommendation_in(recommendation: Recommendation, lang: str) -> ShownRecommendation:
    """One recommendation worded in ``lang``: the rule's template filled with its fields."""
    rule = recommendation.rule
    fields = {name: str(shown(value, lang)) for name, value in recommendation.params}
    fields["value"] = metric_value(rule.metric, recommendation.value, lang)
    fields["threshold"] = metric_value(rule.metric, rule.threshold, lang)
    text = filled(rule.recommendation(lang), fields)
    return ShownRecommendation(
        recommendation.kind,
        text,
        recommendation.metric,
        recommendation.value,
        rule.key,
        rule_text(rule, lang),
        recommendation.product,
    )


def plays_in(plays: Sequence[SegmentPlay], lang: str) -> tuple[ShownPlay, ...]:
    """Return ``segment_playbook``'s plays worded in ``lang`` (rendering only: no analytics)."""

    def worded(items):
        return tuple(recommendation_in(r, lang) for r in items)

    return tuple(
        ShownPlay(
            play.code,
            str(shown(play.segment, lang)),
            render(play.position, lang),
            play.service_model,
            recommendation_in(play.service, lang) if play.service is not None else None,
            worded(play.products),
            worded(play.levers),
            worded(play.risks),
            play.suppressed,
            render(play.note, lang) if play.note is not None else "",
        )
        for play in plays
    )


def playbook_table(plays: Sequence[ShownPlay]) -> pd.DataFrame:
    """Return every recommendation of worded plays as one flat table (for the page and exports).

    Columns: ``code``, ``segment``, ``kind``, ``text``, ``metric``, ``value``, ``rule_key``, ``rule``, ``product``.
    """
    rows = [
        (p.code, p.segment, r.kind, r.text, r.metric, r.value, r.rule_key, r.rule, r.product)
        for p in plays
        for r in p.recommendations
    ]
    return pd.DataFrame(
        rows, columns=["code", "segment", "kind", "text", "metric", "value", "rule_key", "rule", "product"]
    )
