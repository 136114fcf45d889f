"""The storyline's content: the steps computed from a dataset and one scenario's settings.

Positioning → tiered management → stickiness → value mining → channels and visits → staff
assessment → guarantee measures → strategy per tier → findings → decisions requested (the last
four in ``crm_core.report.meeting`` and ``_playbook``). Each step calls the same ``crm_core``
functions the pages call, with the scenario's settings, and turns their results into a headline,
key numbers, a chart spec, a small table and speaker notes, in English or Chinese. A step whose
data is missing says so in its headline instead of failing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from crm_core import catalog, staff
from crm_core import loyalty as loy
from crm_core import products as prod
from crm_core import segments as seg
from crm_core import service as svc
from crm_core import visits as vis
from crm_core.definitions import active_customers, total_aum
from crm_core.formatting import currency_symbol, format_money, format_month
from crm_core.messages import Message, Term
from crm_core.messages import names as render_names
from crm_core.messages import render as render_message
from crm_core.places import place_names
from crm_core.prepare import PreparedDataset
from crm_core.report.model import (
    NUMBER_FORMATS,
    ChartSpec,
    KeyNumber,
    Report,
    Step,
    format_value,
)
from crm_core.sample import SAMPLE_NAME
from crm_core.scenarios import Scenario, scenario_label
from crm_core.stored_models import churn_risk_of
from crm_core.trends import KpiTrends, kpi_trends


def _scenario_name(scenario: Scenario, lang: str) -> str:
    """A scenario's name in ``lang`` (``crm_core.scenarios.scenario_label``)."""
    return scenario_label(scenario.name, lang)


def _t(key: str, lang: str, **values) -> str:
    return catalog.text(key, lang, **values)


def _number(label_key: str, value: float, kind: str, lang: str, **label_values) -> KeyNumber:
    value = float(value) if value is not None else math.nan
    return KeyNumber(_t(label_key, lang, **label_values), format_value(value, kind, lang), value)


def _lift_text(lift: float, lang: str) -> str:
    return f"{lift:.1f}x" if math.isfinite(lift) else _t("not_available", lang)


def _chart(lang: str, **kwargs) -> ChartSpec:
    number_format = NUMBER_FORMATS[kwargs.get("value_kind", "count")][lang].replace('"¥"', f'"{currency_symbol()}"')
    return ChartSpec(number_format=number_format, **kwargs)


def _notes(headline: str, numbers: tuple[KeyNumber, ...], lines: list[str], lang: str) -> str:
    body = [headline, "", _t("report_notes_table", lang)]
    body += [f"- {n.label}: {n.text}" for n in numbers]
    body += [f"- {line}" for line in lines if line]
    return "\n".join(body)


def _step(key: str, lang: str, headline: str, numbers, chart: ChartSpec | None, table, lines, available=True) -> Step:
    numbers = tuple(numbers)[:4]
    headline = headline[:1].upper() + headline[1:]
    return Step(
        key=key,
        title=_t(f"report_step_{key}", lang),
        headline=headline,
        numbers=numbers,
        chart=chart,
        table=table,
        notes=_notes(headline, numbers, lines, lang),
        available=available,
        lang=lang,
    )


def tier_labels(config: seg.TierConfig, lang: str) -> tuple[str, ...]:
    """The tiers' names in ``lang`` (the core names them as terms: ``segments.tier_terms``)."""
    return render_names(seg.tier_terms(config), lang)


def tier_names(config: seg.TierConfig, lang: str) -> dict[str, str]:
    """Each tier's stored label → its name in ``lang``."""
    return dict(zip(config.labels, tier_labels(config, lang), strict=True))


# --- 1 positioning ------------------------------------------------------------------------------


def _positioning(prepared, profiles: pd.DataFrame, labels, lang: str) -> Step:
    c = prepared.customers
    active_aum = c.loc[c["is_active"], "aum"].to_numpy(dtype=float)
    curve = seg.concentration_curve(active_aum)
    top1, gini = curve.attrs["top_shares"]["top1"], curve.attrs["gini"]
    tiers = profiles[profiles["code"] >= 0]
    numbers = (
        _number("report_active_customers", active_customers(c), "count", lang),
        _number("report_total_aum", total_aum(c), "money", lang),
        _number("report_top1", top1, "share", lang),
        KeyNumber(_t("report_gini", lang), format_value(gini, "ratio", lang), float(gini)),
    )
    if tiers["customers"].sum() == 0:
        return _step("positioning", lang, _t("report_no_customers", lang), numbers, None, None, [], available=False)
    filled = tiers[tiers["customers"] > 0]
    low, high = filled.iloc[0], filled.iloc[-1]
    headline = _t(
        "report_positioning_headline",
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
        title=_t("report_positioning_chart", lang),
        categories=tuple(profiles["group"]),
        series=(
            (_t("report_customer_share", lang), tuple(profiles["customer_share"])),
            (_t("report_aum_share", lang), tuple(profiles["aum_share"])),
        ),
        x_title=_t("report_tier", lang),
        y_title=_t("report_customer_share", lang) + " / " + _t("report_aum_share", lang),
        value_kind="share",
    )
    table = pd.DataFrame(
        {
            _t("report_tier", lang): profiles["group"],
            _t("col_customers", lang): [format_value(v, "count", lang) for v in profiles["customers"]],
            _t("report_customer_share", lang): [format_value(v, "share", lang) for v in profiles["customer_share"]],
            _t("report_aum", lang): [format_value(v, "money", lang) for v in profiles["aum"]],
            _t("report_aum_share", lang): [format_value(v, "share", lang) for v in profiles["aum_share"]],
            _t("profile_average_aum", lang): [format_value(v, "money", lang) for v in profiles["average_aum"]],
        }
    )
    lines = [
        f"{row.group}: {format_value(row.customers, 'count', lang)} · {format_value(row.customer_share, 'share', lang)}"
        f" · {format_value(row.aum, 'money', lang)} · {format_value(row.aum_share, 'share', lang)}"
        for row in profiles.itertuples()
    ]
    return _step("positioning", lang, headline, numbers, chart, table, lines)


# --- 2 tiered management ------------------------------------------------------------------------


def _tiering(inputs, segments: seg.SegmentsView, profiles: pd.DataFrame, config: seg.TierConfig, lang: str) -> Step:
    """The tiering step; its migration against the default tiers is the Segments view's (one definition)."""
    bank = seg.bank_profile(inputs)
    default = seg.tier_preset("default")
    moved_count = segments.moved
    if default.thresholds == config.thresholds and default.basis == config.basis:
        migration = _t("report_same_as_default", lang)
    elif len(default.thresholds) != len(config.thresholds):
        migration = _t("report_tiers_not_comparable", lang, tiers=len(config.labels), default=len(default.labels))
    else:
        names = {**tier_names(config, lang), seg.NOT_ASSIGNED_LABEL: _t("not_assigned", lang)}
        counts = segments.migration_counts.rename(index=names, columns=names)
        money = segments.migration_aum.rename(index=names, columns=names)
        change = seg.tier_change_message(segments.baseline, config)
        if segments.baseline.thresholds == config.thresholds:
            change = Message("report_basis_change", basis=Term(f"report_basis_{config.basis}"))
        moves = render_message(seg.migration_message(counts, money, change), lang)
        migration = _t("report_against_default", lang) + moves
    shown = profiles[(profiles["code"] >= 0) & ~profiles["suppressed"]]
    measures = [m for m in ("products_per_customer", "digital_active_share", "churn_rate") if shown[m].notna().any()]
    numbers = [
        _number("report_bank_products", bank["products_per_customer"], "ratio", lang),
        _number("report_bank_digital", bank["digital_active_share"], "share", lang),
        _number("report_bank_churn", bank["churn_rate"], "share", lang),
        _number("report_moved", moved_count, "count", lang),
    ]
    if shown.empty or "products_per_customer" not in measures:
        headline = migration + "."
    else:
        top, low = shown.iloc[-1], shown.iloc[0]
        headline = _t(
            "report_tiering_headline",
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
            title=_t("report_index_title", lang),
            categories=tuple(shown["group"]),
            series=tuple((_t(f"profile_{m}", lang), tuple(shown[f"{m}_index"])) for m in measures),
            x_title=_t("report_tier", lang),
            y_title=_t("col_index", lang),
            value_kind="index",
        )
    table = pd.DataFrame({_t("report_tier", lang): profiles["group"]})
    for measure, kind in (
        ("products_per_customer", "ratio"),
        ("digital_active_share", "share"),
        ("churn_rate", "share"),
        ("average_age", "ratio"),
    ):
        if profiles[measure].notna().any():
            table[_t(f"profile_{measure}", lang)] = [format_value(v, kind, lang) for v in profiles[measure]]
    lines = [migration] + [
        f"{row['group']}: "
        + ", ".join(f"{_t(f'profile_{m}', lang)} {format_value(row[f'{m}_index'], 'index', lang)}" for m in measures)
        for _, row in shown.iterrows()
    ]
    return _step("tiering", lang, headline, numbers, chart, table, lines)


# --- 3 stickiness ---------------------------------------------------------------------------------


def _stickiness(view: loy.LoyaltyView, names: dict[str, str], risk: loy.ChurnRisk, lang: str, measure: str):
    """The stickiness step and the risk-by-segment table (None without a model), read from the loyalty view."""
    by_segment = prod.relabelled(view.stickiness, names, ("segment",))
    mean = view.mean_stickiness
    known = by_segment.dropna(subset=["mean"])
    if not view.weights or known.empty:
        numbers = (_number("report_stickiness_mean", mean, "index", lang),)
        return _step("stickiness", lang, _t("report_no_stickiness", lang), numbers, None, None, [], False), None
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
        title=_t("report_stickiness_chart", lang),
        categories=tuple(by_segment["segment"]),
        series=((_t("report_stickiness_mean", lang), tuple(by_segment["mean"])),),
        x_title=_t("report_tier", lang),
        y_title=_t("report_stickiness_axis", lang),
        value_kind="index",
    )
    primacy_share = view.primacy_share
    lines = [
        f"{row.segment}: {_t('report_stickiness_mean', lang)} {format_value(row.mean, 'index', lang)}, "
        f"{_t('report_primacy_share', lang)} {format_value(row.primacy_share, 'share', lang)}"
        for row in by_segment.itertuples()
    ]
    if not view.model_usable:
        headline = _t("report_stickiness_no_model", lang, reason=render_message(risk.fitted.reason, lang), **words)
        numbers = (
            _number("report_stickiness_mean", mean, "index", lang),
            _number("report_primacy_share", primacy_share, "share", lang),
        )
        return _step("stickiness", lang, headline, numbers, chart, None, lines), None
    by_risk = prod.relabelled(view.risk, names)
    what_if = render_message(loy.what_if_message(view.retention, view.settings.retention, measure), lang)
    at_risk = view.at_risk_aum
    evaluation = view.evaluation
    headline = _t(
        "report_stickiness_headline",
        lang,
        auc=f"{evaluation.roc_auc:.2f}",
        high=format_value(view.high_risk_customers, "count", lang),
        at_risk=format_value(at_risk, "money", lang),
        what_if=what_if,
        **words,
    )
    numbers = (
        _number("report_stickiness_mean", mean, "index", lang),
        KeyNumber(_t("report_roc_auc", lang), f"{evaluation.roc_auc:.3f}", float(evaluation.roc_auc)),
        _number("report_at_risk_aum", at_risk, "money", lang),
        _number("report_expected_aum_loss", view.expected_aum_loss, "money", lang),
        _number("report_aum_kept", view.aum_kept, "money", lang),
    )
    table = pd.DataFrame(
        {
            _t("report_segment", lang): by_risk["group"],
            _t("report_scored", lang): [format_value(v, "count", lang) for v in by_risk["scored"]],
            _t("report_high_risk", lang): [format_value(v, "count", lang) for v in by_risk["high_risk"]],
            _t("report_expected_churners", lang): [
                format_value(v, "count", lang) for v in by_risk["expected_churners"]
            ],
            _t("report_at_risk_aum", lang): [format_value(v, "money", lang) for v in by_risk["at_risk_aum"]],
        }
    )
    lines += [
        f"{row.group}: {_t('report_high_risk', lang)} {format_value(row.high_risk, 'count', lang)}, "
        f"{_t('report_at_risk_aum', lang)} {format_value(row.at_risk_aum, 'money', lang)}"
        for row in by_risk.itertuples()
    ]
    lines.append(render_message(risk.labels.description, lang))
    return _step("stickiness", lang, headline, numbers, chart, table, lines), by_risk


# --- 4 value mining -------------------------------------------------------------------------------


def _value_mining(view: prod.ProductsView | None, scenario: Scenario, branches: dict[str, str], lang: str):
    """The value-mining step, the gap table and the opportunity table (all read from the products view)."""
    if view is None:
        return _step("value_mining", lang, _t("report_no_products", lang), (), None, None, [], False), None, None
    names = tier_names(scenario.tiers, lang)
    # A best-branch benchmark is named by its branch.
    sources = {**branches, "bank": _t("benchmark_bank", lang), "target": _t("benchmark_target", lang), **names}
    holdings = view.holdings
    gaps = prod.relabelled(view.gaps, sources, ("group", "benchmark_source"))
    opportunities = prod.relabelled(view.sizing[list(prod.SIZING_COLUMNS)], names)
    co_sentences = [render_message(m, lang) for m in prod.co_holding_messages(view.pairs, top=3)]
    top_lift = view.top_lift
    gaps = gaps.assign(product_name=[prod.product_name(p, lang) for p in gaps["product"]])
    opportunities = opportunities.assign(product_name=[prod.product_name(p, lang) for p in opportunities["product"]])
    if opportunities.empty:
        joined = "、".join if lang == "zh" else ", ".join
        headline = _t(
            "report_no_offered", lang, offered=joined(prod.product_name(p, lang) for p in scenario.offered_products)
        )
        shares = holdings.holders / np.maximum(holdings.customers[:, None], 1)
        chart = _chart(
            lang,
            kind="bar",
            title=_t("report_penetration_chart", lang),
            categories=tuple(prod.product_name(p, lang) for p in view.products),
            series=tuple((names.get(label, label), tuple(shares[i])) for i, label in enumerate(holdings.labels)),
            x_title=_t("product", lang),
            y_title=_t("report_penetration", lang),
            value_kind="share",
        )
        numbers = (KeyNumber(_t("report_top_lift", lang), _lift_text(top_lift, lang), top_lift),)
        return _step("value_mining", lang, headline, numbers, chart, None, co_sentences), gaps, opportunities
    totals = prod.opportunity_totals(opportunities)
    top = prod.top_opportunities(opportunities, 8)
    headline = render_message(prod.opportunity_message(opportunities, 0.5), lang)
    headline += (" " if lang != "zh" else "") + _t(
        "report_value_headline_total", lang, total=format_value(totals["opportunity_value"], "money", lang)
    )
    if co_sentences:
        headline += (" " if lang != "zh" else "") + co_sentences[0]
    numbers = (
        _number("report_opportunity_total", totals["opportunity_value"], "money", lang),
        _number("report_gap_total", totals["gap_value"], "money", lang),
        _number("report_offer_customers", totals["assigned"], "count", lang),
        KeyNumber(_t("report_top_lift", lang), _lift_text(top_lift, lang), top_lift),
    )
    categories = tuple(f"{row.group} · {row.product_name}" for row in top.itertuples())
    chart = (
        _chart(
            lang,
            kind="bar",
            title=_t("report_opportunity_chart", lang),
            categories=categories,
            series=((_t("report_value_per_year", lang), tuple(top["opportunity_value"])),),
            x_title="",
            y_title=_t("report_value_per_year", lang),
            value_kind="money",
            horizontal=True,
        )
        if len(top)
        else None
    )
    table = pd.DataFrame(
        {
            _t("report_segment", lang): top["group"],
            _t("product", lang): top["product_name"],
            _t("report_eligible", lang): [format_value(v, "count", lang) for v in top["eligible"]],
            _t("report_conversions", lang): [format_value(v, "count", lang) for v in top["expected_conversions"]],
            _t("report_value_per_year", lang): [format_value(v, "money", lang) for v in top["opportunity_value"]],
        }
    ).head(6)
    lines = [
        f"{row.group} · {row.product_name}: {format_value(row.opportunity_value, 'money', lang)}"
        for row in top.itertuples()
    ] + co_sentences
    return _step("value_mining", lang, headline, numbers, chart, table, lines), gaps, opportunities


# --- 5 staff assessment ---------------------------------------------------------------------------


def _staff(prepared, scenario: Scenario, staff_views, branches: dict[str, str], lang: str):
    """The staff step and the folded ranking table (None when ranking is impossible); branches named as ``branches``."""
    shown = staff_views("branch")
    if not shown.rankable and prepared.has("relationship_manager"):
        shown = staff_views("relationship_manager")
    shown = staff.named_view(shown, branches if shown.level == "branch" else {})

    def say(message) -> str:
        return render_message(message, lang)

    if not shown.rankable:
        headline = _t("report_too_few_units", lang, n=len(shown.units))
        return _step("staff", lang, headline, (), None, None, [say(n) for n in shown.notes], False), None
    baseline_name = say(shown.baseline_label.key)
    custom = shown.current_label.key == "staff_current"  # weights no preset has: named after the scenario
    current_name = _scenario_name(scenario, lang) if custom else say(shown.current_label.key)
    movers = say(staff.with_params(shown.movers, current=current_name) if custom else shown.movers)
    n_flagged = len(shown.guardrail_notes)
    flag_text = (
        _t("report_flags_some", lang, n=n_flagged, units=len(shown.units))
        if n_flagged
        else _t("report_flags_none", lang)
    )
    separation = say(shown.separation) if shown.separation is not None else ""
    headline = _t("report_staff_headline", lang, movers=movers, flags=flag_text)
    customer_weight = staff.perspective_weights(dict(scenario.staff_weights))["customer"] / 100
    level = say(f"level_{shown.level}")
    table = shown.ranking
    numbers = (
        _number("report_units_ranked", int(table["ranked"].sum()), "count", lang, level=level),
        _number("report_units_moved", int((table["rank_change"] != 0).sum()), "count", lang),
        _number("report_flagged", n_flagged, "count", lang),
        _number("report_customer_weight", customer_weight, "share", lang),
    )
    units = table[table["row"] == staff.UNIT]
    rows = units.set_index("unit").loc[staff.selected_units(units, 12)].reset_index()
    chart = _chart(
        lang,
        kind="bar",
        title=_t("report_staff_chart", lang, baseline=baseline_name, current=current_name),
        categories=tuple(str(u) for u in rows["unit"]),
        series=(
            (baseline_name, tuple(rows["baseline_rank"].astype(float))),
            (current_name, tuple(rows["rank"].astype(float))),
        ),
        x_title=level,
        y_title=_t("rank", lang),
        value_kind="rank",
    )

    def rank_range(row) -> str:
        low, high = int(row["rank_low"]), int(row["rank_high"])
        return f"{int(row['rank'])} ({low}–{high})" if low != high else str(int(row["rank"]))

    display = pd.DataFrame(
        {
            _t("col_unit", lang): rows["unit"].astype(str),
            _t("staff_rank_range", lang): [rank_range(row) for _, row in rows.iterrows()],
            _t("report_baseline_rank", lang): rows["baseline_rank"].astype(int).astype(str),
            _t("col_rank_change", lang): [f"{int(v):+d}" for v in rows["rank_change"]],
            _t("score", lang): [format_value(v, "index", lang) for v in rows["score"]],
        }
    ).head(8)
    lines = [separation, movers, flag_text, *(say(n) for n in shown.guardrail_notes), say(shown.fold_rule)]
    if shown.fallback:
        lines.insert(0, _t("staff_showing_proposed", lang))
    # The folded ranking: small units only as one row, customers adding up to the bank's (issue 18).
    ranking = staff.labelled_ranking(shown, {}, say).drop(columns=["row"])
    return _step("staff", lang, headline, numbers, chart, display, lines), ranking


# --- 6 guarantee measures -------------------------------------------------------------------------


def _visit_numbers(visits: vis.VisitsView | None) -> tuple[float, float]:
    """Off-counter rate of the last 12 months and tellers freed by the scenario's what-if (the Visits view's)."""
    if visits is None:
        return math.nan, math.nan
    return visits.off_counter_rate, visits.tellers_freed


def _guarantees(measured: pd.DataFrame, lang: str, visits: vis.VisitsView | None) -> Step:
    """The playbook's guarantee measures (current value against target) and the tellers the what-if frees."""
    from crm_core.playbook import guarantee_table_in  # the playbook builds on the views this module reports

    measures = guarantee_table_in(measured, lang)
    _, tellers = _visit_numbers(visits)
    kinds = {"share": "share"}  # ratios and scores read as plain numbers
    rows = [
        (str(r.area_label), str(r.kpi_label), float(r.current), float(r.target), kinds.get(str(r.unit), "ratio"))
        for r in measures.itertuples(index=False)
    ]

    def shown(value: float, kind: str) -> str:
        return format_value(value, kind, lang) if math.isfinite(value) else _t("report_not_in_data", lang)

    table = pd.DataFrame(
        {
            _t("report_area", lang): [area for area, *_ in rows],
            _t("report_kpi", lang): [kpi for _, kpi, *_ in rows],
            _t("report_current", lang): [shown(current, kind) for _, _, current, _, kind in rows],
            _t("guarantee_target", lang): [shown(target, kind) for _, _, _, target, kind in rows],
        }
    )
    tracked = [(kpi, current, target, kind) for _, kpi, current, target, kind in rows if math.isfinite(current)]
    if not tracked:
        return _step("guarantees", lang, _t("report_no_guarantee_kpi", lang), (), None, table, [], False)
    scored = [(kpi, current, target, kind) for kpi, current, target, kind in tracked if math.isfinite(target)]
    behind = [row for row in scored if row[1] < row[2]]
    if behind:  # the KPI furthest short of its target, relative to the target
        kpi, current, target, kind = max(behind, key=lambda row: (row[2] - row[1]) / abs(row[2] or 1.0))
        headline = _t(
            "report_guarantees_headline",
            lang,
            met=len(scored) - len(behind),
            n=len(scored),
            kpi=kpi,
            current=format_value(current, kind, lang),
            target=format_value(target, kind, lang),
        )
    else:
        headline = _t("report_guarantees_all_met", lang, n=len(scored))
    shares = [(kpi, current, target) for kpi, current, target, kind in tracked if kind == "share"]
    series = [(_t("report_current", lang), tuple(current for _, current, _ in shares))]
    if shares and all(math.isfinite(target) for *_, target in shares):
        series.append((_t("guarantee_target", lang), tuple(target for *_, target in shares)))
    chart = (
        _chart(
            lang,
            kind="bar",
            title=_t("report_guarantee_chart", lang),
            categories=tuple(kpi for kpi, *_ in shares),
            series=tuple(series),
            x_title="",
            y_title=_t("col_share", lang),
            value_kind="share",
            horizontal=True,
        )
        if shares
        else None
    )
    numbers = tuple(KeyNumber(kpi, format_value(current, kind, lang), current) for kpi, current, _, kind in tracked)
    colon = "：" if lang == "zh" else ": "
    lines = [
        f"{area} · {kpi}{colon}{shown(current, kind)}（{_t('report_target_inline', lang)} {shown(target, kind)}）"
        if lang == "zh"
        else f"{area} · {kpi}{colon}{shown(current, kind)} ({_t('report_target_inline', lang)} {shown(target, kind)})"
        for area, kpi, current, target, kind in rows
    ]
    if math.isfinite(tellers):
        lines.append(f"{_t('report_tellers_freed', lang)}{colon}{format_value(tellers, 'ratio', lang)}")
    return _step("guarantees", lang, headline, numbers, chart, table, lines)


# --- the report -----------------------------------------------------------------------------------


def _segment_table(profiles: pd.DataFrame) -> pd.DataFrame:
    return profiles.rename(columns={"group": "tier"})


def _playbook(findings, lang: str) -> Step:
    """The findings section: the executive findings ranked by money at stake (``crm_core.playbook``)."""
    items = findings.items
    if not items:
        return _step("playbook", lang, _t("report_playbook_none", lang), (), None, None, [], available=False)
    stake = tuple(float(f.materiality) for f in items)
    numbers = tuple(
        KeyNumber(f"{rank}. {_t('report_at_stake', lang)}", format_money(value, lang), value)
        for rank, value in enumerate(stake[:4], start=1)
    )
    chart = _chart(
        lang,
        kind="bar",
        title=_t("report_playbook_chart", lang),
        categories=tuple(str(r) for r in range(1, len(items) + 1)),
        series=((_t("report_at_stake", lang), stake),),
        value_kind="money",
        horizontal=True,
    )
    table = pd.DataFrame(
        {
            "#": [str(rank) for rank in range(1, len(items) + 1)],
            # Whole sentences: the deck gives this table the slide's width (``Step.wide_table``).
            _t("report_finding", lang): [render_message(f.sentence, lang) for f in items],
            _t("report_at_stake", lang): [format_money(value, lang) for value in stake],
        }
    )
    lines = [
        f"{rank}. {render_message(f.sentence, lang)} ({render_message(f.rule, lang)})"
        for rank, f in enumerate(items, start=1)
    ]
    step = _step("playbook", lang, render_message(items[0].sentence, lang), numbers, chart, table, lines)
    return replace(step, wide_table=True)


def report_content(
    prepared: PreparedDataset,
    scenario: Scenario,
    lang: str = "en",
    churn_risk: loy.ChurnRisk | None = None,
    cube: vis.VisitCube | None = None,
    visit_view: vis.VisitsView | None = None,
    product_view: prod.ProductsView | None = None,
    staff_views: Callable[[str], staff.StaffView] | None = None,
    loyalty_view: loy.LoyaltyView | None = None,
    service_view: svc.ServiceView | None = None,
    findings=None,
    plays=None,
    segments_view: seg.SegmentsView | None = None,
    guarantees: pd.DataFrame | None = None,
    profile_inputs: seg.ProfileInputs | None = None,
    trends: KpiTrends | None = None,
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
    visit_view : VisitsView, optional
        ``visits_view`` over the scenario's tiers (the app caches it); built here from ``cube`` when None.
    product_view : ProductsView, optional
        ``products_view`` over the scenario's tiers (the app caches it); built here when None.
    staff_views : callable, optional
        ``level -> staff_view(prepared, level, StaffSettings.of(scenario))`` from the caller's cache
        (computed here when None).
    loyalty_view : LoyaltyView, optional
        ``loyalty_view`` over the scenario's tiers (the app caches it); built here when None.
    service_view : ServiceView, optional
        ``service_view`` over the scenario's tiers (the app caches it); built here when None.
    findings : Findings, optional
        ``executive_findings`` (language-free; the app caches it): only named here in ``lang``.
    plays : tuple of SegmentPlay, optional
        ``segment_playbook`` (language-free; the app caches it): only worded here in ``lang``.
    segments_view : SegmentsView, optional
        ``segments_view`` of the scenario's tiers (scheme ``tiers``; the app caches it): the
        migration against the default tiers is read from it; built here when None.
    guarantees : pandas.DataFrame, optional
        ``guarantee_measures`` (language-free; the app caches it); measured here when None.
    profile_inputs : ProfileInputs, optional
        ``segments.profile_inputs`` of the dataset (the app caches it); built here when None.
    trends : KpiTrends, optional
        ``kpi_trends`` of ``prepared``, the Overview's lines (the app caches it); built here when None.
        The channels slide draws its monthly line from it.

    Returns
    -------
    Report
        Steps ``positioning``, ``tiering``, ``stickiness``, ``value_mining``, ``channels``,
        ``service``, ``staff``, ``guarantees``, ``strategy`` (per tier, from the playbook), ``playbook`` (the
        findings), ``decisions`` (the closing "decisions requested"), and the segment, gap,
        opportunity, risk and ranking tables.
    """
    lang = "zh" if lang == "zh" else "en"
    labels = tier_labels(scenario.tiers, lang)
    if segments_view is None or segments_view.scheme != "tiers":
        segments_view = seg.segments_view(prepared, seg.SegmentSettings.of(scenario).with_scheme("tiers"))
    codes = segments_view.segmentation.codes
    inputs = profile_inputs if profile_inputs is not None else seg.profile_inputs(prepared)
    profiles = seg.group_profiles(inputs, codes, labels, unassigned_label=_t("not_assigned", lang))
    # a prepared artefact's stored model when it fits (``report --data DIR`` trains nothing then)
    risk = churn_risk if churn_risk is not None else churn_risk_of(prepared, scenario.churn)
    loyalty = loyalty_view or loy.loyalty_view(
        prepared, codes, scenario.tiers.labels, loy.LoyaltySettings.of(scenario), risk=risk
    )
    shown_tiers = dict(zip(scenario.tiers.labels, labels, strict=True))
    stickiness, risk_table = _stickiness(loyalty, shown_tiers, risk, lang, prepared.dataset.value_measure)
    view = product_view or prod.products_view(prepared, codes, scenario.tiers.labels, prod.ProductSettings.of(scenario))
    branches = place_names(prepared.customers, "branch", lang)
    value_mining, gaps, opportunities = _value_mining(view, scenario, branches, lang)
    staff_views = staff_views or staff.staff_views(prepared, staff.StaffSettings.of(scenario))
    staff_step, ranking = _staff(prepared, scenario, staff_views, branches, lang)
    if cube is None and prepared.monthly_channels is not None:
        cube = vis.visit_cube(prepared)
    visits = visit_view
    if visits is None and cube is not None:
        visits = vis.visits_view(prepared, codes, scenario.tiers.labels, vis.VisitSettings.of(scenario), cube=cube)
    located = getattr(prepared.dataset, "location_activity", None)  # a log with a location and no channel
    locations = None
    if visits is None and located is not None and len(located):
        locations = vis.location_trend(located, vis.VisitSettings.of(scenario).decline)
    from crm_core.playbook import (  # built on these views
        executive_findings,
        finding_names,
        guarantee_measures,
        plays_in,
        segment_playbook,
    )
    from crm_core.report.meeting import channels_step, decisions_step, service_step, strategy_step

    if guarantees is None:
        guarantees = guarantee_measures(prepared, scenario)

    service = service_view or svc.service_view(prepared, codes, scenario.tiers.labels, svc.ServiceSettings.of(scenario))

    if findings is None:
        findings = executive_findings(
            prepared,
            scenario,
            churn_risk=risk,
            cube=cube,
            visit_view=visits,
            product_view=view,
            staff_views=staff_views,
            loyalty_view=loyalty,
        )
    findings = findings.named(finding_names(prepared, scenario, lang, branches))  # language-free, named in ``lang``
    if plays is None:
        plays = segment_playbook(
            prepared, scenario, churn_risk=risk, cube=cube, product_view=view, loyalty_view=loyalty,
            profile_inputs=inputs,
        )  # fmt: skip
    plays = plays_in(plays, lang)
    steps = (
        _positioning(prepared, profiles, labels, lang),
        _tiering(inputs, segments_view, profiles, scenario.tiers, lang),
        stickiness,
        value_mining,
        channels_step(visits, lang, trends if trends is not None else kpi_trends(prepared), locations),
        service_step(service, shown_tiers, branches, lang),
        staff_step,
        _guarantees(guarantees, lang, visits),
        strategy_step(plays, lang),
        _playbook(findings, lang),
        decisions_step(findings, lang),
    )
    tables: list[tuple[str, pd.DataFrame]] = [("segments", _segment_table(profiles))]
    for key, frame in (("gaps", gaps), ("opportunities", opportunities), ("risk", risk_table), ("ranking", ranking)):
        if frame is not None:
            tables.append((key, frame.reset_index(drop=True)))
    steps = tuple(_with_meeting_note(step, scenario, findings, lang) for step in steps)
    as_of = pd.Timestamp(prepared.as_of)
    return Report(
        title=_t("report_title", lang),
        subtitle=_t(
            "report_subtitle",
            lang,
            scenario=_scenario_name(scenario, lang),
            as_of=format_month(as_of, lang) if prepared.dated else _t("report_month_unknown", lang),
        ),
        lang=lang,
        steps=steps,
        tables=tuple(tables),
        scope=report_scope(prepared, scenario, labels, lang),
    )


def report_scope(prepared: PreparedDataset, scenario: Scenario, labels, lang: str) -> tuple[str, ...]:
    """What the report covers when it is not the whole real bank: the filter, its caveats, the sample.

    The same words as the pages' banner and filter statement (one catalog entry each).
    """
    from crm_core.filters import as_of_caveats, statement

    scope = []
    said = statement(scenario.filters, lang, tuple(labels), {"branch": place_names(prepared.customers, "branch", lang)})
    if said:
        scope.append(_t("report_filtered", lang, statement=said))
        scope += [render_message(m, lang) for m in as_of_caveats(prepared.dataset, scenario.filters)]
    measure = prepared.dataset.value_measure
    if measure != "aum":  # the pages' banner: a stand-in for AUM named on every surface
        scope.append(_t("value_measure_note", lang, measure=_t(f"measure_{measure}", lang)))
    if prepared.dataset.name == SAMPLE_NAME:
        scope.append(_t("sample_banner", lang))
    return tuple(scope)


def _with_meeting_note(step: Step, scenario: Scenario, findings, lang: str) -> Step:
    """The step with the manager's note on it (and, on the findings slide, the notes on its findings)."""
    notes = scenario.meeting_notes
    lines = [notes.note(f"step:{step.key}")]
    if step.key == "playbook":
        for rank, finding in enumerate(findings.items, start=1):
            note = notes.note(f"finding:{finding.key}")
            if note:
                lines.append(_t("report_finding_note", lang, rank=rank, note=note))
    note = "\n".join(line for line in lines if line)
    if not note:
        return step
    label = _t("report_meeting_note", lang)
    return replace(step, meeting_note=note, notes=f"{step.notes}\n\n{label}: {note}")
