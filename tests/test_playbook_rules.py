"""Segment playbook: rules as data, traced recommendations, JSON round trips."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from crm_core import loyalty
from crm_core.configs import config_from_json, config_json
from crm_core.dataset import Dataset
from crm_core.playbook import (
    DEFAULT_RULES,
    FindingsConfig,
    GuaranteeTargets,
    PlaybookRules,
    Rule,
    playbook_table,
    plays_in,
    segment_metrics,
    segment_playbook,
)
from crm_core.playbook.wording import filled
from crm_core.prepare import prepared_dataset
from crm_core.products import BenchmarkConfig
from crm_core.scenarios import Scenario, proposed_scenario
from tests.test_playbook_findings import SCENARIO, planted_bank


def worded(*args, lang="en", **kwargs):
    """The plays worded in ``lang`` (``segment_playbook`` returns them as data)."""
    return plays_in(segment_playbook(*args, **kwargs), lang)


@pytest.fixture(scope="module")
def planted():
    return prepared_dataset(planted_bank())


def _rule(key: str) -> Rule:
    return next(r for r in DEFAULT_RULES.rules if r.key == key)


def test_playbook_traces_products_to_the_planted_gap(planted):
    plays = worded(planted, SCENARIO)
    assert [p.segment for p in plays] == ["mass", "affluent", "high net worth", "private"]
    affluent = plays[1]
    offer = affluent.products[0]
    assert (offer.product, offer.metric, offer.value, offer.rule_key) == (
        "wealth_management", "gap_value", 30_000.0, "product_gap",
    )  # fmt: skip
    # each affluent customer brings at most their own ¥10万, half of it new money: ¥10万 × 0.6% × 50% = ¥300
    assert offer.text == "Offer wealth management: 100 customers short of the benchmark, worth ¥30K a year."
    assert offer.rule == "product_gap: gap value a year > ¥0"
    assert affluent.position == "affluent: 100 customers (28.6%), 16.1% of AUM, 0.2 products per customer."
    assert plays[3].suppressed and plays[3].recommendations == ()


def test_changing_a_threshold_changes_the_recommendation(planted):
    # No activity: no digital share, so only the median-AUM rule can set a service model.
    assert [p.service_model for p in worded(planted, SCENARIO)[:3]] == ["", "", "rm_coverage"]
    lower = DEFAULT_RULES.with_rule(dataclasses.replace(_rule("rm_coverage"), threshold=1e5))
    plays = worded(planted, SCENARIO, lower)
    assert [p.service_model for p in plays[:3]] == ["", "rm_coverage", "rm_coverage"]
    assert plays[1].service.value == 1e5 and plays[1].service.rule == "rm_coverage: median AUM ≥ ¥100K"
    # A product rule asking for more than the ¥30K a year drops the offer.
    strict = DEFAULT_RULES.with_rule(dataclasses.replace(_rule("product_gap"), threshold=150_000))
    assert worded(planted, SCENARIO, strict)[1].products == ()


def test_rule_text_edits_reach_the_recommendation(planted):
    edited = DEFAULT_RULES.with_rule(
        dataclasses.replace(_rule("product_gap"), recommendation_en="Sell {product} to {segment} ({money}, {x}).")
    )
    offer = worded(planted, SCENARIO, edited)[1].products[0]
    assert offer.text == "Sell wealth management to affluent (¥30K, {x})."
    assert filled("{value:>5}", {"value": "1"}) == "{value:>5}"


def test_inputs_are_not_mutated(planted):
    before = planted.customers.copy()
    worded(planted, SCENARIO)
    pd.testing.assert_frame_equal(planted.customers, before)


@pytest.fixture(scope="module")
def small(small_sample):
    prepared = prepared_dataset(Dataset("s", small_sample.customers, small_sample.activity, small_sample.holdings, "s"))
    return prepared, loyalty.churn_risk_model(prepared)


def test_every_recommendation_is_traced_in_both_languages(small):
    prepared, risk = small
    for lang in ("en", "zh"):
        plays = worded(prepared, proposed_scenario(), lang=lang, churn_risk=risk)
        table = playbook_table(plays)
        assert len(table) >= 6 and set(table["kind"]) >= {"service_model", "product", "risk"}
        keys = {r.key for r in DEFAULT_RULES.rules}
        assert set(table["rule_key"]) <= keys and table["value"].notna().all()
        assert all(text and "{" not in text for text in table["text"])
        for play in plays:
            assert len(play.products) <= DEFAULT_RULES.top_products and len(play.levers) <= DEFAULT_RULES.max_levers
            values = [lever.value for lever in play.levers]
            assert values == sorted(values)
    assert plays[0].position.startswith("大众客户：")


def test_segment_metrics_on_hand_built_codes(planted):
    metrics = segment_metrics(planted, np.repeat([0, 1, 2], [200, 100, 50]), ["a", "b", "c"])
    assert metrics["customers"].tolist() == [200, 100, 50]
    assert metrics["median_aum"].tolist() == [1e4, 1e5, 1e6]
    assert metrics["high_risk_share"].isna().all() and metrics["silent_attrition_share"].isna().all()
    gaps = metrics["products_held_vs_bank"].to_numpy()
    # Against the bank's own mean: the customer-weighted gaps cancel; high net worth holds most.
    assert float(np.dot(gaps, [200, 100, 50])) == pytest.approx(0.0, abs=1e-9)
    assert gaps[2] > 0 > gaps[0]


@pytest.mark.parametrize(
    "config",
    [
        PlaybookRules(),
        DEFAULT_RULES.with_rule(Rule("own", "risk", "churn_rate", ">", 0.05, "Watch {value}", "关注{value}")),
        GuaranteeTargets(),
        GuaranteeTargets().with_target("retention", 0.95, owner="Retail head", milestone="2026-12"),
        FindingsConfig(cost_per_counter_transaction=12.5, at_risk_tiers=(1, 2)),
    ],
)
def test_configs_round_trip_through_json(config):
    assert config_from_json(type(config), config_json(config)) == config


def test_rules_are_validated():
    with pytest.raises(ValueError, match="operator"):
        Rule("x", "risk", "churn_rate", "=>", 0.1, "", "")
    with pytest.raises(ValueError, match="unique"):
        PlaybookRules((_rule("rm_coverage"), _rule("rm_coverage")))
    with pytest.raises(ValueError, match="once"):
        GuaranteeTargets(targets=(("retention", 0.9), ("retention", 0.8)))


def test_scenario_benchmark_changes_the_offer(planted):
    bank = Scenario(product_benchmark=BenchmarkConfig("bank"), offered_products=("wealth_management", "funds"))
    offer = worded(planted, bank)[0].products[0]
    # Bank-wide wealth penetration is 50/350; the mass tier holds none: round(200 × 50/350) = 29 customers,
    # each bringing at most their own ¥1万, half of it new money: ¥1万 × 0.6% × 50% = ¥30 a year.
    assert (offer.product, offer.value) == ("wealth_management", 29 * 30.0)
