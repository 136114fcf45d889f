"""The storyline's content: six steps computed from a dataset and one scenario's settings.

Positioning → tiered management → stickiness → value mining → staff assessment → guarantee
measures. Each step calls the same ``crm_core`` functions the pages call, with the scenario's
settings, and turns their results into a headline, key numbers, a chart spec, a small table
and speaker notes, in English or Chinese. A step whose data is missing says so in its
headline instead of failing.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from crm_core import loyalty as loy
from crm_core import products as prod
from crm_core import segments as seg
from crm_core import staff
from crm_core import visits as vis
from crm_core.formatting import format_money
from crm_core.prepare import PreparedDataset
from crm_core.report.model import (
    NUMBER_FORMATS,
    ChartSpec,
    KeyNumber,
    Report,
    Step,
    chart_figure,
    format_value,
)
from crm_core.scenarios import Scenario

TEXT: dict[str, tuple[str, str]] = {
    "title": ("Retail customer strategy: from products to customers", "零售客户经营策略：从以产品为中心到以客户为中心"),
    "subtitle": ("Scenario “{scenario}” · data as of {as_of}", "方案“{scenario}”·数据截至{as_of}"),
    "positioning": ("1 Positioning: who our customers are", "一、客户定位：我们的客户是谁"),
    "tiering": ("2 Tiered management", "二、分层管理"),
    "stickiness": ("3 Stickiness and retention", "三、客户黏性与留存"),
    "value_mining": ("4 Value mining", "四、价值挖掘"),
    "staff": ("5 Staff assessment", "五、员工考核"),
    "guarantees": ("6 Guarantee measures", "六、保障措施"),
    "playbook": ("7 Strategy playbook: what the data says", "七、策略手册：数据的结论"),
    "playbook_none": ("The data supports no finding with money at stake.", "数据不足以形成涉及金额的发现。"),
    "playbook_chart": ("Money at stake a year by finding", "各项发现涉及的年度金额"),
    "at_stake": ("At stake a year", "年度涉及金额"),
    "finding": ("Finding", "发现"),
    "tier": ("Tier", "层级"),
    "not_assigned": ("not assigned", "未分层"),
    "customers": ("Customers", "客户数"),
    "customer_share": ("Share of customers", "客户占比"),
    "aum": ("AUM", "资产(AUM)"),
    "aum_share": ("Share of AUM", "资产占比"),
    "average_aum": ("Average AUM", "户均资产"),
    "active_customers": ("Active customers", "活跃客户"),
    "total_aum": ("Total AUM", "总资产"),
    "top1": ("AUM held by the top 1%", "前1%客户资产占比"),
    "gini": ("Gini coefficient of AUM", "资产基尼系数"),
    "positioning_chart": ("Customers and AUM by tier", "各层级客户与资产占比"),
    "positioning_headline": (
        "{low_share} of active customers are {low} and hold {low_aum} of AUM; {high} customers are {high_share} "
        "and hold {high_aum}. The top 1% hold {top1} of all AUM (Gini {gini}).",
        "{low}占活跃客户的{low_share}，仅持有{low_aum}的资产；{high}占{high_share}，持有{high_aum}。"
        "前1%的客户持有{top1}的资产（基尼系数{gini}）。",
    ),
    "no_customers": ("No active customers in the data.", "数据中没有活跃客户。"),
    "products_per_customer": ("Products per customer", "户均产品数"),
    "digital_active_share": ("Digital active", "数字渠道活跃"),
    "churn_rate": ("Churn rate", "流失率"),
    "average_age": ("Average age", "平均年龄"),
    "index_title": ("Tier profiles against the bank (bank = 100)", "各层级画像对比全行（全行=100）"),
    "index_axis": ("Index (bank = 100)", "指数（全行=100）"),
    "moved": ("Customers changing tier vs default", "相对默认分层变动的客户"),
    "bank_products": ("Products per customer (bank)", "户均产品数（全行）"),
    "bank_digital": ("Digital active (bank)", "数字渠道活跃（全行）"),
    "bank_churn": ("Churn rate (bank)", "流失率（全行）"),
    "tiering_headline": (
        "{top} customers hold {top_products} products each against {bank_products} for the bank; {low} customers "
        "{low_products}. {migration}.",
        "{top}户均持有{top_products}个产品，全行为{bank_products}个；{low}为{low_products}个。{migration}。",
    ),
    "same_as_default": (
        "The scenario uses the default tiers, so nobody changes tier",
        "本方案采用默认分层，没有客户变动层级",
    ),
    "against_default": ("Against the default tiers, ", "与默认分层相比，"),
    "stickiness_mean": ("Mean stickiness", "平均黏性"),
    "stickiness_chart": ("Stickiness index by tier (0–100)", "各层级客户黏性指数（0–100）"),
    "stickiness_axis": ("Stickiness (0–100)", "黏性（0–100）"),
    "primacy_share": ("Main-bank share", "主办行客户占比"),
    "roc_auc": ("Churn model ROC AUC", "流失模型ROC AUC"),
    "at_risk_aum": ("AUM of high-risk customers", "高风险客户资产"),
    "aum_kept": ("AUM kept by the retention push", "挽留可保住的资产"),
    "high_risk": ("High-risk customers", "高风险客户"),
    "stickiness_headline": (
        "Mean stickiness is {mean} (highest in {best}: {best_mean}, lowest in {worst}: {worst_mean}). "
        "On held-out customers the churn model scores ROC AUC {auc}; {high} high-risk customers hold {at_risk}. "
        "{what_if}",
        "客户平均黏性为{mean}（{best}最高：{best_mean}；{worst}最低：{worst_mean}）。流失模型在留出样本上的"
        "ROC AUC为{auc}；{high}名高风险客户持有{at_risk}资产。{what_if}",
    ),
    "stickiness_no_model": (
        "Mean stickiness is {mean} (highest in {best}: {best_mean}, lowest in {worst}: {worst_mean}). "
        "Churn cannot be modelled: {reason}",
        "客户平均黏性为{mean}（{best}最高：{best_mean}；{worst}最低：{worst_mean}）。无法建立流失模型：{reason}",
    ),
    "no_stickiness": (
        "The data has no stickiness indicator (products, payroll, tenure, channels).",
        "数据没有黏性指标。",
    ),
    "segment": ("Segment", "客群"),
    "scored": ("Scored", "已评分"),
    "expected_churners": ("Expected churners", "预计流失人数"),
    "opportunity_chart": ("Largest cross-sell opportunities (value a year)", "最大交叉销售机会（年价值）"),
    "value_per_year": ("Value a year", "年价值"),
    "opportunity_total": ("Opportunity value a year", "机会年价值"),
    "gap_total": ("Value of closing every gap", "补齐全部缺口的价值"),
    "lacking": ("Customers lacking the product", "未持有该产品的客户"),
    "top_lift": ("Strongest co-holding lift", "最强关联持有倍数"),
    "product": ("Product", "产品"),
    "conversions": ("Expected conversions", "预计转化"),
    "value_headline_total": (
        "In all, converting non-holders at the planned rates is worth {total} a year.",
        "按计划转化率向未持有客户销售，每年合计价值{total}。",
    ),
    "no_products": (
        "The data has no product holdings: value mining cannot be sized.",
        "数据没有产品持有信息，无法测算价值挖掘。",
    ),
    "no_offered": (
        "None of the offered products ({offered}) is in the data: no opportunity can be sized. "
        "Penetration of the products held is shown instead.",
        "数据中没有任何在售产品（{offered}），无法测算机会；以下展示现有产品的渗透率。",
    ),
    "penetration_chart": ("Product penetration by tier", "各层级产品渗透率"),
    "penetration": ("Penetration", "渗透率"),
    "rank": ("Rank", "排名"),
    "baseline_rank": ("Baseline rank", "基准排名"),
    "rank_change": ("Change", "变动"),
    "score": ("Score", "得分"),
    "staff_chart": ("Rank under {baseline} and under {current}", "{baseline}与{current}下的排名"),
    "units_ranked": ("Units ranked ({level})", "参与排名单位（{level}）"),
    "units_moved": ("Units changing rank", "排名变动的单位"),
    "flagged": ("Guardrail flags", "护栏预警"),
    "customer_weight": ("Weight on customer outcomes", "客户维度权重"),
    "staff_headline": ("{movers} {flags}", "{movers}{flags}"),
    "basis_current": ("current AUM", "当前资产"),
    "basis_1m": ("the 1-month average AUM", "近1个月日均资产"),
    "basis_3m": ("the 3-month average AUM", "近3个月日均资产"),
    "basis_6m": ("the 6-month average AUM", "近6个月日均资产"),
    "basis_12m": ("the 12-month average AUM", "近12个月日均资产"),
    "basis_change": ("tiering on {basis}", "按{basis}分层"),
    "flags_some": (
        "{n} of {units} units sell strongly while their customers fare poorly (guardrail).",
        "{units}个单位中有{n}个销售指标强而客户结果差（护栏预警）。",
    ),
    "flags_none": ("No unit trips the sales-versus-customer guardrail.", "没有单位触发“销售强、客户差”护栏。"),
    "too_few_units": (
        "Staff ranking needs at least two branches or relationship managers; the data has {n}.",
        "员工排名至少需要两个网点或客户经理，数据中只有{n}个。",
    ),
    "bad_weights": ("The scenario's staff weights cannot be used: {error}", "方案中的考核权重无法使用：{error}"),
    "unit": ("Unit", "单位"),
    "area": ("Area", "保障领域"),
    "kpi": ("KPI tracked now", "当前可跟踪指标"),
    "current": ("Current value", "当前值"),
    "target": ("Target", "目标"),
    "target_inline": ("target", "目标"),
    "tellers_freed": ("Tellers freed by the digital what-if", "数字化情景可释放柜员"),
    "guarantee_chart": ("Guarantee KPIs: current against target", "保障指标：当前值与目标"),
    "share_axis": ("Share", "占比"),
    "guarantees_headline": (
        "{met} of {n} guarantee KPIs meet their target; furthest behind: {kpi}, {current} against {target}.",
        "{n}项保障指标中{met}项达标；差距最大的是{kpi}：当前{current}，目标{target}。",
    ),
    "guarantees_all_met": (
        "All {n} guarantee KPIs the data measures meet their target.",
        "数据可衡量的{n}项保障指标均已达标。",
    ),
    "not_in_data": ("not in the data", "数据中缺失"),
    "no_guarantee_kpi": ("The data supports none of the guarantee KPIs yet.", "数据尚不支持任何保障指标。"),
    "notes_table": ("Figures:", "数据："),
}
"""(English, Chinese) text of every phrase the report writes."""


def _t(key: str, lang: str, **values) -> str:
    en, zh = TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def _number(label_key: str, value: float, kind: str, lang: str, **label_values) -> KeyNumber:
    value = float(value) if value is not None else math.nan
    return KeyNumber(_t(label_key, lang, **label_values), format_value(value, kind, lang), value)


def _chart(lang: str, **kwargs) -> ChartSpec:
    return ChartSpec(number_format=NUMBER_FORMATS[kwargs.get("value_kind", "count")][lang], **kwargs)


def _notes(headline: str, numbers: tuple[KeyNumber, ...], lines: list[str], lang: str) -> str:
    body = [headline, "", _t("notes_table", lang)]
    body += [f"- {n.label}: {n.text}" for n in numbers]
    body += [f"- {line}" for line in lines if line]
    return "\n".join(body)


def _step(key: str, lang: str, headline: str, numbers, chart: ChartSpec | None, table, lines, available=True) -> Step:
    numbers = tuple(numbers)[:4]
    headline = headline[:1].upper() + headline[1:]
    return Step(
        key=key,
        title=_t(key, lang),
        headline=headline,
        numbers=numbers,
        chart=chart,
        figure=chart_figure(chart, lang) if chart is not None else None,
        table=table,
        notes=_notes(headline, numbers, lines, lang),
        available=available,
    )


tier_labels = seg.tier_labels  # one definition, in crm_core.segments (kept here as part of this API)


# --- 1 positioning ------------------------------------------------------------------------------


def _positioning(prepared, profiles: pd.DataFrame, labels, lang: str) -> Step:
    c = prepared.customers
    active_aum = c.loc[c["is_active"], "aum"].to_numpy(dtype=float)
    curve = seg.concentration_curve(active_aum)
    top1, gini = curve.attrs["top_shares"]["top1"], curve.attrs["gini"]
    tiers = profiles[profiles["code"] >= 0]
    numbers = (
        _number("active_customers", profiles["customers"].sum(), "count", lang),
        _number("total_aum", profiles["aum"].sum(), "money", lang),
        _number("top1", top1, "share", lang),
        KeyNumber(_t("gini", lang), format_value(gini, "ratio", lang), float(gini)),
    )
    if tiers["customers"].sum() == 0:
        return _step("positioning", lang, _t("no_customers", lang), numbers, None, None, [], available=False)
    filled = tiers[tiers["customers"] > 0]
    low, high = filled.iloc[0], filled.iloc[-1]
    headline = _t(
        "positioning_headline",
        lang,
        low=low["group"],
        low_share=format_value(low["customer_share"], "share", lang),
        low_aum=format_value(low["aum_share"], "share", lang),
        high=high["group"],
        high_share=format_value(high["customer_share"], "share", lang),
        high_aum=format_value(high["aum_share"], "share", lang),
        top1=format_value(top1, "share", lang),
        gini=format_value(gini, "ratio", lang),
    )
    chart = _chart(
        lang,
        kind="bar",
        title=_t("positioning_chart", lang),
        categories=tuple(profiles["group"]),
        series=(
            (_t("customer_share", lang), tuple(profiles["customer_share"])),
            (_t("aum_share", lang), tuple(profiles["aum_share"])),
        ),
        x_title=_t("tier", lang),
        y_title=_t("customer_share", lang) + " / " + _t("aum_share", lang),
        value_kind="share",
    )
    table = pd.DataFrame(
        {
            _t("tier", lang): profiles["group"],
            _t("customers", lang): [format_value(v, "count", lang) for v in profiles["customers"]],
            _t("customer_share", lang): [format_value(v, "share", lang) for v in profiles["customer_share"]],
            _t("aum", lang): [format_value(v, "money", lang) for v in profiles["aum"]],
            _t("aum_share", lang): [format_value(v, "share", lang) for v in profiles["aum_share"]],
            _t("average_aum", lang): [format_value(v, "money", lang) for v in profiles["average_aum"]],
        }
    )
    lines = [
        f"{row.group}: {format_value(row.customers, 'count', lang)} · {format_value(row.customer_share, 'share', lang)}"
        f" · {format_value(row.aum, 'money', lang)} · {format_value(row.aum_share, 'share', lang)}"
        for row in profiles.itertuples()
    ]
    return _step("positioning", lang, headline, numbers, chart, table, lines)


# --- 2 tiered management ------------------------------------------------------------------------


def _tiering(prepared, inputs, tiers, profiles: pd.DataFrame, config: seg.TierConfig, labels, lang: str) -> Step:
    bank = seg.bank_profile(inputs)
    default = seg.tier_preset("default", "en")
    c = prepared.customers
    active = c["is_active"].to_numpy(dtype=bool)
    moved_count = 0
    if default.thresholds == config.thresholds and default.basis == config.basis:
        migration = _t("same_as_default", lang)
    else:
        baseline = (
            seg.TierConfig(default.thresholds, config.labels, default.basis)
            if len(default.labels) == len(config.labels)
            else default
        )
        base_labels = labels if baseline.labels == config.labels else tier_labels(baseline, lang)
        base_codes = seg.aum_tiers(prepared, baseline).codes
        counts, money = seg.migration_matrix(
            base_codes[active],
            tiers.codes[active],
            c["aum"].to_numpy(dtype=float)[active],
            base_labels,
            labels,
            _t("not_assigned", lang),
        )
        moved_count = int(
            counts.to_numpy().sum() - np.trace(counts.to_numpy()[: min(counts.shape), : min(counts.shape)])
        )
        change = seg.tier_change_phrase(baseline, replace(config, labels=baseline.labels))
        if baseline.thresholds == config.thresholds:
            basis = _t(f"basis_{config.basis}", "en"), _t(f"basis_{config.basis}", "zh")
            change = {"en": _t("basis_change", "en", basis=basis[0]), "zh": _t("basis_change", "zh", basis=basis[1])}
        migration = _t("against_default", lang) + seg.migration_sentence(counts, money, change)[lang]
    shown = profiles[(profiles["code"] >= 0) & ~profiles["suppressed"]]
    measures = [m for m in ("products_per_customer", "digital_active_share", "churn_rate") if shown[m].notna().any()]
    numbers = [
        _number("bank_products", bank["products_per_customer"], "ratio", lang),
        _number("bank_digital", bank["digital_active_share"], "share", lang),
        _number("bank_churn", bank["churn_rate"], "share", lang),
        _number("moved", moved_count, "count", lang),
    ]
    if shown.empty or "products_per_customer" not in measures:
        headline = migration + "."
    else:
        top, low = shown.iloc[-1], shown.iloc[0]
        headline = _t(
            "tiering_headline",
            lang,
            top=top["group"],
            top_products=format_value(top["products_per_customer"], "ratio", lang),
            bank_products=format_value(bank["products_per_customer"], "ratio", lang),
            low=low["group"],
            low_products=format_value(low["products_per_customer"], "ratio", lang),
            migration=migration,
        )
    chart = None
    if measures and not shown.empty:
        chart = _chart(
            lang,
            kind="bar",
            title=_t("index_title", lang),
            categories=tuple(shown["group"]),
            series=tuple((_t(m, lang), tuple(shown[f"{m}_index"])) for m in measures),
            x_title=_t("tier", lang),
            y_title=_t("index_axis", lang),
            value_kind="index",
        )
    table = pd.DataFrame({_t("tier", lang): profiles["group"]})
    for measure, kind in (
        ("products_per_customer", "ratio"),
        ("digital_active_share", "share"),
        ("churn_rate", "share"),
        ("average_age", "ratio"),
    ):
        if profiles[measure].notna().any():
            table[_t(measure, lang)] = [format_value(v, kind, lang) for v in profiles[measure]]
    lines = [migration] + [
        f"{row['group']}: "
        + ", ".join(f"{_t(m, lang)} {format_value(row[f'{m}_index'], 'index', lang)}" for m in measures)
        for _, row in shown.iterrows()
    ]
    return _step("tiering", lang, headline, numbers, chart, table, lines)


# --- 3 stickiness ---------------------------------------------------------------------------------


def _stickiness(prepared, scenario: Scenario, codes, labels, risk: loy.ChurnRisk, lang: str):
    """The stickiness step and the risk-by-segment table (None without a model)."""
    c = prepared.customers
    aum = np.nan_to_num(c["aum"].to_numpy(dtype=float))
    matrix = loy.stickiness_matrix(prepared, scenario.stickiness)
    scores = loy.stickiness_scores(matrix, scenario.stickiness)
    primacy = loy.primacy_flags(prepared)
    by_segment = loy.stickiness_by_segment(scores, primacy, codes, labels)
    active = c["is_active"].to_numpy(dtype=bool)
    mean = float(np.nanmean(scores[active])) if active.any() and matrix.indicators else math.nan
    known = by_segment.dropna(subset=["mean"])
    if not matrix.indicators or known.empty:
        numbers = (_number("stickiness_mean", mean, "index", lang),)
        return _step("stickiness", lang, _t("no_stickiness", lang), numbers, None, None, [], False), None
    best, worst = known.loc[known["mean"].idxmax()], known.loc[known["mean"].idxmin()]
    words = {
        "mean": format_value(mean, "index", lang),
        "best": best["segment"],
        "best_mean": format_value(best["mean"], "index", lang),
        "worst": worst["segment"],
        "worst_mean": format_value(worst["mean"], "index", lang),
    }
    chart = _chart(
        lang,
        kind="bar",
        title=_t("stickiness_chart", lang),
        categories=tuple(by_segment["segment"]),
        series=((_t("stickiness_mean", lang), tuple(by_segment["mean"])),),
        x_title=_t("tier", lang),
        y_title=_t("stickiness_axis", lang),
        value_kind="index",
    )
    primacy_share = float(primacy[active].mean()) if active.any() else math.nan
    lines = [
        f"{row.segment}: {_t('stickiness_mean', lang)} {format_value(row.mean, 'index', lang)}, "
        f"{_t('primacy_share', lang)} {format_value(row.primacy_share, 'share', lang)}"
        for row in by_segment.itertuples()
    ]
    if not risk.usable:
        headline = _t("stickiness_no_model", lang, reason=risk.fitted.reason[lang], **words)
        numbers = (
            _number("stickiness_mean", mean, "index", lang),
            _number("primacy_share", primacy_share, "share", lang),
        )
        return _step("stickiness", lang, headline, numbers, chart, None, lines), None
    probabilities = risk.probabilities
    bands = loy.risk_bands(probabilities)
    by_risk = loy.risk_by_group(probabilities, bands, aum, codes, labels)
    values = loy.customer_value(prepared, probabilities, codes, scenario.clv)
    retention = scenario.retention
    if any(code >= len(labels) for code in retention.segments):
        retention = replace(retention, segments=tuple(code for code in retention.segments if code < len(labels)))
    kept = loy.retention_what_if(
        probabilities, bands, values, codes, labels, retention, risk.fitted.evaluation.calibration_error
    )
    what_if = loy.what_if_sentence(kept, retention, lang)
    high = bands == loy.RISK_BANDS.index("high")
    at_risk = float(aum[high].sum())
    evaluation = risk.fitted.evaluation
    headline = _t(
        "stickiness_headline",
        lang,
        auc=f"{evaluation.roc_auc:.2f}",
        high=format_value(high.sum(), "count", lang),
        at_risk=format_value(at_risk, "money", lang),
        what_if=what_if,
        **words,
    )
    total_kept = kept.loc[kept["code"] == -1].iloc[0]
    numbers = (
        _number("stickiness_mean", mean, "index", lang),
        KeyNumber(_t("roc_auc", lang), f"{evaluation.roc_auc:.3f}", float(evaluation.roc_auc)),
        _number("at_risk_aum", at_risk, "money", lang),
        _number("aum_kept", total_kept["aum_kept"], "money", lang),
    )
    table = pd.DataFrame(
        {
            _t("segment", lang): by_risk["group"],
            _t("scored", lang): [format_value(v, "count", lang) for v in by_risk["scored"]],
            _t("high_risk", lang): [format_value(v, "count", lang) for v in by_risk["high_risk"]],
            _t("expected_churners", lang): [format_value(v, "count", lang) for v in by_risk["expected_churners"]],
            _t("at_risk_aum", lang): [format_value(v, "money", lang) for v in by_risk["at_risk_aum"]],
        }
    )
    lines += [
        f"{row.group}: {_t('high_risk', lang)} {format_value(row.high_risk, 'count', lang)}, "
        f"{_t('at_risk_aum', lang)} {format_value(row.at_risk_aum, 'money', lang)}"
        for row in by_risk.itertuples()
    ]
    lines.append(risk.labels.description[lang])
    return _step("stickiness", lang, headline, numbers, chart, table, lines), by_risk


# --- 4 value mining -------------------------------------------------------------------------------


def _value_mining(prepared, scenario: Scenario, codes, labels, lang: str):
    """The value-mining step, the gap table and the opportunity table."""
    if not prepared.products:
        return _step("value_mining", lang, _t("no_products", lang), (), None, None, [], False), None, None
    matrix = prod.holding_matrix(prepared)
    holdings = prod.segment_holdings(matrix, codes, labels)
    gaps = prod.penetration_gaps(matrix, codes, labels, scenario.product_benchmark, holdings)
    offered = gaps[gaps["product"].isin(scenario.offered_products)]
    opportunities = prod.opportunity_sizing(offered, scenario.sizing)
    pairs = prod.co_holding(matrix)
    co_sentences = prod.co_holding_sentences(pairs, lang, top=3)
    strong = pairs[pairs["support"] >= 0.01]["lift"].dropna()
    top_lift = float(strong.max()) if len(strong) else math.nan
    gaps = gaps.assign(product_name=[prod.product_name(p, lang) for p in gaps["product"]])
    opportunities = opportunities.assign(product_name=[prod.product_name(p, lang) for p in opportunities["product"]])
    if opportunities.empty:
        names = "、".join if lang == "zh" else ", ".join
        headline = _t("no_offered", lang, offered=names(prod.product_name(p, lang) for p in scenario.offered_products))
        shares = holdings.holders / np.maximum(holdings.customers[:, None], 1)
        chart = _chart(
            lang,
            kind="bar",
            title=_t("penetration_chart", lang),
            categories=tuple(prod.product_name(p, lang) for p in matrix.products),
            series=tuple((label, tuple(shares[i])) for i, label in enumerate(holdings.labels)),
            x_title=_t("product", lang),
            y_title=_t("penetration", lang),
            value_kind="share",
        )
        numbers = (KeyNumber(_t("top_lift", lang), f"{top_lift:.1f}x" if math.isfinite(top_lift) else "n/a", top_lift),)
        return _step("value_mining", lang, headline, numbers, chart, None, co_sentences), gaps, opportunities
    totals = prod.opportunity_totals(opportunities)
    top = prod.top_opportunities(opportunities, 8)
    headline = prod.opportunity_headline(opportunities, lang, 0.5)
    headline += (" " if lang != "zh" else "") + _t(
        "value_headline_total", lang, total=format_value(totals["opportunity_value"], "money", lang)
    )
    if co_sentences:
        headline += (" " if lang != "zh" else "") + co_sentences[0]
    numbers = (
        _number("opportunity_total", totals["opportunity_value"], "money", lang),
        _number("gap_total", totals["gap_value"], "money", lang),
        _number("lacking", totals["lacking"], "count", lang),
        KeyNumber(_t("top_lift", lang), f"{top_lift:.1f}x" if math.isfinite(top_lift) else "n/a", top_lift),
    )
    categories = tuple(f"{row.group} · {row.product_name}" for row in top.itertuples())
    chart = (
        _chart(
            lang,
            kind="bar",
            title=_t("opportunity_chart", lang),
            categories=categories,
            series=((_t("value_per_year", lang), tuple(top["opportunity_value"])),),
            x_title="",
            y_title=_t("value_per_year", lang),
            value_kind="money",
            horizontal=True,
        )
        if len(top)
        else None
    )
    table = pd.DataFrame(
        {
            _t("segment", lang): top["group"],
            _t("product", lang): top["product_name"],
            _t("lacking", lang): [format_value(v, "count", lang) for v in top["lacking"]],
            _t("conversions", lang): [format_value(v, "count", lang) for v in top["expected_conversions"]],
            _t("value_per_year", lang): [format_value(v, "money", lang) for v in top["opportunity_value"]],
        }
    ).head(6)
    lines = [
        f"{row.group} · {row.product_name}: {format_value(row.opportunity_value, 'money', lang)}"
        for row in top.itertuples()
    ] + co_sentences
    return _step("value_mining", lang, headline, numbers, chart, table, lines), gaps, opportunities


# --- 5 staff assessment ---------------------------------------------------------------------------


def _preset_name(key: str, lang: str) -> str:
    preset = staff.PRESET_BY_KEY[key]
    return preset.zh if lang == "zh" else preset.en


def _staff(prepared, scenario: Scenario, lang: str):
    """The staff step and the full ranking table (None when ranking is impossible)."""
    card = staff.staff_scorecard(prepared, "branch")
    if len(card.units) < 2 and prepared.has("relationship_manager"):
        card = staff.staff_scorecard(prepared, "relationship_manager")
    if len(card.units) < 2 or not card.indicators:
        headline = _t("too_few_units", lang, n=len(card.units))
        return _step("staff", lang, headline, (), None, None, staff.scorecard_notes(card, lang), False), None
    try:
        weights = staff.scorecard_weights(card, dict(scenario.staff_weights))
    except ValueError as error:
        headline = _t("bad_weights", lang, error=str(error))
        return _step("staff", lang, headline, (), None, None, [], False), None
    baseline = staff.scorecard_weights(card, staff.PRESET_BY_KEY[scenario.staff_baseline])
    table = staff.ranking_table(card, weights, baseline, lang)
    baseline_name = _preset_name(scenario.staff_baseline, lang)
    current_name = next(
        (_preset_name(p.key, lang) for p in staff.PRESETS if p.weights == scenario.staff_weights), scenario.name
    )
    movers = staff.movers_sentence(table, baseline_name, current_name, lang)
    flags = staff.guardrail_flags(card, lang=lang)
    n_flagged = int(flags["flagged"].sum())
    flag_text = _t("flags_some", lang, n=n_flagged, units=len(card.units)) if n_flagged else _t("flags_none", lang)
    headline = _t("staff_headline", lang, movers=movers, flags=flag_text)
    customer_weight = staff.perspective_weights(dict(scenario.staff_weights))["customer"] / 100
    level = staff.LEVEL_NAMES[card.level][lang == "zh"]
    numbers = (
        _number("units_ranked", len(card.units), "count", lang, level=level),
        _number("units_moved", int((table["rank_change"] != 0).sum()), "count", lang),
        _number("flagged", n_flagged, "count", lang),
        _number("customer_weight", customer_weight, "share", lang),
    )
    chosen = staff.selected_units(table, 12)
    shown = table.set_index("unit").loc[chosen].reset_index()
    chart = _chart(
        lang,
        kind="bar",
        title=_t("staff_chart", lang, baseline=baseline_name, current=current_name),
        categories=tuple(str(u) for u in shown["unit"]),
        series=(
            (baseline_name, tuple(shown["baseline_rank"].astype(float))),
            (current_name, tuple(shown["rank"].astype(float))),
        ),
        x_title=level,
        y_title=_t("rank", lang),
        value_kind="rank",
    )
    display = pd.DataFrame(
        {
            _t("unit", lang): shown["unit"].astype(str),
            _t("rank", lang): shown["rank"].astype(int).astype(str),
            _t("baseline_rank", lang): shown["baseline_rank"].astype(int).astype(str),
            _t("rank_change", lang): [f"{int(v):+d}" for v in shown["rank_change"]],
            _t("score", lang): [format_value(v, "index", lang) for v in shown["score"]],
        }
    ).head(8)
    lines = [movers, flag_text, *flags.loc[flags["flagged"], "sentence"].astype(str)]
    return _step("staff", lang, headline, numbers, chart, display, lines), table


# --- 6 guarantee measures -------------------------------------------------------------------------


def _visit_numbers(prepared, scenario: Scenario, codes, labels, cube) -> tuple[float, float]:
    """Off-counter rate of the last 12 months and tellers freed by the scenario's digital what-if."""
    if cube is None:
        return math.nan, math.nan
    bank_fit = vis.bank_decline(cube)
    _, branch_fits = vis.branch_declines(cube)
    kpis = vis.visit_kpis(prepared, cube, bank_fit, benchmark=scenario.off_counter_benchmark).set_index("metric")
    inputs = scenario.visits_what_if
    if not inputs.segments:  # no segment chosen: the push covers every tier
        inputs = replace(inputs, segments=tuple(range(len(labels))))
    staffing = vis.what_if_staffing(vis.what_if_base(cube, codes, labels, branch_fits), inputs)
    return float(kpis.loc["off_counter_rate", "value"]), float(staffing["tellers_freed"].sum())


def _guarantees(prepared, scenario: Scenario, codes, labels, lang: str, cube) -> Step:
    """The playbook's guarantee measures (current value against target) and the tellers the what-if frees."""
    from crm_core.playbook import guarantee_measures  # the playbook builds on the views this module reports

    measures = guarantee_measures(prepared, scenario, lang=lang)
    _, tellers = _visit_numbers(prepared, scenario, codes, labels, cube)
    kinds = {"share": "share"}  # ratios and scores read as plain numbers
    rows = [
        (str(r.area_label), str(r.kpi_label), float(r.current), float(r.target), kinds.get(str(r.unit), "ratio"))
        for r in measures.itertuples(index=False)
    ]

    def shown(value: float, kind: str) -> str:
        return format_value(value, kind, lang) if math.isfinite(value) else _t("not_in_data", lang)

    table = pd.DataFrame(
        {
            _t("area", lang): [area for area, *_ in rows],
            _t("kpi", lang): [kpi for _, kpi, *_ in rows],
            _t("current", lang): [shown(current, kind) for _, _, current, _, kind in rows],
            _t("target", lang): [shown(target, kind) for _, _, _, target, kind in rows],
        }
    )
    tracked = [(kpi, current, target, kind) for _, kpi, current, target, kind in rows if math.isfinite(current)]
    if not tracked:
        return _step("guarantees", lang, _t("no_guarantee_kpi", lang), (), None, table, [], False)
    scored = [(kpi, current, target, kind) for kpi, current, target, kind in tracked if math.isfinite(target)]
    behind = [row for row in scored if row[1] < row[2]]
    if behind:  # the KPI furthest short of its target, relative to the target
        kpi, current, target, kind = max(behind, key=lambda row: (row[2] - row[1]) / abs(row[2] or 1.0))
        headline = _t(
            "guarantees_headline",
            lang,
            met=len(scored) - len(behind),
            n=len(scored),
            kpi=kpi,
            current=format_value(current, kind, lang),
            target=format_value(target, kind, lang),
        )
    else:
        headline = _t("guarantees_all_met", lang, n=len(scored))
    shares = [(kpi, current, target) for kpi, current, target, kind in tracked if kind == "share"]
    series = [(_t("current", lang), tuple(current for _, current, _ in shares))]
    if shares and all(math.isfinite(target) for *_, target in shares):
        series.append((_t("target", lang), tuple(target for *_, target in shares)))
    chart = (
        _chart(
            lang,
            kind="bar",
            title=_t("guarantee_chart", lang),
            categories=tuple(kpi for kpi, *_ in shares),
            series=tuple(series),
            x_title="",
            y_title=_t("share_axis", lang),
            value_kind="share",
            horizontal=True,
        )
        if shares
        else None
    )
    numbers = tuple(KeyNumber(kpi, format_value(current, kind, lang), current) for kpi, current, _, kind in tracked)
    colon = "：" if lang == "zh" else ": "
    lines = [
        f"{area} · {kpi}{colon}{shown(current, kind)}（{_t('target_inline', lang)} {shown(target, kind)}）"
        if lang == "zh"
        else f"{area} · {kpi}{colon}{shown(current, kind)} ({_t('target_inline', lang)} {shown(target, kind)})"
        for area, kpi, current, target, kind in rows
    ]
    if math.isfinite(tellers):
        lines.append(f"{_t('tellers_freed', lang)}{colon}{format_value(tellers, 'ratio', lang)}")
    return _step("guarantees", lang, headline, numbers, chart, table, lines)


# --- the report -----------------------------------------------------------------------------------


def _segment_table(profiles: pd.DataFrame) -> pd.DataFrame:
    return profiles.rename(columns={"group": "tier"})


def _shortened(text: str, limit: int) -> str:
    """Cut text to ``limit`` characters with an ellipsis (works for Chinese, which has no spaces)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _playbook(prepared, scenario: Scenario, risk, lang: str, cube) -> Step:
    """The closing section: the executive findings ranked by money at stake (``crm_core.playbook``)."""
    from crm_core.playbook import executive_findings

    items = executive_findings(prepared, scenario, lang, churn_risk=risk, cube=cube).items
    if not items:
        return _step("playbook", lang, _t("playbook_none", lang), (), None, None, [], available=False)
    stake = tuple(float(f.materiality) for f in items)
    numbers = tuple(
        KeyNumber(f"{rank}. {_t('at_stake', lang)}", format_money(value, lang), value)
        for rank, value in enumerate(stake[:4], start=1)
    )
    chart = _chart(
        lang, kind="bar", title=_t("playbook_chart", lang), categories=tuple(str(r) for r in range(1, len(items) + 1)),
        series=((_t("at_stake", lang), stake),), value_kind="money", horizontal=True,
    )  # fmt: skip
    table = pd.DataFrame(
        {
            "#": [str(rank) for rank in range(1, len(items) + 1)],
            # Short enough for a slide table; the full sentences are in the speaker notes.
            _t("finding", lang): [_shortened(f.sentence, 34 if lang == "zh" else 64) for f in items],
            _t("at_stake", lang): [format_money(value, lang) for value in stake],
        }
    )
    lines = [f"{rank}. {f.sentence} ({f.rule})" for rank, f in enumerate(items, start=1)]
    return _step("playbook", lang, items[0].sentence, numbers, chart, table, lines)


def report_content(
    prepared: PreparedDataset,
    scenario: Scenario,
    lang: str = "en",
    churn_risk: loy.ChurnRisk | None = None,
    cube: vis.VisitCube | None = None,
) -> Report:
    """Return the storyline of a dataset under one scenario's settings: six steps and the playbook.

    Parameters
    ----------
    prepared : PreparedDataset
        The prepared dataset. Not modified.
    scenario : Scenario
        Every setting: tiers, stickiness weights, churn definition, CLV, retention what-if,
        product benchmark, sizing and offered products, staff weights and baseline, visits what-if.
    lang : {"en", "zh"}
        Language of every text.
    churn_risk : ChurnRisk, optional
        A model already trained for ``scenario.churn`` (the app caches it); trained here when None.
    cube : VisitCube, optional
        The dataset's visit cube (the app caches it); built here once when None and the
        dataset has activity (at 5M customers that reads 300M activity rows).

    Returns
    -------
    Report
        Steps ``positioning``, ``tiering``, ``stickiness``, ``value_mining``, ``staff``,
        ``guarantees``, ``playbook`` (closing section), and the segment, gap, opportunity, risk and
        ranking tables.
    """
    lang = "zh" if lang == "zh" else "en"
    labels = tier_labels(scenario.tiers, lang)
    tiers = seg.aum_tiers(prepared, scenario.tiers)
    codes = tiers.codes
    inputs = seg.profile_inputs(prepared)
    profiles = seg.group_profiles(inputs, codes, labels, unassigned_label=_t("not_assigned", lang))
    risk = churn_risk if churn_risk is not None else loy.churn_risk_model(prepared, scenario.churn)
    stickiness, risk_table = _stickiness(prepared, scenario, codes, labels, risk, lang)
    value_mining, gaps, opportunities = _value_mining(prepared, scenario, codes, labels, lang)
    staff_step, ranking = _staff(prepared, scenario, lang)
    if cube is None and prepared.monthly_channels is not None:
        cube = vis.visit_cube(prepared)
    steps = (
        _positioning(prepared, profiles, labels, lang),
        _tiering(prepared, inputs, tiers, profiles, scenario.tiers, labels, lang),
        stickiness,
        value_mining,
        staff_step,
        _guarantees(prepared, scenario, codes, labels, lang, cube),
        _playbook(prepared, scenario, risk, lang, cube),
    )
    tables: list[tuple[str, pd.DataFrame]] = [("segments", _segment_table(profiles))]
    for key, frame in (("gaps", gaps), ("opportunities", opportunities), ("risk", risk_table), ("ranking", ranking)):
        if frame is not None:
            tables.append((key, frame.reset_index(drop=True)))
    as_of = pd.Timestamp(prepared.as_of)
    return Report(
        title=_t("title", lang),
        subtitle=_t("subtitle", lang, scenario=scenario.name, as_of=f"{as_of:%Y-%m}"),
        lang=lang,
        steps=steps,
        tables=tuple(tables),
    )
