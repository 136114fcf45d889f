"""Executive findings: planted answers on hand-built banks, the stated ranking rule, the committed sample."""
# ruff: noqa: E501  (the sample's expected sentences are whole lines)

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_core import loyalty, visits
from crm_core.dataset import Dataset
from crm_core.messages import Message, render
from crm_core.playbook import (
    FINDING_KEYS,
    VIEWS,
    Finding,
    Findings,
    FindingsConfig,
    executive_findings,
    finding_names,
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


def shown(findings: Findings, prepared, scenario, lang: str = "en") -> Findings:
    """The findings named in ``lang`` (branches, tiers, products), as every edge shows them."""
    return findings.named(finding_names(prepared, scenario, lang))


def said(message: Message | None, lang: str = "en") -> str:
    return "" if message is None else render(message, lang)


@pytest.fixture(scope="module")
def planted():
    return prepared_dataset(planted_bank())


def test_planted_biggest_gap_comes_first(planted):
    # Affluent wealth management: 0% against 100% in high net worth → 100 customers. Each can bring at most
    # their own ¥10万 (not the product's typical ¥20万), half of it new money: ¥10万 × 0.6% × 50% = ¥300 a year
    # → ¥30,000. Mass funds: 10% against 20% → 20 customers × ¥1万 × 0.8% × 50% = ¥800. The planted bank
    # has no risk levels (suitability unchecked) and no closures: no churn model, so concentration is not
    # money at stake and is left out.
    findings = shown(executive_findings(planted, SCENARIO), planted, SCENARIO)
    first = findings[0]
    assert (first.key, first.view, first.value, first.materiality) == ("product_gap", "products", 30_000.0, 30_000.0)
    sentence = said(first.sentence)
    assert "wealth management" in sentence and "affluent" in sentence and "¥30K" in sentence
    assert [f.key for f in findings] == ["product_gap"]
    assert "concentration" in {f.key for f in findings.skipped}


def test_planted_gap_moves_with_the_data():
    # Half the affluent now hold wealth management: the affluent gap to high net worth is 50 customers × ¥300
    # = ¥15,000, more than the mass gap to the affluent (100 customers × ¥1万 × 0.6% × 50% = ¥3,000).
    prepared = prepared_dataset(planted_bank(wealth_affluent=50, funds_mass=0))
    product = next(
        f for f in shown(executive_findings(prepared, SCENARIO), prepared, SCENARIO) if f.key == "product_gap"
    )
    assert product.value == 15_000.0 and "affluent tier" in said(product.sentence)
    # Offering funds only: mass 0% against affluent 20% → 40 customers × ¥1万 × 0.8% × 50% = ¥1,600.
    only_funds = Scenario(product_benchmark=BenchmarkConfig("next_tier"), offered_products=("funds",))
    product = next(
        f for f in shown(executive_findings(prepared, only_funds), prepared, SCENARIO) if f.key == "product_gap"
    )
    sentence = said(product.sentence)
    assert product.value == pytest.approx(1_600.0) and "funds" in sentence and "mass" in sentence


def test_no_activity_means_no_visit_finding_and_says_why(planted):
    findings = executive_findings(planted, SCENARIO)
    assert all(f.view != "visits" for f in findings.ranked)
    skipped = {f.key: f for f in findings.skipped}
    assert {"counter_decline", "silent_attrition"} <= set(skipped)
    for key in ("counter_decline", "silent_attrition"):
        assert not skipped[key].available and "transaction" in said(skipped[key].reason)
    assert "交易活动表" in said(skipped["counter_decline"].reason, "zh")
    assert {"churn_loss", "staff_shift", "at_risk_affluent"} <= set(skipped)


def test_chinese_sentences_use_wan(planted):
    first = shown(executive_findings(planted, SCENARIO), planted, SCENARIO, "zh")[0]
    assert "理财" in said(first.sentence, "zh") and "¥3万" in said(first.sentence, "zh") and said(first.rule, "zh")


def test_inputs_are_not_mutated(planted):
    before = planted.customers.copy()
    executive_findings(planted, SCENARIO)
    pd.testing.assert_frame_equal(planted.customers, before)


def _finding(key: str, materiality: float) -> Finding:
    return Finding(key, "overview", Message(key), 1.0, "money", materiality, Message("rule"))


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
    gone = Finding("churn_loss", "overview", None, math.nan, "", 0.0, None, False, Message("no dates"))
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
    assert "not money at stake" in said(shift.reason) and "staff_shift" not in {f.key for f in proposed.ranked}
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
    finding = next(f for f in shown(executive_findings(prepared, Scenario(), churn_risk=risk, top=7), prepared,
                                     Scenario()).ranked if f.key == "counter_decline")  # fmt: skip
    assert steepest["group"] in said(finding.sentence) and finding.value == steepest["annual_change"]
    assert render(visits.steepest_message(falling), "en") in said(finding.sentence)
    expected = (leaders["counter_12m"] * -leaders["annual_change"]).sum() * 15.0
    assert finding.materiality == pytest.approx(expected)


# Each finding's sentence and rule on the committed sample as they read before the findings became
# messages (captured from the f-string version): the messages render them word for word, except that the
# Chinese now says AUM, active customers and tellers the glossary's way (金融资产, 有效客户, 柜员 where it
# said 资产, 存续客户, 柜面产能).
SAMPLE_SENTENCES = {
    "en": [
        (
            "product_gap",
            "The largest product gap is credit card in the mass tier: 1,273 customers short of the benchmark (Hangzhou Binjiang), worth ¥763.8K a year.",
            "Customers short of the benchmark × value per customer a year (the scenario's benchmark and sizing economics); the largest gap among the offered products.",
        ),
        (
            "churn_loss",
            "Of the customers on the books a year earlier, 1,643 closed in the last 12 months (a churn rate of 11.0%), taking ¥45.2M of AUM, ¥452K of margin a year.",
            "AUM a year ago of the customers on the books a year earlier who closed in the last 12 months × AUM margin 1% a year (scenario CLV).",
        ),
        (
            "concentration",
            "The top 2% of customers (292) hold 62.6% of AUM (¥905.9M); at their churn probabilities the expected loss is ¥450.9K of margin a year.",
            "Σ churn probability × AUM of the top 2% of active customers × AUM margin 1% a year (scenario CLV) (an expected value).",
        ),
        (
            "counter_decline",
            "Ningbo Yuyao, Shaoxing Shengzhou, Ningbo Cixi and 9 others decline fastest (-26.0% to -19.1% a year); all 12 intervals overlap the first one's, so none can be named the steepest. About 5,579 of their 25,518 counter transactions a year leave, ¥83.69K of teller capacity a year at ¥15 each.",
            "Counter transactions of the last 12 months of the fastest-declining branches (every branch whose interval overlaps the steepest) × their fitted decline a year × ¥15 per counter transaction (FindingsConfig).",
        ),
        (
            "silent_attrition",
            "249 customers are leaving silently (fewer counter visits, no digital uptake, AUM down over 10%); they still hold ¥24.66M; at their churn probabilities the expected loss is ¥26.27K of margin a year.",
            "Σ churn probability × current AUM of the active customers matching the silent-attrition rule × AUM margin 1% a year (scenario CLV) (an expected value).",
        ),
    ],
    "zh": [
        (
            "product_gap",
            "最大的产品缺口是大众客户的信用卡：距基准（杭州滨江支行）差1,273名客户，每年价值¥76.38万。",
            "距基准客户数 × 每位客户年价值（情景的基准与产品测算设定），在售产品中取最大缺口。",
        ),
        (
            "churn_loss",
            "一年前在册的客户中，近12个月有1,643名销户（流失率11.0%），带走金融资产¥4,520万，每年收益¥45.2万。",
            "一年前在册、近12个月销户的客户一年前的金融资产 × 金融资产年收益率 1%（情景客户价值设定）。",
        ),
        (
            "concentration",
            "前2%的客户（292名）持有62.6%的金融资产（¥9.06亿）；按各自的流失概率，预计每年损失收益¥45.09万。",
            "金融资产最高的前2%有效客户的 Σ 流失概率 × 金融资产 × 金融资产年收益率 1%（情景客户价值设定）（期望值）。",
        ),
        (
            "counter_decline",
            "宁波余姚支行、绍兴嵊州支行、宁波慈溪支行等12个下降最快（每年-26.0%至-19.1%），另有9个未列出；这12个置信区间都与第一名的重叠，无法认定哪一个下降最快。这些网点近12个月25,518笔柜面交易中约5,579笔将流出，按每笔¥15计，每年涉及¥8.37万的柜员产能。",
            "下降最快的网点（区间与最快者重叠的都算）近12个月柜面交易量 × 各自拟合的年下降率 × 每笔柜面交易成本¥15（可配置）。",
        ),
        (
            "silent_attrition",
            "249名客户正在静默流失（柜面到访减少、未转线上、金融资产下降超过10%），仍持有金融资产¥2,466万；按各自的流失概率，预计每年损失收益¥2.63万。",
            "符合静默流失规则的有效客户的 Σ 流失概率 × 当前金融资产 × 金融资产年收益率 1%（情景客户价值设定）（期望值）。",
        ),
    ],
}
SAMPLE_SKIPPED = {
    "en": [
        ("staff_shift", "The scenario's staff weights equal its baseline (Deposit & sales oriented): no ranking shift.")
    ],
    "zh": [("staff_shift", "情景的考核权重与基准（存款与销售导向）相同，排名没有变化。")],
}


def test_committed_sample_findings_read_as_before_in_both_languages():
    prepared = prepared_dataset(read_sample())
    findings = executive_findings(prepared, Scenario())  # one computation, no language
    assert len(findings) == 5
    for finding in findings:
        assert finding.available and finding.view in VIEWS and math.isfinite(finding.value)
    materiality = [f.materiality for f in findings]
    assert materiality == sorted(materiality, reverse=True) and materiality[-1] > 0
    for lang in ("en", "zh"):
        named = shown(findings, prepared, Scenario(), lang)
        assert [(f.key, said(f.sentence, lang), said(f.rule, lang)) for f in named] == SAMPLE_SENTENCES[lang]
        assert [(f.key, said(f.reason, lang)) for f in named.skipped] == SAMPLE_SKIPPED[lang]
    # the decision a finding asks for names its subject in the reader's language
    gap = shown(findings, prepared, Scenario(), "zh")[0]
    assert render(Message("report_decision_product_gap", **dict(gap.subject)), "zh").startswith(
        "批准面向大众客户的信用卡"
    )
