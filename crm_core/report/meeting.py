"""The slides that make the storyline a meeting document: channels, strategy per tier, decisions requested.

* ``channels_step``: the monthly line of the off-counter rate and counter transactions (the
  Overview's trends, ``crm_core.trends``), the channel mix of the last 12 months against the 12
  before, the bank's fitted counter decline with its confidence interval, the off-counter rate
  against its benchmark and the tellers the scenario's digital what-if frees (``crm_core.visits``).
* ``strategy_step``: per tier, the playbook's service model, first offer, stickiness lever and
  risk to watch (``crm_core.playbook.segment_playbook``), each traced to its rule in the notes.
* ``decisions_step``: the three to five choices the executive findings imply, each with the
  expected money a year the finding carries and its range where the data gives one.

Each returns a ``Step`` like the six storyline steps, so every renderer draws it unchanged.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from crm_core import visits as vis
from crm_core.contract import CHANNELS, DIGITAL_CHANNELS
from crm_core.formatting import format_money, format_month
from crm_core.messages import Message, render
from crm_core.report.content import _chart, _number, _step, _t
from crm_core.report.model import AXIS_COUNT_FORMATS, ChartSpec, Step, format_value
from crm_core.trends import KpiTrends

DECISION_COUNT: tuple[int, int] = (3, 5)
"""The decisions slide asks for at least three and at most five decisions (fewer only when the data has fewer)."""


# --- channels and branch visits -------------------------------------------------------------------


def channel_mix(monthly: pd.DataFrame) -> pd.DataFrame:
    """Return each channel's transactions and share over the last 12 months and the 12 before.

    Parameters
    ----------
    monthly : pandas.DataFrame
        ``month``, ``channel``, ``transactions`` (``VisitsView.channels``: ``channel_trend`` of the bank).

    Returns
    -------
    pandas.DataFrame
        One row per channel in ``CHANNELS`` order: ``channel``, ``transactions`` (last 12 months),
        ``share``, ``share_before`` (the 12 months before; NaN with less than 24 months) and
        ``change`` (``share - share_before``, in share points).

    Examples
    --------
    >>> months = pd.date_range("2024-01-01", periods=24, freq="MS")
    >>> monthly = pd.DataFrame({"month": list(months) * 2, "channel": ["counter"] * 24 + ["mobile"] * 24,
    ...                         "transactions": [3] * 12 + [1] * 12 + [1] * 12 + [3] * 12})
    >>> channel_mix(monthly).set_index("channel").loc[["counter", "mobile"], ["share", "share_before"]].values.tolist()
    [[0.25, 0.75], [0.75, 0.25]]
    """
    months = sorted(pd.unique(monthly["month"]))
    last, before = months[-12:], months[-24:-12] if len(months) >= 24 else []
    by_channel = monthly.assign(channel=monthly["channel"].astype(str))

    def shares(window) -> pd.Series:
        counts = by_channel[by_channel["month"].isin(window)].groupby("channel")["transactions"].sum()
        counts = counts.reindex(list(CHANNELS), fill_value=0).astype(float)
        return counts / counts.sum() if counts.sum() > 0 else counts * math.nan

    counts = by_channel[by_channel["month"].isin(last)].groupby("channel")["transactions"].sum()
    counts = counts.reindex(list(CHANNELS), fill_value=0)
    share = shares(last)
    share_before = shares(before) if len(before) else share * math.nan
    frame = pd.DataFrame(
        {
            "channel": list(CHANNELS),
            "transactions": counts.to_numpy(dtype=np.int64),
            "share": share.to_numpy(dtype=float),
            "share_before": share_before.to_numpy(dtype=float),
        }
    )
    frame["change"] = frame["share"] - frame["share_before"]
    return frame


def _points(change: float, lang: str) -> str:
    """A change in share points, signed (``+3.1 pts`` / ``+3.1个百分点``)."""
    if not math.isfinite(change):
        return _t("not_available", lang)
    return _t("report_points", lang, points=f"{change * 100:+.1f}")


def _interval(fit: vis.DeclineFit, lang: str) -> str:
    """``-8.1% a year (95% interval -9.5% to -6.7%)``, the interval left out when the fit has none."""
    change = format_value(fit.annual_change, "share", lang)
    if not (math.isfinite(fit.lower) and math.isfinite(fit.upper)):
        return _t("report_decline_no_interval", lang, change=change)
    return _t(
        "report_decline_interval",
        lang,
        change=change,
        level=f"{fit.confidence:.0%}",
        low=format_value(fit.lower, "share", lang),
        high=format_value(fit.upper, "share", lang),
    )


def channel_trend_chart(trends: KpiTrends | None, lang: str) -> ChartSpec | None:
    """The monthly line of the off-counter rate (left axis) and counter transactions (right axis).

    Drawn from the Overview's trends result as it is (``crm_core.trends.kpi_trends``: one
    definition of both lines); None when the extract dates no channel activity.

    Parameters
    ----------
    trends : KpiTrends or None
        ``kpi_trends`` of the (filtered) prepared dataset.
    lang : {"en", "zh"}
    """
    if trends is None or "off_counter_rate" not in trends.metrics or trends.monthly.empty:
        return None
    monthly = trends.monthly
    return _chart(
        lang,
        kind="line",
        title=_t("report_channel_trend_chart", lang),
        categories=tuple(format_month(month, lang) for month in monthly["month"]),
        series=(
            (_t("trend_off_counter_rate", lang), tuple(monthly["off_counter_rate"])),
            (_t("report_counter_transactions", lang), tuple(monthly["counter_transactions"])),
        ),
        y_title=_t("trend_off_counter_rate", lang),
        value_kind="share",
        secondary_kind="count",
        secondary_title=_t("report_counter_transactions_month", lang),
        secondary_format=AXIS_COUNT_FORMATS[lang],
    )


def locations_step(trend: vis.LocationTrend, lang: str) -> Step:
    """The channels step of a log that names locations but no channel: all transactions' change by location.

    The same fits as the Visits page (``crm_core.visits.location_trend``), steepest decline first; stated as
    all channels, never as counter visits.
    """
    rated = trend.table[trend.table["annual_change"].notna()].sort_values("annual_change", kind="stable")
    intro = _t("report_locations_intro", lang, transactions=format_value(trend.transactions, "count", lang),
               locations=format_value(len(trend.table), "count", lang))  # fmt: skip
    if rated.empty:
        headline = " ".join([intro, _t("report_locations_no_rates", lang)])
        return _step("channels", lang, headline, (), None, None, [], available=False)
    steepest = rated.iloc[0]
    fit = trend.fits[int(steepest["code"])]
    headline = " ".join([intro, _t("report_locations_headline", lang, location=str(steepest["group"]),
                                   change=_interval(fit, lang))])  # fmt: skip
    numbers = (
        _number("report_locations_steepest", float(steepest["annual_change"]), "share", lang),
        _number("report_locations_transactions", trend.transactions, "count", lang),
    )
    chart = _chart(
        lang,
        kind="bar",
        title=_t("report_locations_chart", lang),
        categories=tuple(str(g) for g in rated["group"]),
        series=((_t("report_change_a_year", lang), tuple(float(v) for v in rated["annual_change"])),),
        x_title=_t("report_location", lang),
        y_title=_t("report_change_a_year", lang),
        value_kind="share",
    )
    table = pd.DataFrame(
        {
            _t("report_location", lang): [str(g) for g in rated["group"]],
            _t("report_change_a_year", lang): [format_value(v, "share", lang) for v in rated["annual_change"]],
            _t("report_interval_low", lang): [format_value(v, "share", lang) for v in rated["lower"]],
            _t("report_interval_high", lang): [format_value(v, "share", lang) for v in rated["upper"]],
            _t("report_transactions_12m", lang): [format_value(v, "count", lang) for v in rated["counter_12m"]],
        }
    )
    lines = [
        f"{g}: {format_value(v, 'share', lang)}" for g, v in zip(rated["group"], rated["annual_change"], strict=True)
    ]
    return _step("channels", lang, headline, numbers, chart, table, lines)


def channels_step(
    visits: vis.VisitsView | None,
    lang: str,
    trends: KpiTrends | None = None,
    locations: vis.LocationTrend | None = None,
) -> Step:
    """The channels and branch visits step: the monthly line, channel mix, counter decline, off-counter rate.

    Parameters
    ----------
    visits : VisitsView or None
        ``visits_view`` over the scenario's tiers (its bank channel trend, counter decline, tiles and
        what-if); None when the data has no activity.
    lang : {"en", "zh"}
    trends : KpiTrends, optional
        ``kpi_trends`` of the same prepared dataset (the Overview's lines): the slide's chart is its
        monthly off-counter rate and counter transactions. Without a dated line the slide says so and
        shows the channel mix instead.
    locations : LocationTrend, optional
        Without channel activity, a log's trend by location (``crm_core.visits.location_trend``): the step
        is then ``locations_step``.
    """
    trend_chart = channel_trend_chart(trends, lang)
    undated = [] if trend_chart is not None else [_t("report_channel_trend_undated", lang)]
    monthly = visits.channels if visits is not None else None
    if (monthly is None or monthly.empty) and locations is not None and len(locations.table):
        return locations_step(locations, lang)  # where, not how: the Visits page's trend by location
    if monthly is None or monthly.empty:
        headline = " ".join([_t("report_no_activity", lang), *undated])
        return _step("channels", lang, headline, (), None, None, [], available=False)
    fit = visits.bank_fit
    mix = channel_mix(monthly)
    off_counter, tellers = visits.off_counter_rate, visits.tellers_freed
    benchmark = float(visits.kpis.set_index("metric").loc["off_counter_rate", "reference"])
    digital = float(mix.loc[mix["channel"].isin(DIGITAL_CHANNELS), "share"].sum())
    names = [_t(f"channel_{channel}", lang) for channel in mix["channel"]]
    numbers = (
        _number("report_counter_decline", fit.annual_change, "share", lang),
        _number("report_off_counter_rate", off_counter, "share", lang),
        _number("report_digital_share", digital, "share", lang),
        _number("report_tellers_freed", tellers, "ratio", lang),
    )
    reason = render(fit.reason, lang) if fit.reason is not None else _t("not_available", lang)
    decline = _interval(fit, lang) if fit.status == vis.OK else reason
    headline = _t(
        "report_channels_headline",
        lang,
        decline=decline,
        rate=format_value(off_counter, "share", lang),
        benchmark=format_value(benchmark, "share", lang),
        digital=format_value(digital, "share", lang),
        tellers=format_value(tellers, "ratio", lang),
    )
    headline = " ".join([headline, *undated])
    series = [(_t("report_last_12_months", lang), tuple(mix["share"]))]
    if mix["share_before"].notna().any():
        series.insert(0, (_t("report_year_before", lang), tuple(mix["share_before"])))
    chart = trend_chart or _chart(
        lang,
        kind="bar",
        title=_t("report_channel_mix_chart", lang),
        categories=tuple(names),
        series=tuple(series),
        x_title=_t("report_channel", lang),
        y_title=_t("report_share_of_transactions", lang),
        value_kind="share",
    )
    table = pd.DataFrame(
        {
            _t("report_channel", lang): names,
            _t("report_transactions_12m", lang): [format_value(v, "count", lang) for v in mix["transactions"]],
            _t("report_share_of_transactions", lang): [format_value(v, "share", lang) for v in mix["share"]],
            _t("report_change_in_share", lang): [_points(v, lang) for v in mix["change"]],
        }
    )
    lines = [
        f"{name}: {format_value(row.share, 'share', lang)} ({_points(row.change, lang)})"
        for name, row in zip(names, mix.itertuples(), strict=True)
    ]
    if trend_chart is not None:  # the line's first and last month in the notes, as the chart shows them
        rate, counter = (values for _, values in trend_chart.series)
        for i in (0, -1):
            lines.append(
                _t(
                    "report_channel_trend_month",
                    lang,
                    month=trend_chart.categories[i],
                    rate=format_value(rate[i], "share", lang),
                    counter=format_value(counter[i], "count", lang),
                )
            )
    lines.append(_t("report_channels_note", lang, months=fit.months_used))
    return _step("channels", lang, headline, numbers, chart, table, lines)


# --- strategy per tier ----------------------------------------------------------------------------------


def service_name(recommendation: str) -> str:
    """The name a service-model recommendation opens with, before its colon (the whole text when it has none).

    Examples
    --------
    >>> service_name("Digital-first: serve through mobile banking"), service_name("数字优先：以手机银行为主")
    ('Digital-first', '数字优先')
    """
    head = re.split(r"[:：]", recommendation, maxsplit=1)[0].strip()
    return head if head and len(head) < len(recommendation) else recommendation


def strategy_step(plays, lang: str) -> Step:
    """The per-tier strategy from the playbook: service model, first offer, lever and risk of each tier.

    Parameters
    ----------
    plays : tuple of crm_core.playbook.ShownPlay
        ``plays_in(segment_playbook(prepared, scenario, ...), lang)``, lowest tier first.
    lang : {"en", "zh"}
    """
    shown = [play for play in plays if not play.suppressed]
    if not shown:
        return _step("strategy", lang, _t("report_strategy_none", lang), (), None, None, [], available=False)
    none = _t("report_strategy_no_rule", lang)

    def first(recommendations) -> str:
        return recommendations[0].text if recommendations else none

    table = pd.DataFrame(
        {
            _t("report_tier", lang): [play.segment for play in shown],
            _t("report_service_model", lang): [play.service.text if play.service else none for play in shown],
            _t("report_first_offer", lang): [first(play.products) for play in shown],
            _t("report_lever", lang): [first(play.levers) for play in shown],
            _t("report_risk_to_watch", lang): [first(play.risks) for play in shown],
        }
    )
    count = sum(len(play.recommendations) for play in shown)
    models: dict[str, list[str]] = {}
    for play in shown:
        if play.service is not None:
            models.setdefault(service_name(play.service.text), []).append(play.segment)
    joined, colon = ("、", "：") if lang == "zh" else (", ", ": ")
    groups = [f"{name}{colon}{joined.join(tiers)}" for name, tiers in models.items()]
    headline = _t(
        "report_strategy_headline",
        lang,
        tiers=len(shown),
        models=len(models),
        groups=(_t("report_list_separator", lang)).join(groups) if groups else none,
        recommendations=count,
    )
    lines = [play.position for play in plays]
    # the rule's condition without its key (``rm_coverage: median AUM ≥ ¥500K`` reads "median AUM ≥ ¥500K")
    lines += [
        f"{play.segment} · {r.text} ({r.rule.removeprefix(f'{r.rule_key}: ')})"
        for play in shown
        for r in play.recommendations
    ]
    return _step("strategy", lang, headline, (), None, table, lines)


# --- decisions requested --------------------------------------------------------------------------------


def _money_range(finding, lang: str) -> str:
    """The finding's range in words, by where it comes from (``Finding.range_basis``)."""
    if finding.range_basis == "observed":
        return _t("report_range_observed", lang)
    if not (math.isfinite(finding.low) and math.isfinite(finding.high)):
        return _t("report_range_none", lang)
    low, high = format_money(min(finding.low, finding.high), lang), format_money(max(finding.low, finding.high), lang)
    return _t(f"report_range_{finding.range_basis}", lang, low=low, high=high)


def decisions_step(findings, lang: str) -> Step:
    """The closing slide: a decision per material finding, with its expected money a year and its range.

    Parameters
    ----------
    findings : crm_core.playbook.Findings
        ``executive_findings(...)``; its ``ranked`` findings give up to ``DECISION_COUNT[1]`` decisions.
    lang : {"en", "zh"}
    """
    chosen = list(findings.ranked[: DECISION_COUNT[1]])
    if not chosen:
        return _step("decisions", lang, _t("report_decisions_none", lang), (), None, None, [], available=False)
    ranged = [f for f in chosen if math.isfinite(f.low) and math.isfinite(f.high)]
    # The subject's fields are message parameters (names already given by ``Findings.named``, shares typed).
    decisions = [render(Message(f"report_decision_{f.key}", **dict(f.subject)), lang) for f in chosen]
    table = pd.DataFrame(
        {
            "#": [str(rank) for rank in range(1, len(chosen) + 1)],
            _t("report_decision", lang): decisions,
            _t("report_at_stake", lang): [format_money(f.materiality, lang) for f in chosen],
            _t("report_range", lang): [_money_range(f, lang) for f in chosen],
        }
    )
    numbers = (
        _number("report_decisions_count", len(chosen), "count", lang),
        _number("report_largest_expected", chosen[0].materiality, "money", lang),
        _number("report_ranged_count", len(ranged), "count", lang),
    )
    headline = _t(
        "report_decisions_headline",
        lang,
        n=len(chosen),
        largest=decisions[0],
        money=format_money(chosen[0].materiality, lang),
    )
    lines = [
        f"{rank}. {decision} — {render(f.sentence, lang)} {_t('report_rule_inline', lang)}{render(f.rule, lang)}"
        for rank, (decision, f) in enumerate(zip(decisions, chosen, strict=True), start=1)
    ]
    return _step("decisions", lang, headline, numbers, None, table, lines)


def service_step(view, tier_names: dict[str, str], branch_names: dict[str, str], lang: str) -> Step:
    """The service quality step (the thesis' third problem): complaints and satisfaction by branch and tier.

    Parameters
    ----------
    view : ServiceView or None
        ``crm_core.service.service_view`` over the scenario's tiers; None when the data has neither
        complaints nor satisfaction.
    tier_names, branch_names : dict
        Tier label and branch value → name in ``lang``.
    lang : {"en", "zh"}
    """
    from crm_core.service import service_findings

    if view is None:
        return _step("service", lang, _t("report_no_service", lang), (), None, None, [], available=False)
    bank = view.bank
    numbers = (
        _number("report_complaints_per_100", float(bank["complaints_per_100"]), "ratio", lang),
        _number("report_satisfaction", float(bank["satisfaction"]), "ratio", lang),
        _number("report_satisfied_share", float(bank["satisfied_share"]), "share", lang),
        _number("report_response_rate", float(bank["response_rate"]), "share", lang),
    )
    said = [render(message, lang) for message in service_findings(view, branch_names)]
    overall = _t(
        "report_service_headline",
        lang,
        complaints=format_value(float(bank["complaints_per_100"]), "ratio", lang),
        satisfied=format_value(float(bank["satisfied_share"]), "share", lang),
    )
    headline = " ".join([overall, *said[:1]])
    branches = (
        view.branches.dropna(subset=["complaints_per_100"])
        .sort_values(["complaints_per_100", "unit"], ascending=[False, True], kind="stable")
        .head(12)
    )  # the twelve with most complaints: the chart is about who is worse
    chart = _chart(
        lang,
        kind="bar",
        title=_t("report_complaints_chart", lang),
        categories=tuple(branch_names.get(str(u), str(u)) for u in branches["unit"]),
        series=((_t("report_complaints_per_100", lang), tuple(float(v) for v in branches["complaints_per_100"])),),
        x_title=_t("report_branch", lang),
        y_title=_t("report_complaints_per_100", lang),
        value_kind="ratio",
    )
    groups = view.groups
    table = pd.DataFrame(
        {
            _t("report_tier", lang): [tier_names.get(str(g), str(g)) for g in groups["unit"]],
            _t("report_complaints_per_100", lang): [format_value(v, "ratio", lang) for v in groups.complaints_per_100],
            _t("report_satisfied_share", lang): [format_value(v, "share", lang) for v in groups.satisfied_share],
        }
    )
    lines = [*said, render(view.link.statement, lang), *(render(m, lang) for m in view.needs)]
    return _step("service", lang, headline, numbers, chart, table, lines)
