"""Report content: the storyline's steps, whose charts carry exactly the crm_core numbers, in English and Chinese."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

from crm_core import loyalty as loy
from crm_core import products as prod
from crm_core import segments as seg
from crm_core import staff
from crm_core.dataset import Dataset
from crm_core.messages import render
from crm_core.prepare import prepared_dataset
from crm_core.report import (
    ChartSpec,
    chart_figure,
    report_content,
    report_tables,
    report_workbook,
    tier_labels,
)
from crm_core.report.content import (
    tier_names,
)
from crm_core.scenarios import proposed_scenario
from crm_core.text_safety import plotly_text
from tests.conftest import bank_fingerprint, tiny_dataset

STEPS = (
    "positioning",
    "tiering",
    "stickiness",
    "value_mining",
    "channels",
    "service",
    "staff",
    "guarantees",
    "strategy",
    "playbook",
    "decisions",
)
HOSTILE = ("<script>alert(1)</script>", "=cmd|' /C calc'!A0", "North")


def hostile_prepared(tables):
    """The small sample with its customers spread over three branches, two of them hostile names."""
    customers = tables.customers.drop(columns=["branch_zh"])  # the new branches have no Chinese names
    names = np.array(HOSTILE, dtype=object)[np.arange(len(customers)) % len(HOSTILE)]
    customers["branch"] = pd.array(names, dtype="string")
    return prepared_dataset(
        Dataset("hostile", customers, tables.activity, tables.holdings, fingerprint=bank_fingerprint("hostile report"))
    )


@pytest.fixture(scope="module")
def prepared(small_sample):
    return hostile_prepared(small_sample)


@pytest.fixture(scope="module")
def scenario():
    return proposed_scenario()


@pytest.fixture(scope="module")
def risk(prepared, scenario):
    return loy.churn_risk_model(prepared, scenario.churn)


@pytest.fixture(scope="module")
def report(prepared, scenario, risk):
    return report_content(prepared, scenario, "en", churn_risk=risk)


@pytest.fixture(scope="module")
def report_zh(prepared, scenario, risk):
    return report_content(prepared, scenario, "zh", churn_risk=risk)


def test_the_steps_in_storyline_order(report):
    assert tuple(step.key for step in report.steps) == STEPS
    for step in report.steps:
        assert step.headline and step.notes and len(step.numbers) <= 4
        assert step.available
        assert any(character.isdigit() for character in step.headline)


def test_positioning_chart_is_the_tier_profile(report, prepared, scenario):
    labels = tier_labels(scenario.tiers, "en")
    profiles = seg.group_profiles(prepared, seg.aum_tiers(prepared, scenario.tiers).codes, labels)
    chart = report.step("positioning").chart
    assert chart.categories == tuple(profiles["group"])
    assert list(chart.series_map()) == ["Share of customers", "Share of AUM"]
    np.testing.assert_array_equal(chart.series_map()["Share of customers"], profiles["customer_share"])
    np.testing.assert_array_equal(chart.series_map()["Share of AUM"], profiles["aum_share"])  # NaN where suppressed
    expected = profiles.rename(columns={"group": "tier"})
    pd.testing.assert_frame_equal(report_tables(report)["segments"], expected)


def test_value_mining_chart_is_the_top_opportunities(report, prepared, scenario):
    codes = seg.aum_tiers(prepared, scenario.tiers).codes
    view = prod.products_view(prepared, codes, scenario.tiers.labels, prod.ProductSettings.of(scenario))
    sizing = prod.relabelled(view.sizing, tier_names(scenario.tiers, "en"))
    top = prod.top_opportunities(sizing, 8)
    chart = report.step("value_mining").chart
    assert chart.series_map() == {"Value a year": tuple(top["opportunity_value"])}
    assert chart.categories == tuple(
        f"{g} · {prod.product_name(p)}" for g, p in zip(top["group"], top["product"], strict=True)
    )
    assert render(prod.opportunity_message(sizing, 0.5), "en") in report.step("value_mining").headline


def test_staff_chart_ranks_are_the_ranking_table(report, prepared, scenario):
    card = staff.staff_scorecard(prepared, "branch")
    weights = staff.scorecard_weights(card, dict(scenario.staff_weights))
    baseline = staff.scorecard_weights(card, staff.PRESET_BY_KEY[scenario.staff_baseline])
    table = staff.ranking_table(card, weights, baseline).set_index("unit")
    chart = report.step("staff").chart
    assert set(chart.categories) == set(HOSTILE)
    series = chart.series_map()
    assert series["Customer-centric balanced scorecard"] == tuple(float(table.loc[u, "rank"]) for u in chart.categories)
    assert series["Deposit & sales oriented"] == tuple(float(table.loc[u, "baseline_rank"]) for u in chart.categories)


def test_stickiness_uses_the_given_model_and_its_numbers(report, prepared, scenario, risk):
    bands = loy.risk_bands(risk.probabilities)
    aum = np.nan_to_num(prepared.customers["aum"].to_numpy(dtype=float))
    at_risk = float(aum[bands == 2].sum())
    step = report.step("stickiness")
    numbers = {n.label: n.value for n in step.numbers}
    assert numbers["AUM of high-risk customers"] == pytest.approx(at_risk)
    assert numbers["Churn model ROC AUC"] == risk.fitted.evaluation.roc_auc
    codes = seg.aum_tiers(prepared, scenario.tiers).codes
    expected = loy.risk_by_group(risk.probabilities, bands, aum, codes, tier_labels(scenario.tiers, "en"))
    pd.testing.assert_frame_equal(report_tables(report)["risk"], expected)


def test_given_model_is_not_retrained(prepared, scenario, risk, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("retrained")

    monkeypatch.setattr(loy, "churn_risk_model", refuse)
    assert report_content(prepared, scenario, "en", churn_risk=risk).step("stickiness").available


def test_chinese_report(report_zh):
    assert report_zh.title.startswith("零售客户")
    assert report_zh.step("positioning").title == "一、客户定位：我们的客户是谁"
    assert report_zh.step("positioning").chart.categories[0] == "大众客户"
    assert "¥" in report_zh.step("value_mining").headline and "万" in report_zh.step("value_mining").headline
    assert report_zh.step("positioning").chart.number_format == "0.0%"
    assert set(report_zh.step("staff").chart.categories) == set(HOSTILE)  # no Chinese names: the data's own


def test_figure_carries_the_chart_spec_numbers(report):
    for step in report.steps:
        assert (step.figure is None) == (step.chart is None)
        if step.chart is None:
            continue
        for trace, (name, values) in zip(step.figure.data, step.chart.series, strict=True):
            shown = trace.x if step.chart.horizontal else trace.y
            assert trace.name == plotly_text(name)  # as plotly shows it: & written &amp;
            assert [None if math.isnan(v) else v for v in values] == list(shown)


def test_prepared_dataset_is_not_modified(small_sample, scenario):
    prepared = hostile_prepared(small_sample)
    before = prepared.customers.copy(deep=True)
    report_content(prepared, scenario, "en")
    pd.testing.assert_frame_equal(prepared.customers, before)


def test_missing_data_steps_say_so():
    prepared = prepared_dataset(tiny_dataset())
    report = report_content(prepared, proposed_scenario(), "en")
    assert tuple(step.key for step in report.steps) == STEPS
    assert "Churn cannot be modelled" in report.step("stickiness").headline
    assert report_tables(report)["risk"].columns.tolist() == ["note"]


def test_workbook_sheets_are_formula_safe(report):
    sheets = pd.read_excel(io.BytesIO(report_workbook(report)), sheet_name=None)
    assert list(sheets) == ["Cover", "Tier profiles", "Product gaps", "Cross-sell opportunities", "Churn risk",
                            "Staff ranking"]  # fmt: skip
    units = set(sheets["Staff ranking"]["Unit"])
    assert "'=cmd|' /C calc'!A0" in units and "=cmd|' /C calc'!A0" not in units
    assert "<script>alert(1)</script>" in units  # text, not a formula: kept as is


def test_chart_spec_validates():
    with pytest.raises(ValueError, match="one value per category"):
        ChartSpec("bar", "t", ("a", "b"), (("s", (1.0,)),))
    with pytest.raises(ValueError, match="chart kind"):
        ChartSpec("radar", "t", ("a",), (("s", (1.0,)),))
    pie = chart_figure(ChartSpec("pie", "t", ("a", "b"), (("s", (1.0, 3.0)),), value_kind="share"))
    assert list(pie.data[0].values) == [1.0, 3.0]


def test_the_deck_in_two_languages_computes_the_findings_and_plays_once(monkeypatch, prepared, scenario):
    """The app's report reads the Playbook's cached findings and plays: a second language only words them."""
    import threading

    import crm_core.playbook as pb
    from ui import background
    from ui import playbook as ui_pb
    from ui import report as ui_report

    background.trainer().wait_idle()  # an earlier test's background warming must not count, nor fill the caches
    calls: list[str] = []
    here = threading.current_thread()
    for name in ("executive_findings", "segment_playbook", "guarantee_measures"):
        original = getattr(pb, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            if threading.current_thread() is here:
                calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(pb, name, counted)
    for cache in (ui_pb._findings, ui_pb._plays, ui_pb._guarantees, ui_report._content):
        cache.clear()
    english = ui_report.content(prepared, scenario, "en")
    assert sorted(calls) == ["executive_findings", "guarantee_measures", "segment_playbook"]
    calls.clear()
    chinese = ui_report.content(prepared, scenario, "zh")
    assert calls == [], f"the Chinese deck recomputed {calls}"
    # the same plays, worded twice: the tier names follow the language
    strategy = {report.lang: next(s for s in report.steps if s.key == "strategy") for report in (english, chinese)}
    assert (
        strategy["en"].table.iloc[:, 0].tolist()
        == ["mass", "affluent", "high net worth", "private"][: len(strategy["en"].table)]
    )
    assert (
        strategy["zh"].table.iloc[:, 0].tolist()
        == ["大众客户", "富裕客户", "高净值客户", "私人银行客户"][: len(strategy["zh"].table)]
    )
