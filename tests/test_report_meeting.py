"""The meeting slides: channels and visits, strategy per tier, decisions requested (crm_core.report.meeting)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from crm_core import segments as seg
from crm_core import visits as vis
from crm_core.formatting import format_month
from crm_core.messages import Message, render
from crm_core.playbook import Finding, Findings, Named, ShownPlay, ShownRecommendation, executive_findings
from crm_core.report.meeting import channel_mix, channels_step, decisions_step, service_name, strategy_step
from crm_core.report.model import AXIS_COUNT_FORMATS
from crm_core.scenarios import proposed_scenario
from crm_core.trends import KpiTrends, kpi_trends
from tests.test_report_content import hostile_prepared


def test_channel_mix_is_each_channels_share_now_and_a_year_earlier():
    months = pd.date_range("2024-01-01", periods=24, freq="MS")
    monthly = pd.DataFrame(
        {
            "month": list(months) * 2,
            "channel": ["counter"] * 24 + ["mobile"] * 24,
            "transactions": [30] * 12 + [10] * 12 + [10] * 12 + [30] * 12,  # counter falls, mobile rises
        }
    )
    expected = pd.DataFrame(
        {
            "channel": ["counter", "atm", "mobile", "online", "phone"],
            "transactions": [120, 0, 360, 0, 0],
            "share": [0.25, 0.0, 0.75, 0.0, 0.0],
            "share_before": [0.75, 0.0, 0.25, 0.0, 0.0],
            "change": [-0.5, 0.0, 0.5, 0.0, 0.0],
        }
    )
    pd.testing.assert_frame_equal(channel_mix(monthly), expected)
    short = channel_mix(monthly[monthly["month"] >= months[12]])  # 12 months: nothing to compare with
    assert short["share_before"].isna().all() and short["share"].tolist() == [0.25, 0.0, 0.75, 0.0, 0.0]


@pytest.fixture(scope="module")
def bank(small_sample):
    prepared = hostile_prepared(small_sample)
    scenario = proposed_scenario()
    codes = seg.aum_tiers(prepared, scenario.tiers).codes
    cube = vis.visit_cube(prepared)
    view = vis.visits_view(prepared, codes, scenario.tiers.labels, vis.VisitSettings.of(scenario), cube=cube)
    return prepared, scenario, cube, view


def test_the_channels_step_reads_the_visits_view(bank):
    prepared, _, _, view = bank
    trends = kpi_trends(prepared)
    step = channels_step(view, "en", trends)
    numbers = {n.label: n.value for n in step.numbers}
    assert numbers["Counter transactions, change a year"] == view.bank_fit.annual_change
    assert numbers["Off-counter rate, last 12 months"] == view.off_counter_rate
    assert numbers["Tellers freed by the digital what-if"] == view.tellers_freed
    fit = view.bank_fit
    assert f"({fit.confidence:.0%} interval {fit.lower:.1%} to {fit.upper:.1%})" in step.headline
    mix = channel_mix(view.channels)
    assert step.table["Share of transactions"].tolist() == [f"{v:.1%}" for v in mix["share"]]
    assert step.table["Channel"].tolist() == ["Counter", "ATM", "Mobile banking", "Internet banking", "Phone banking"]
    zh = channels_step(view, "zh", trends)
    assert zh.table.iloc[0, 0] == "柜面" and "置信区间" in zh.headline
    assert not channels_step(None, "en").available
    no_counter = replace(
        view, bank_fit=vis.DeclineFit(vis.NO_COUNTER_ACTIVITY, reason=Message("visits_reason_no_counter"))
    )
    said = render(Message("visits_reason_no_counter"), "zh")
    assert said and said in channels_step(no_counter, "zh", trends).headline  # the fit's reason, in the deck's language


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_channels_slide_draws_the_overviews_monthly_line(bank, lang):
    prepared, _, _, view = bank
    trends = kpi_trends(prepared)
    chart = channels_step(view, lang, trends).chart
    monthly = trends.monthly
    assert chart.kind == "line" and chart.secondary_kind == "count"
    assert chart.categories == tuple(format_month(month, lang) for month in monthly["month"])
    rate, counter = chart.series  # the trends result as it is: nothing recomputed
    np.testing.assert_array_equal(rate[1], monthly["off_counter_rate"].to_numpy(dtype=float))
    np.testing.assert_array_equal(counter[1], monthly["counter_transactions"].to_numpy(dtype=float))
    assert chart.value_kind == "share" and chart.secondary_format == AXIS_COUNT_FORMATS[lang]
    names = {"en": ("Off-counter rate", "Counter transactions"), "zh": ("离柜率", "柜面交易笔数")}[lang]
    assert (rate[0], counter[0]) == names
    last = {"en": "{month}: off-counter rate {rate:.1%}", "zh": "{month}：离柜率{rate:.1%}"}[lang]
    step = channels_step(view, lang, trends)
    assert last.format(month=chart.categories[-1], rate=rate[1][-1]) in step.notes


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_without_dated_activity_the_channels_slide_says_there_is_no_line(bank, lang):
    _, _, _, view = bank
    no_months = pd.DataFrame({"month": pd.Series(dtype="datetime64[ns]")})
    undated = KpiTrends(no_months, ("transactions", "off_counter_rate"))
    said = {"en": "so the slide has no monthly line", "zh": "本页不画月度走势"}[lang]
    step = channels_step(view, lang, undated)
    assert said in step.headline
    assert step.chart.kind == "bar"  # the channel mix instead of an empty line
    assert step.chart.series_map()[{"en": "Last 12 months", "zh": "近12个月"}[lang]] == tuple(
        channel_mix(view.channels)["share"]
    )
    nothing = channels_step(None, lang, undated)
    assert said in nothing.headline and nothing.chart is None and not nothing.available


def _recommendation(kind: str, text: str) -> ShownRecommendation:
    return ShownRecommendation(kind, text, "metric", 1.0, f"rule_{kind}", "metric ≥ 1")


def test_the_strategy_slide_is_one_row_per_tier_from_the_playbook():
    rm = _recommendation("service_model", "Relationship-manager coverage: a named manager (median AUM ¥959.6K).")
    digital = _recommendation("service_model", "Digital-first: serve through mobile banking.")
    offer = _recommendation("product", "Offer credit card: 1,286 customers short of the benchmark.")
    lever = _recommendation("stickiness", "Win the salary account: payroll campaigns.")
    plays = (
        ShownPlay(0, "mass", "mass: 100 customers.", "digital_first", digital, (offer,), (), ()),
        ShownPlay(1, "private", "private: 3 customers.", "", None, (), (), (), True, "too few"),
        ShownPlay(2, "high net worth", "hnw: 20 customers.", "rm_coverage", rm, (), (lever,), ()),
    )
    step = strategy_step(plays, "en")
    expected = pd.DataFrame(
        {
            "Tier": ["mass", "high net worth"],
            "Service model": [digital.text, rm.text],
            "Offer first": [offer.text, "No rule applies"],
            "Stickiness lever": ["No rule applies", lever.text],
            "Risk to watch": ["No rule applies", "No rule applies"],
        }
    )
    pd.testing.assert_frame_equal(step.table, expected)  # the suppressed tier has no row
    assert "2 service models (Digital-first: mass; Relationship-manager coverage: high net worth)" in step.headline
    assert "4 recommendations" in step.headline
    assert "mass · Offer credit card: 1,286 customers short of the benchmark. (metric ≥ 1)" in step.notes
    assert step.chart is None and step.available
    assert service_name("No colon here") == "No colon here"
    assert not strategy_step(plays[1:2], "en").available


def _finding(key: str, materiality: float, low=math.nan, high=math.nan, basis="", **subject) -> Finding:
    return Finding(
        # a key no catalog has renders as itself: the sentence and rule read "Sentence <key>." and "rule <key>"
        key, "view", Message(f"Sentence {key}."), 1.0, "money", materiality, Message(f"rule {key}"), True, None, low,
        high, basis, tuple(subject.items()),
    )  # fmt: skip


def test_decisions_carry_the_findings_money_and_range():
    ranked = (
        _finding("product_gap", 771_600, 9_210, 771_600, "take_up", product="credit card", tier="mass"),
        _finding("churn_loss", 452_000, basis="observed"),
        _finding("concentration", 450_900, 347_600, 554_200, "calibration", top="2%"),
        _finding("counter_decline", 83_690, 70_580, 96_230, "interval", branches="North and 9 others"),
        _finding("silent_attrition", 26_270, 23_450, 29_080, "calibration"),
        _finding("at_risk_affluent", 13_900, 11_000, 17_000, "calibration", tier="affluent"),
    )
    step = decisions_step(Findings(ranked[:5], (), ranked), "en")
    expected = pd.DataFrame(
        {
            "#": ["1", "2", "3", "4", "5"],
            "Decision requested": [
                "Approve a credit card campaign for the mass tier, aimed at the customers short of the benchmark",
                "Set a churn-rate target, with exit interviews and a win-back offer for closing customers",
                "Give every customer in the top 2% by AUM a named relationship manager and a retention plan",
                "Redeploy counter staff at the fastest-declining branches (North and 9 others) to advice and "
                "digital migration",
                "Call the customers leaving silently before they close (an outbound campaign)",
            ],
            "At stake a year": ["¥771.6K", "¥452K", "¥450.9K", "¥83.69K", "¥26.27K"],
            "Range and basis": [
                "¥9.21K (one campaign at the scenario's take-up rate) to ¥771.6K (the whole gap closed)",
                "Observed in the last 12 months: no range",
                "¥347.6K to ¥554.2K (churn probabilities ± the model's calibration error)",
                "¥70.58K to ¥96.23K (confidence interval of the decline)",
                "¥23.45K to ¥29.08K (churn probabilities ± the model's calibration error)",
            ],
        }
    )
    pd.testing.assert_frame_equal(step.table, expected)  # at most five: the sixth finding asks for no decision
    assert [n.value for n in step.numbers] == [5, 771_600, 4]
    assert "the largest: Approve a credit card campaign for the mass tier" in step.headline
    assert "not added up" in step.headline  # the amounts overlap: no misleading total
    zh = decisions_step(Findings(ranked[:5], (), ranked), "zh")
    assert zh.table.iloc[0, 1] == "批准面向mass的credit card专项营销，目标为距基准的缺口客户"  # names as given
    assert not decisions_step(Findings((), (), ()), "en").available


def test_each_finding_carries_a_range_around_its_expected_money(bank):
    prepared, scenario, cube, _ = bank
    findings = executive_findings(prepared, scenario, cube=cube)
    by_key = {f.key: f for f in findings.ranked}
    assert {f.range_basis for f in findings.ranked} <= {"interval", "calibration", "take_up", "observed"}
    for finding in findings.ranked:
        if finding.range_basis in ("interval", "calibration"):
            assert finding.low <= finding.materiality <= finding.high, finding.key
        if finding.range_basis == "observed":
            assert math.isnan(finding.low) and math.isnan(finding.high)
    gap = by_key["product_gap"]
    assert gap.range_basis == "take_up" and gap.low <= gap.high == gap.materiality
    assert dict(gap.subject)["tier"] in {Named("tier", label) for label in scenario.tiers.labels}  # named at the edge
