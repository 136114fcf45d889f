"""Scenario files: round trip, migration, refusal of corrupt or foreign JSON, link tokens, comparison."""

import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_core.comparison import scenario_comparison, scenario_summary
from crm_core.loyalty.config import ChurnDefinition, RetentionScenario
from crm_core.prepare import prepared_dataset
from crm_core.products.config import BenchmarkConfig
from crm_core.scenarios import (
    SCENARIO_VERSION,
    Scenario,
    ScenarioError,
    baseline_scenario,
    proposed_scenario,
    scenario_from_json,
    scenario_from_token,
    scenario_json,
    scenario_to_dict,
    scenario_token,
)
from crm_core.segments.config import TierConfig
from crm_core.staff.config import CUSTOMER_CENTRIC, DEPOSIT_SALES
from crm_core.visits.config import WhatIfInputs

DISPLAYABLE = st.characters(
    blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
    blacklist_characters="\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
)
"""Characters a scenario name or note may hold: no control, separator or direction characters, no lone surrogates."""
thresholds = st.lists(st.floats(1e3, 1e9, allow_nan=False), min_size=1, max_size=5, unique=True).map(
    lambda values: tuple(sorted(values))
)
scenarios = st.builds(
    lambda name, note, cuts, basis, kind, months, share, pp, preset: Scenario(
        name=name,
        note=note,
        tiers=TierConfig(thresholds=cuts, labels=tuple(f"tier {i}" for i in range(len(cuts) + 1)), basis=basis),
        churn=ChurnDefinition(kind=kind, inactive_months=months),
        retention=RetentionScenario(retained_share=share),
        visits_what_if=WhatIfInputs(adoption_increase_pp=pp),
        product_benchmark=BenchmarkConfig(kind="bank"),
        staff_weights=preset.weights,
    ),
    st.text(DISPLAYABLE, min_size=1, max_size=40).filter(str.strip),
    st.text(DISPLAYABLE, max_size=80),
    thresholds,
    st.sampled_from(["current", "3m", "6m", "12m"]),
    st.sampled_from(["flag", "inactive", "aum_drop"]),
    st.integers(1, 11),
    st.floats(0, 1, allow_nan=False),
    st.floats(0, 50, allow_nan=False),
    st.sampled_from([DEPOSIT_SALES, CUSTOMER_CENTRIC]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios)
def test_any_valid_scenario_survives_save_and_load(scenario):
    assert scenario_from_json(scenario_json(scenario)) == scenario
    assert scenario_from_token(scenario_token(scenario)) == scenario


def test_presets_and_stamp():
    assert baseline_scenario().staff_weights == DEPOSIT_SALES.weights
    proposed = proposed_scenario().stamped("f" * 64)
    assert proposed.fingerprint == "f" * 64 and proposed.created.endswith("+00:00")
    assert scenario_to_dict(proposed)["version"] == SCENARIO_VERSION


def test_version_1_is_migrated():
    old = {"format": "bank-crm-scenario", "version": 1, "name": "Q3 plan", "tier_thresholds_wan": [5, 60, 600]}
    scenario = scenario_from_json(json.dumps(old))
    assert scenario.tiers.thresholds == (5e4, 6e5, 6e6)
    assert scenario.version == SCENARIO_VERSION and scenario.name == "Q3 plan"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not a JSON file"),
        ("[1, 2]", "one JSON object"),
        ('{"name": "x"}', "not a scenario of this dashboard"),
        ('{"format": "bank-crm-scenario", "version": 99}', "newer release"),
        ('{"format": "bank-crm-scenario", "colour": "red"}', "unknown settings in the scenario: colour"),
        ('{"format": "bank-crm-scenario", "tiers": {"type": "TierConfig", "thresholds": [5, 1]}}', "ascend"),
        ('{"format": "bank-crm-scenario", "tiers": {"type": "ValueConfig"}}', "not a TierConfig"),
        ('{"format": "bank-crm-scenario", "staff_weights": [["aum_growth", 90]]}', "summing to 100"),
        ('{"format": "bank-crm-scenario", "name": " "}', "needs a name"),
    ],
)
def test_corrupt_or_foreign_json_is_refused_with_a_reason(text, message):
    with pytest.raises(ScenarioError, match=message):
        scenario_from_json(text)


def test_damaged_link_is_refused():
    with pytest.raises(ScenarioError, match="damaged"):
        scenario_from_token("not-a-token!")


def test_comparison_reconciles(small_sample):
    from crm_core.dataset import Dataset

    prepared = prepared_dataset(Dataset("s", small_sample.customers, small_sample.activity, small_sample.holdings, "s"))
    a, b = scenario_summary(prepared, baseline_scenario()), scenario_summary(prepared, proposed_scenario())
    comparison = scenario_comparison(prepared, [a, b])
    assert comparison.headline["opportunity_delta"].iloc[0] == 0
    assert comparison.headline["retained_delta"].iloc[1] == pytest.approx(b.retained_aum - a.retained_aum)
    counts, _ = comparison.migrations[b.name]
    assert counts.to_numpy().sum() == int(prepared.customers["is_active"].sum())
    assert a.tiers["customers"].sum() == b.tiers["customers"].sum()
    with pytest.raises(ValueError, match="two to four"):
        scenario_comparison(prepared, [a])


def test_summary_and_plays_read_given_profile_inputs_instead_of_extracting_them(small_sample, monkeypatch):
    from crm_core import playbook, segments
    from crm_core.dataset import Dataset
    from crm_core.loyalty import churn_risk_model

    prepared = prepared_dataset(Dataset("s", small_sample.customers, small_sample.activity, small_sample.holdings, "s"))
    risk = churn_risk_model(prepared)
    scenario = proposed_scenario()
    extracted = scenario_summary(prepared, scenario, risk)
    plays = playbook.segment_playbook(prepared, scenario, churn_risk=risk)
    inputs = segments.profile_inputs(prepared)

    def refuse(*args, **kwargs):
        raise AssertionError("profile inputs extracted again")

    monkeypatch.setattr(segments.profiles, "profile_inputs", refuse)
    given = scenario_summary(prepared, scenario, risk, profile_inputs=inputs)
    pd.testing.assert_frame_equal(given.tiers, extracted.tiers)
    assert (given.opportunity_value, given.at_risk_aum) == (extracted.opportunity_value, extracted.at_risk_aum)
    assert playbook.segment_playbook(prepared, scenario, churn_risk=risk, profile_inputs=inputs) == plays
