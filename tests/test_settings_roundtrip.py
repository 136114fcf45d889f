"""Property: any valid scenario shown by the widgets and read back is the same scenario (``ui.settings``)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from crm_core import scenarios as sc
from crm_core.loyalty.config import CHURN_KINDS, ChurnDefinition, ClvConfig, RetentionScenario
from crm_core.products.config import BenchmarkConfig
from crm_core.segments.availability import SCHEMES
from crm_core.segments.config import CLUSTER_FEATURE_CHOICES, ClusterConfig, RfmConfig, TierConfig, ValueConfig
from crm_core.staff.config import INDICATORS, LEVELS, PRESETS
from crm_core.view_choices import GROUPINGS, ProductTargets, ViewChoices
from crm_core.visits.config import WhatIfInputs
from ui import settings as ui_settings

STAFF_NAMES = tuple(i.name for i in INDICATORS)
PRODUCTS = ("credit_card", "wealth_management", "funds", "insurance", "payroll_service", "consumer_loan")


def percentages(names: tuple[str, ...]):
    """Whole percentages over ``names`` summing to 100 (some zero)."""
    return st.lists(st.integers(0, 20), min_size=len(names), max_size=len(names)).filter(any).map(
        lambda raw: dict(zip(names, ui_settings.weight_percentages(dict(zip(names, raw, strict=True))).values(),
                             strict=True))
    )  # fmt: skip


@st.composite
def scenarios(draw) -> sc.Scenario:
    """A scenario whose every value lies on its widget's grid (what a manager can set)."""
    count = draw(st.integers(1, 5))
    wan = sorted(draw(st.sets(st.integers(1, 100_000), min_size=count, max_size=count)))
    labels = tuple(f"tier {i}" for i in range(count + 1))
    staff = draw(st.one_of(st.sampled_from([dict(p.weights) for p in PRESETS]), percentages(STAFF_NAMES)))
    value_names = ("aum", "annual_contribution", "products_held", "tenure_months")
    return replace(
        sc.baseline_scenario(),
        tiers=TierConfig(tuple(w * 1e4 for w in wan), labels, draw(st.sampled_from(("current", "3m", "6m", "12m")))),
        value=ValueConfig(
            weights=tuple((n, float(p)) for n, p in draw(percentages(value_names)).items()),
            normalisation=draw(st.sampled_from(("percentile", "minmax"))),
            method=draw(st.sampled_from(("cutoffs", "top_shares"))),
        ),
        rfm=RfmConfig(monetary=draw(st.sampled_from(("aum", "annual_contribution")))),
        clusters=ClusterConfig(
            features=tuple(
                draw(st.lists(st.sampled_from(CLUSTER_FEATURE_CHOICES), min_size=2, max_size=4, unique=True))
            ),
            k=draw(st.integers(2, 8)),
        ),
        churn=ChurnDefinition(
            kind=draw(st.sampled_from(CHURN_KINDS)),
            inactive_months=draw(st.integers(1, 11)),
            aum_drop=draw(st.integers(2, 18)) * 5 / 100,
        ),
        clv=replace(ClvConfig(), discount_rate=draw(st.integers(0, 40)) * 0.5 / 100),
        retention=RetentionScenario(
            draw(st.integers(0, 20)) * 5 / 100,
            tuple(draw(st.lists(st.integers(0, 3), unique=True, max_size=4))),
            tuple(draw(st.lists(st.sampled_from(("high", "medium", "low")), unique=True, max_size=3))),
        ),
        visits_what_if=WhatIfInputs(
            tuple(draw(st.lists(st.integers(0, 3), unique=True, max_size=4))),
            float(draw(st.integers(0, 50))),
            round(draw(st.integers(0, 20)) * 0.05, 2),
            float(draw(st.integers(1, 100)) * 100),
        ),
        product_benchmark=BenchmarkConfig(kind=draw(st.sampled_from(("bank", "next_tier", "best_branch")))),
        offered_products=tuple(draw(st.lists(st.sampled_from(PRODUCTS), unique=True, max_size=6))),
        product_targets=ProductTargets(draw(st.integers(10, 100)) / 10, draw(st.integers(1, 10)) / 10),
        staff_weights=tuple(staff.items()),
        staff_baseline=draw(st.sampled_from([p.key for p in PRESETS])),
        views=ViewChoices(
            draw(st.sampled_from(SCHEMES)),
            *(draw(st.sampled_from(GROUPINGS)) for _ in range(3)),
            draw(st.sampled_from(LEVELS)),
        ),
    )


def through_widgets(scenario: sc.Scenario, lang: str) -> sc.Scenario:
    """Every control's shown value, written back into a scenario that started elsewhere."""
    start = sc.proposed_scenario()
    result = ui_settings.scenario_from_widgets(start, ui_settings.widget_values(scenario, lang), lang)
    result = replace(result, tiers=scenario.tiers)  # tier count and names have their own controls, tested below
    for i in range(len(scenario.tiers.thresholds)):
        threshold = ui_settings.Setting(("tiers", "thresholds", i), scale=1e-4, shown=float)
        result = threshold.written(result, threshold.shown_value(scenario))
    for path, names in ((("value", "weights"), tuple(dict(scenario.value.weights))), (("staff_weights",), STAFF_NAMES)):
        result = ui_settings.weights_written(result, path, ui_settings.shown_weights(scenario, path, names))
    return result


def nonzero(weights) -> dict:
    return {n: w for n, w in weights if w}


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.sampled_from(("en", "zh")))
def test_any_valid_scenario_through_the_widgets_is_itself(scenario, lang):
    back = through_widgets(scenario, lang)
    assert nonzero(back.staff_weights) == nonzero(scenario.staff_weights)
    assert nonzero(back.value.weights) == nonzero(scenario.value.weights)
    same = {"staff_weights": scenario.staff_weights, "value": scenario.value}
    assert replace(back, name=scenario.name, note=scenario.note, **same) == scenario


def test_a_setting_the_config_refuses_leaves_the_scenario_and_says_why():
    setting = ui_settings.SETTINGS["visits_substitution"]
    try:
        setting.written(sc.baseline_scenario(), 2.0)
    except ValueError as error:
        assert "substitution_factor" in str(error)
    else:
        raise AssertionError("a substitution factor of 2 must be refused")


def test_widget_keys_and_units_come_from_the_config_paths():
    assert ui_settings.SETTINGS["clv_discount_rate"].key() == "clv.discount_rate"
    assert ui_settings.SETTINGS["churn_kind"].key("zh") == "churn.kind@zh"
    assert ui_settings.SETTINGS["clv_discount_rate"].shown_value(sc.baseline_scenario()) == 8.0
    threshold = ui_settings.Setting(("tiers", "thresholds", 0), scale=1e-4, shown=float)
    assert threshold.shown_value(sc.baseline_scenario()) == 5.0
    assert threshold.written(sc.baseline_scenario(), 10.0).tiers.thresholds[0] == 100_000.0
