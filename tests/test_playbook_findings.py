"""Executive findings: planted answers on hand-built banks, the stated ranking rule, the committed sample."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_core import loyalty, visits
from crm_core.dataset import Dataset
from crm_core.playbook import (
    FINDING_KEYS,
    VIEWS,
    Finding,
    FindingsConfig,
    executive_findings,
    ranked_findings,
)
from crm_core.prepare import prepared_dataset
from crm_core.products import BenchmarkConfig
from crm_core.sample import read_sample
from crm_core.scenarios import Scenario, proposed_scenario


def planted_bank(wealth_affluent: int = 0, funds_mass: int = 20) -> Dataset:
    """350 customers, no activity, no closures: 200 mass (¥1万), 100 affluent (¥10万), 50 high net worth (¥100万).

    Wealth management: nobody in mass, ``wealth_affluent`` affluent, every high-net-worth customer.
    Funds: ``funds_mass`` mass, 20 affluent, 10 high-net-worth customers.
    """
    tiers = np.repeat([0, 1, 2], [200, 100, 50])
    aum = np.array([1e4, 1e5, 1e6])[tiers]
    wealth = np.zeros(350, bool)
    wealth[200 : 200 + wealth_affluent] = True
    wealth[300:] = True
    funds = np.zeros(350, bool)
    funds[:funds_mass] = True
    funds[200:220] = True
    funds[300:310] = True
    customers = pd.DataFrame(
        {
            "customer_id": pd.array([f"C{i:03d}" for i in range(350)], dtype="string"),
            "aum": aum,
            "has_wealth_management": wealth,
            "has_funds": funds,
        }
    )
    return Dataset("planted", customers, None, None, "planted")


SCENARIO = Scenario(product_benchmark=BenchmarkConfig("next_tier"), offered_products=("wealth_management", "funds"))


@pytest.fixture(scope="module")
def planted():
    return prepared_dataset(planted_bank())


def test_planted_biggest_gap_comes_first(planted):
    # Affluent wealth management: 0% against 100% in high net worth → 100 customers. Each can bring at most
    # their own ¥10万 (not the product's typical ¥20万), half of it new money: ¥10万 × 0.6% × 50% = ¥300 a year
    # → ¥30,000. Mass funds: 10% against 20% → 20 customers × ¥1万 × 0.8% × 50% = ¥800. The planted bank
    # has no risk levels (suitability unchecked) and no closures: no churn model, so concentration is not
    # money at stake and is left out.
    findings = executive_findings(planted, SCENARIO)
    first = findings[0]
    assert (first.key, first.view, first.value, first.materiality) == ("product_gap", "products", 30_000.0, 30_000.0)
    assert "wealth management" in first.sentence and "affluent" in first.sentence and "¥30K" in first.sentence
    assert [f.key for f in findings] == ["product_gap"]
    assert "concentration" in {f.key for f in findings.skipped}


def test_planted_gap_moves_with_the_data():
    # Half the affluent now hold wealth management: the affluent gap to high net worth is 50 customers × ¥300
    # = ¥15,000, more than the mass gap to the affluent (100 customers × ¥1万 × 0.6% × 50% = ¥3,000).
    prepared = prepared_dataset(planted_bank(wealth_affluent=50, funds_mass=0))
    product = next(f for f in executive_findings(prepared, SCENARIO) if f.key == "product_gap")
    assert product.value == 15_000.0 and "affluent tier" in product.sentence
    # Offering funds only: mass 0% against affluent 20% → 40 customers × ¥1万 × 0.8% × 50% = ¥1,600.
    only_funds = Scenario(product_benchmark=BenchmarkConfig("next_tier"), offered_products=("funds",))
    product = next(f for f in executive_findings(prepared, only_funds) if f.key == "product_gap")
    assert product.value == pytest.approx(1_600.0) and "funds" in product.sentence and "mass" in product.sentence


def test_no_activity_means_no_visit_finding_and_says_why(planted):
    findings = executive_findings(planted, SCENARIO)
    assert all(f.view != "visits" for f in findings.ranked)
    skipped = {f.key: f for f in findings.skipped}
    assert {"counter_decline", "silent_attrition"} <= set(skipped)
    for key in ("counter_decline", "silent_attrition"):
        assert not skipped[key].available and "transaction" in skipped[key].reason
    skipped_zh = {f.key: f for f in executive_findings(planted, SCENARIO, "zh").skipped}
    assert "交易活动表" in skipped_zh["counter_decline"].reason
    assert {"churn_loss", "staff_shift", "at_risk_affluent"} <= set(skipped)


def test_chinese_sentences_use_wan(planted):
    first = executive_findings(planted, SCENARIO, "zh")[0]
    assert "理财" in first.sentence and "¥3万" in first.sentence and first.rule


def test_inputs_are_not_mutated(planted):
    before = planted.customers.copy()
    executive_findings(planted, SCENARIO)
    pd.testing.assert_frame_equal(planted.customers, before)


def _finding(key: str, materiality: float) -> Finding:
    return Finding(key, "overview", key, 1.0, "money", "1", materiality, "rule")


@given(st.lists(st.floats(0, 1e9), min_size=len(FINDING_KEYS), max_size=len(FINDING_KEYS)), st.integers(0, 6),
       st.floats(0, 1e9))  # fmt: skip
def test_ranking_by_materiality_is_monotone(amounts, which, raise_by):
    candidates = [_finding(key, amount) for key, amount in zip(FINDING_KEYS, amounts, strict=True)]
    ranked = ranked_findings(candidates)
    assert [f.materiality for f in ranked] == sorted(amounts, reverse=True)
    raised = list(candidates)
    raised[which] = _finding(FINDING_KEYS[which], amounts[which] + raise_by)
    before = [f.key for f in ranked].index(FINDING_KEYS[which])
    after = [f.key for f in ranked_findings(raised)].index(FINDING_KEYS[which])
    assert after <= before


def test_unavailable_findings_are_never_ranked():
    gone = Finding("churn_loss", "overview", "", math.nan, "", "n/a", 0.0, "", False, "no dates")
    assert ranked_findings([gone, _finding("concentration", 1.0)]) == (_finding("concentration", 1.0),)


@pytest.fixture(scope="module")
def small(small_sample):
    prepared = prepared_dataset(Dataset("s", small_sample.customers, small_sample.activity, small_sample.holdings, "s"))
    return prepared, loyalty.churn_risk_model(prepared)


def test_findings_follow_the_scenario(small):
    prepared, risk = small
    baseline = executive_findings(prepared, Scenario(), churn_risk=risk, top=7)
    proposed = executive_findings(prepared, proposed_scenario(), churn_risk=risk, top=7)
    # A change of staff weights moves ranks but puts no money at stake: never ranked as money (issue 18).
    assert "staff_shift" in {f.key for f in baseline.skipped}
    shift = next(f for f in proposed.skipped if f.key == "staff_shift")
    assert "not money at stake" in shift.reason and "staff_shift" not in {f.key for f in proposed.ranked}
    dearer = executive_findings(prepared, Scenario(), churn_risk=risk, top=7,
                                config=FindingsConfig(cost_per_counter_transaction=30.0))  # fmt: skip
    cheap = next(f for f in baseline.ranked if f.key == "counter_decline")
    dear = next(f for f in dearer.ranked if f.key == "counter_decline")
    assert dear.materiality == pytest.approx(2 * cheap.materiality) and cheap.value < 0


def test_counter_finding_prices_the_steepest_branch(small):
    prepared, risk = small
    table, _ = visits.branch_declines(visits.visit_cube(prepared))
    falling = table[(table["status"] == visits.OK) & (table["annual_change"] < 0)]
    leaders = falling[visits.among_steepest(falling)]  # every branch whose interval overlaps the steepest
    steepest = table[table["rank"] == 1].iloc[0]
    finding = next(f for f in executive_findings(prepared, Scenario(), churn_risk=risk, top=7).ranked
                   if f.key == "counter_decline")  # fmt: skip
    assert steepest["group"] in finding.sentence and finding.value == steepest["annual_change"]
    assert visits.steepest_sentence(falling) in finding.sentence
    expected = (leaders["counter_12m"] * -leaders["annual_change"]).sum() * 15.0
    assert finding.materiality == pytest.approx(expected)


def test_committed_sample_has_five_findings_with_number_and_view():
    prepared = prepared_dataset(read_sample())
    findings = executive_findings(prepared, Scenario(), "zh")
    assert len(findings) == 5
    for finding in findings:
        assert finding.available and finding.view in VIEWS and math.isfinite(finding.value)
        assert finding.value_text in finding.sentence and finding.sentence.endswith("。") and finding.rule
    materiality = [f.materiality for f in findings]
    assert materiality == sorted(materiality, reverse=True) and materiality[-1] > 0
