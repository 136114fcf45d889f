"""The Loyalty view is one result: computed once, read by every surface, in any language (issue 17)."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_core.loyalty as loy
from crm_core.comparison import scenario_summary
from crm_core.playbook import executive_findings, segment_metrics, segment_playbook
from crm_core.prepare import prepared_dataset
from crm_core.report import report_content
from crm_core.scenarios import Scenario
from tests.conftest import tiny_dataset

ROOT = Path(__file__).resolve().parents[1]

EVALUATION = loy.Evaluation(
    rows=10, positives=2, roc_auc=0.8, pr_auc=0.5, brier=0.1, calibration_error=0.0, base_rate=0.2,
    calibration=pd.DataFrame(), lift=pd.DataFrame(),
)  # fmt: skip


@pytest.fixture(scope="module")
def tiny():
    """A and B active (AUM 100 and 300), C closed in the last 12 months, D the 12 before."""
    return prepared_dataset(tiny_dataset())


def scored(prepared, probabilities) -> loy.ChurnRisk:
    """A churn risk with given probabilities (no model trained): the view only reads scores."""
    labels = loy.churn_labels(prepared)
    fitted = loy.FittedModel(True, None, evaluation=EVALUATION)
    return loy.ChurnRisk(loy.DEFAULT_CHURN, labels, fitted, np.asarray(probabilities, dtype=float), pd.DataFrame())


SETTINGS = loy.LoyaltySettings(
    churn=loy.DEFAULT_CHURN,
    stickiness=loy.StickinessConfig(weights=(("products_held", 1.0),), clip_quantiles=(0.0, 1.0)),
    clv=loy.ClvConfig(discount_rate=0.0, horizon_years=1, aum_margin=0.01),
    retention=loy.RetentionScenario(retained_share=0.5, segments=(), bands=("high",)),
    min_group_customers=1,
)
CODES = np.array([0, 1, 0, 1])  # A and C "mass", B and D "affluent"
LABELS = ("mass", "affluent")


@pytest.fixture(scope="module")
def view(tiny):
    return loy.loyalty_view(tiny, CODES, LABELS, SETTINGS, risk=scored(tiny, [0.25, 0.05, np.nan, np.nan]))


def test_the_churn_rate_is_the_one_definition(view):
    # on the books a year earlier: A and C; C closed: 1 of 2 (D closed the year before, B is new)
    assert (view.churn_rate.closed, view.churn_rate.base, view.churn_rate.value) == (1, 2, 0.5)


def test_bands_expected_loss_and_aum_at_high_risk(view):
    expected = pd.DataFrame(
        {"band": ["low", "medium", "high"], "customers": [1, 0, 1], "aum": [300.0, 0.0, 100.0],
         "expected_aum_loss": [15.0, 0.0, 25.0]}
    )  # fmt: skip
    pd.testing.assert_frame_equal(view.bands, expected)
    assert (view.high_risk_customers, view.at_risk_aum, view.expected_aum_loss) == (1.0, 100.0, 40.0)


def test_risk_by_group(view):
    expected = pd.DataFrame(
        {
            "code": [0, 1],
            "group": ["mass", "affluent"],
            "scored": [1, 1],
            "mean_probability": [0.25, 0.05],
            "expected_churners": [0.25, 0.05],
            "high_risk": [1, 0],
            "high_risk_share": [1.0, 0.0],
            "at_risk_aum": [100.0, 0.0],
            "expected_aum_loss": [25.0, 15.0],
        }
    )
    pd.testing.assert_frame_equal(view.risk, expected)
    assert view.risk_by_branch[["group", "scored", "at_risk_aum"]].to_dict("list") == {
        "group": ["North", "South"], "scored": [2, 0], "at_risk_aum": [100.0, 0.0],
    }  # fmt: skip


def test_stickiness_by_group_and_indicator_gaps(view):
    # products held among active customers: A 2, B 1 → scaled 1 and 0 → index 100 and 0
    assert view.stickiness[["segment", "customers", "mean", "primacy_share"]].to_dict("list") == {
        "segment": ["mass", "affluent"], "customers": [1, 1], "mean": [100.0, 0.0], "primacy_share": [0.0, 0.0],
    }  # fmt: skip
    assert (view.mean_stickiness, view.primacy_share) == (50.0, 0.0)
    assert view.weights == {name: (1.0 if name == "products_held" else 0.0) for name in view.weights}
    assert view.indicator_gaps["products_held"].tolist() == [0.5, -0.5]


def test_clv_by_group(view):
    # contribution = AUM × 1%; one undiscounted year × retention (1 − churn probability)
    clv = view.clv.set_index("segment")
    assert clv["total_contribution"].tolist() == [1.0, 3.0]
    assert clv["total_clv"].tolist() == pytest.approx([0.75, 2.85])
    assert clv["customers"].tolist() == [1, 1]


def test_retention_what_if(view):
    total = view.retention.set_index("segment").loc["total"]
    # half of A's 0.25 expected churn kept: 0.125 customers, 12.5 of AUM; range = Bernoulli spread only
    assert (total["targeted"], total["customers_kept"], total["aum_kept"]) == (1, 0.125, 12.5)
    assert view.aum_kept == 12.5
    assert total["aum_kept_high"] == pytest.approx(12.5 + 1.645 * 0.5 * math.sqrt(0.25 * 0.75 * 100.0**2))
    assert total["aum_kept_low"] == 0.0


def test_the_tiles_are_the_views_figures(view, tiny):
    tiles = view.tiles().set_index("metric")["value"].to_dict()
    assert tiles == {
        "churn_rate": 0.5, "high_risk_customers": 1.0, "at_risk_aum": 100.0, "expected_aum_loss": 40.0,
        "mean_stickiness": 50.0, "primacy_share": 0.0,
    }  # fmt: skip
    risk = scored(tiny, [0.25, 0.05, np.nan, np.nan])
    scores = loy.stickiness_scores(loy.stickiness_matrix(tiny, SETTINGS.stickiness), SETTINGS.stickiness)
    kpis = loy.loyalty_kpis(tiny, risk, scores, loy.primacy_flags(tiny)).set_index("metric")["value"].to_dict()
    assert kpis == tiles


def test_small_groups_are_hidden_and_out_of_range_what_if_groups_dropped(tiny):
    risk = scored(tiny, [0.25, 0.05, np.nan, np.nan])
    settings = replace(SETTINGS, min_group_customers=2, retention=replace(SETTINGS.retention, segments=(0, 5)))
    view = loy.loyalty_view(tiny, CODES, LABELS, settings, risk=risk)
    assert view.hidden == ("mass", "affluent")  # one active customer each
    assert view.retention["segment"].tolist() == ["mass", "total"]
    assert loy.shown(view.stickiness, view.hidden)["segment"].tolist() == []


def test_without_a_model_the_view_keeps_what_needs_none(tiny):
    view = loy.loyalty_view(tiny, CODES, LABELS, SETTINGS, risk=loy.unscored_risk(tiny))
    assert not view.model_usable and view.retention is None and view.evaluation is None
    assert math.isnan(view.at_risk_aum) and math.isnan(view.aum_kept) and math.isnan(view.expected_aum_loss)
    assert view.churn_rate.value == 0.5 and view.mean_stickiness == 50.0
    # CLV falls back to the bank's churn rate (50%)
    assert view.clv["total_clv"].tolist() == pytest.approx([0.5, 1.5])


def test_the_view_holds_no_words(view):
    assert set(view.risk["group"]) <= set(LABELS) and set(view.stickiness["segment"]) <= set(LABELS)
    assert tuple(view.bands["band"]) == loy.RISK_BANDS


def test_every_surface_reads_the_view_it_is_given(tiny, monkeypatch):
    """Report, plays and comparison take the loyalty view as given: a doubled band shows everywhere."""
    scenario = Scenario()
    tiers = tuple(scenario.tiers.labels)
    codes = np.zeros(len(tiny.customers), dtype=np.int64)
    risk = scored(tiny, [0.25, 0.05, np.nan, np.nan])
    view = loy.loyalty_view(tiny, codes, tiers, loy.LoyaltySettings.of(scenario), risk=risk)
    doubled = replace(view, bands=view.bands.assign(aum=view.bands["aum"] * 2))

    def refuse(*args, **kwargs):
        raise AssertionError("the loyalty chain was assembled again")

    monkeypatch.setattr(loy, "loyalty_view", refuse)
    summary = scenario_summary(tiny, scenario, churn_risk=risk, loyalty_view=doubled)
    assert summary.at_risk_aum == 200.0
    numbers = {n.label: n.value for n in report_content(tiny, scenario, "en", churn_risk=risk,
                                                         loyalty_view=doubled).step("stickiness").numbers}  # fmt: skip
    assert numbers["AUM of high-risk customers"] == 200.0
    assert len(segment_playbook(tiny, scenario, churn_risk=risk, loyalty_view=view)) == len(tiers)
    assert len(segment_metrics(tiny, codes, tiers, risk, scenario.stickiness, None, view)) == len(tiers)
    assert executive_findings(tiny, scenario, churn_risk=risk, loyalty_view=view) is not None


CHAIN = ("retention_what_if", "risk_by_group", "clv_by_segment", "stickiness_by_segment", "band_summary",
         "stickiness_scores", "indicator_gaps")  # fmt: skip
"""Steps of the loyalty chain: only ``crm_core/loyalty/view.py`` calls them."""


def _callers(name: str) -> list[str]:
    """Files of ``crm_core``, ``ui`` and ``pages`` that call ``name`` (doctests and the definition aside)."""
    found = []
    for folder in ("crm_core", "ui", "pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            body = re.sub(r"^\s*(>>>|\.\.\.) .*$", "", path.read_text(encoding="utf-8"), flags=re.M)
            if re.search(rf"\b{name}\(", body.replace(f"def {name}(", "")):
                found.append(path.relative_to(ROOT).as_posix())
    return found


@pytest.mark.parametrize("name", CHAIN)
def test_the_loyalty_chain_is_written_once(name):
    """Only the view assembles stickiness → bands → risk by group → CLV → what-if (``duplicates`` stays clean)."""
    assert _callers(name) == ["crm_core/loyalty/view.py"], _callers(name)


def test_customer_values_and_bands_are_computed_in_the_view_and_its_cache_only():
    assert set(_callers("customer_value")) == {"crm_core/loyalty/view.py", "ui/loyalty.py"}
    assert _callers("risk_bands") == ["crm_core/loyalty/view.py"]  # the at-risk finding reads the view's bands


LOYALTY_ANALYTICS = (
    (loy, "loyalty_view"),
    (loy, "churn_risk_model"),
    (loy, "stickiness_matrix"),
    (loy, "customer_value"),
)


@pytest.mark.slow
def test_switching_language_on_loyalty_recomputes_no_analytics(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from ui import loyalty as ui_loy

    ui_loy._view.clear()  # the process-wide cache: another test may have seen the what-if set below
    calls: list[str] = []
    for module, name in LOYALTY_ANALYTICS:
        original = getattr(module, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["lang"] = "EN"
    at.run()
    at.switch_page("pages/loyalty.py").run()
    assert not at.exception, at.exception
    calls.clear()
    at.slider(key="retention.retained_share").set_value(65).run()  # a setting recomputes the view, only it
    assert not at.exception, at.exception
    assert calls == ["loyalty_view"], calls
    title = at.title[0].value
    tiles = {m.label: m.value for m in at.metric}
    calls.clear()
    # (AppTest keeps a language-keyed option widget's stale formatter: one switch, and nothing after it)
    at.segmented_control(key="lang").set_value("中文").run()
    assert not at.exception, at.exception
    assert at.title[0].value != title, "the page did not re-render in the other language"
    assert calls == [], f"switching language recomputed {calls}"
    assert len({m.label: m.value for m in at.metric}) == len(tiles)


def test_customer_reasons_are_messages_for_the_strongest_risky_deviations(tiny):
    from crm_core.messages import Count, Message, Term, render

    drivers = pd.DataFrame(
        {"feature": ["products_held", "is_payroll", "branch"], "importance": [0.3, 0.2, 0.1],
         "direction": [-0.5, -0.4, np.nan], "riskiest_level": [None, None, "South"]}
    )  # fmt: skip
    now = pd.DataFrame({"products_held": [2, 1, 1, 0], "is_payroll": [1, 0, 0, 0],
                        "branch": ["North", "North", "South", "South"]})  # fmt: skip
    risk = replace(scored(tiny, [0.25, 0.05, np.nan, np.nan]), features_now=now)
    risk = replace(risk, fitted=replace(risk.fitted, drivers=drivers))
    # products held among scored (active) customers: A 2, B 1 → median 1.5, spread 0.5; fewer is riskier
    reasons = loy.customer_reasons(risk, np.arange(4))
    fewer = Message("reason_value", feature=Term("feature_products_held"), value=Count(1.0), median=Count(1.5))
    no_payroll = Message("reason_flag_no", feature=Term("feature_is_payroll"))
    assert reasons[0] == ()  # A holds more than the median and has payroll: nothing stands out
    assert reasons[1] == reasons[2] == (fewer, no_payroll)  # C's branch (South) is the third reason, left out
    assert reasons[3][1] == no_payroll and reasons[3][0].key == "reason_value"
    assert [render(m, "en") for m in reasons[1]] == ["Products held 1 (bank median 2)", "Payroll through the bank: no"]
    assert [render(m, "zh") for m in reasons[1]] == ["持有产品数 1（全行中位数 2）", "本行代发工资：否"]
    listed = loy.at_risk_customers(tiny, risk, np.array([2, 2, -1, -1], dtype=np.int8))
    assert listed["reasons"].tolist() == [(), (fewer, no_payroll)]  # riskiest first within the branch
