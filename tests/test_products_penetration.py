"""Penetration, index, gaps, sizing and co-holding on a hand-built six-customer bank."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_core.messages import render
from crm_core.products import (
    BenchmarkConfig,
    ProductEconomics,
    SizingConfig,
    bank_penetration,
    co_holding,
    co_holding_messages,
    cross_sell_ratios,
    customer_offers,
    holding_matrix_of,
    lift_matrix,
    opportunity_message,
    opportunity_sizing,
    opportunity_totals,
    penetration_gaps,
    penetration_index,
    product_penetration,
    products_per_customer_distribution,
    segment_holdings,
    top_opportunities,
)
from crm_core.products.penetration import MAX_PACKED_PRODUCTS

PRODUCTS = ("a", "b", "c")
LABELS = ("low", "high")
# c0..c5: holdings, segment code, branch; c4 is active but unassigned, c5 is closed.
HELD = np.array(
    [[1, 1, 0], [1, 0, 0], [0, 1, 1], [1, 1, 1], [0, 0, 0], [1, 0, 1]],
    dtype=bool,
)
CODES = np.array([0, 0, 1, 1, -1, 0], dtype=np.int8)
ACTIVE = np.array([True, True, True, True, True, False])
BRANCHES = ["N", "S", "N", "S", "N", "N"]


def tiny_holdings():
    return holding_matrix_of(HELD, PRODUCTS, ACTIVE, BRANCHES)


def expected_frame(values, index=LABELS, columns=PRODUCTS) -> pd.DataFrame:
    frame = pd.DataFrame(values, index=pd.Index(list(index), name="group"), columns=list(columns), dtype=float)
    frame.columns.name = "product"
    return frame


@pytest.fixture
def segments():
    return segment_holdings(tiny_holdings(), CODES, LABELS)


def test_penetration_is_share_of_active_customers(segments):
    expected = expected_frame([[1.0, 0.5, 0.0], [0.5, 1.0, 1.0], [0.6, 0.6, 0.4]], index=[*LABELS, "bank"])
    pd.testing.assert_frame_equal(product_penetration(segments, bank_label="bank"), expected)
    assert bank_penetration(segments).to_dict() == {"a": 0.6, "b": 0.6, "c": 0.4}


def test_penetration_index_against_bank_average(segments):
    expected = expected_frame([[100 / 0.6, 50 / 0.6, 0.0], [50 / 0.6, 100 / 0.6, 250.0]])
    pd.testing.assert_frame_equal(penetration_index(segments), expected)


def test_products_per_customer_distribution_and_cross_sell(segments):
    counts = products_per_customer_distribution(segments, shares=False, bank_label="bank")
    expected = pd.DataFrame(
        [[0, 1, 1, 0], [0, 0, 1, 1], [1, 1, 2, 1]], index=pd.Index(["low", "high", "bank"], name="group")
    )
    expected.columns.name = "products_held"
    pd.testing.assert_frame_equal(counts, expected)
    ratios = cross_sell_ratios(segments, target=2.0)
    expected_ratios = pd.DataFrame(
        {
            "group": ["low", "high"],
            "customers": np.array([2, 2], dtype=np.int64),
            "products": np.array([3, 5], dtype=np.int64),
            "products_per_customer": [1.5, 2.5],
            "target": [2.0, 2.0],
            "gap": [0.5, -0.5],
            "meets_target": [False, True],
            "products_needed": np.array([1, 0], dtype=np.int64),
        }
    )
    pd.testing.assert_frame_equal(ratios, expected_ratios)


def test_unpacked_path_matches_packed_path():
    rng = np.random.default_rng(3)
    held = rng.random((500, MAX_PACKED_PRODUCTS + 2)) < 0.3
    names = [f"p{i}" for i in range(held.shape[1])]
    codes = rng.integers(-1, 4, 500)
    active = rng.random(500) < 0.9
    wide = segment_holdings(holding_matrix_of(held, names, active), codes, list("wxyz"))
    narrow = segment_holdings(holding_matrix_of(held[:, :5], names[:5], active), codes, list("wxyz"))
    assert holding_matrix_of(held, names).combination is None
    assert wide.holders[:, :5].tolist() == narrow.holders.tolist()
    valid = active & (codes >= 0)
    assert wide.holders.tolist() == [held[valid & (codes == g)].sum(axis=0).tolist() for g in range(4)]
    assert wide.distribution.sum() == valid.sum()


def gap_frame(penetration, benchmark, source, gap_customers, holders=(2, 1, 0, 1, 2, 2)) -> pd.DataFrame:
    penetration, benchmark = np.array(penetration, float), np.array(benchmark, float)
    return pd.DataFrame(
        {
            "group": ["low"] * 3 + ["high"] * 3,
            "product": list(PRODUCTS) * 2,
            "customers": np.full(6, 2, dtype=np.int64),
            "holders": np.array(holders, dtype=np.int64),
            "penetration": penetration,
            "benchmark": benchmark,
            "benchmark_source": source,
            "gap_points": benchmark - penetration,
            "gap_customers": np.array(gap_customers, dtype=np.int64),
        }
    )


SHARES = [1.0, 0.5, 0.0, 0.5, 1.0, 1.0]


def test_gap_against_bank_average():
    gaps = penetration_gaps(tiny_holdings(), CODES, LABELS, BenchmarkConfig("bank"))
    expected = gap_frame(SHARES, [0.6, 0.6, 0.4] * 2, ["bank"] * 6, [0, 0, 1, 0, 0, 0])
    pd.testing.assert_frame_equal(gaps, expected)


def test_gap_against_next_tier():
    gaps = penetration_gaps(tiny_holdings(), CODES, LABELS, BenchmarkConfig("next_tier"))
    nan = np.nan
    expected = gap_frame(SHARES, [0.5, 1.0, 1.0, nan, nan, nan], ["high"] * 3 + [""] * 3, [0, 1, 2, 0, 0, 0])
    pd.testing.assert_frame_equal(gaps, expected)


def test_gap_against_best_branch_respects_minimum_size():
    gaps = penetration_gaps(tiny_holdings(), CODES, LABELS, BenchmarkConfig("best_branch", min_branch_customers=1))
    expected = gap_frame(SHARES, [1, 1, 0, 1, 1, 1], ["N", "N", "N", "S", "N", "N"], [0, 1, 0, 1, 0, 0])
    pd.testing.assert_frame_equal(gaps, expected)
    none = penetration_gaps(tiny_holdings(), CODES, LABELS, BenchmarkConfig("best_branch", min_branch_customers=2))
    assert none["benchmark"].isna().all() and (none["benchmark_source"] == "").all()
    assert (none["gap_customers"] == 0).all()


def test_gap_against_typed_targets():
    config = BenchmarkConfig("targets", targets=(("a", 0.8),))
    gaps = penetration_gaps(tiny_holdings(), CODES, LABELS, config)
    nan = np.nan
    expected = gap_frame(SHARES, [0.8, nan, nan] * 2, ["target", "", ""] * 2, [0, 0, 0, 1, 0, 0])
    pd.testing.assert_frame_equal(gaps, expected)


SIZING = SizingConfig(
    (
        ProductEconomics("a", 0.1, "fee", annual_fee=100),
        ProductEconomics("b", 0.5, "balance", average_balance=1000, margin=0.01),
        ProductEconomics("*", 0.2, "fee", annual_fee=50),
    )
)


AUM = np.array([5_000, 400, 100_000, 0, 1_000, 9_000], dtype=float)
# c1 is not suitable for c (its risk level is below c's minimum); everyone else is suitable for everything.
SUITABLE = np.ones((6, 3), dtype=bool)
SUITABLE[1, 2] = False


def tiny_sizing():
    offers = customer_offers(HELD, ACTIVE, SUITABLE, AUM, PRODUCTS, PRODUCTS, SIZING)
    return offers, opportunity_sizing(penetration_gaps(tiny_holdings(), CODES, LABELS), offers, CODES, SIZING)


def test_customer_offers_count_suitable_affordable_non_holders_once():
    offers, _ = tiny_sizing()
    # b is a balance product from the customer's money: min(¥1,000, AUM) × 1% × (1 − 0.5 cannibalised)
    assert offers.net_value[:, 1].tolist() == [5.0, 2.0, 5.0, 0.0, 5.0, 5.0]
    assert offers.eligible.tolist() == [
        [False, False, True],  # c0 lacks only c
        [False, True, False],  # c1 lacks b and c, but c is unsuitable
        [True, False, False],  # c2 lacks a
        [False, False, False],  # c3 holds everything
        [True, True, True],  # c4 lacks everything (unassigned to a group)
        [False, False, False],  # c5 is closed
    ]
    assert offers.best.tolist() == [2, 1, 0, -1, 0, -1]
    assert offers.expected.tolist() == pytest.approx([10.0, 1.0, 10.0, 0.0, 10.0, 0.0])


def test_opportunity_sizing_exact():
    gaps = penetration_gaps(tiny_holdings(), CODES, LABELS)
    before = gaps.copy()
    offers, _ = tiny_sizing()
    sizing = opportunity_sizing(gaps, offers, CODES, SIZING)
    pd.testing.assert_frame_equal(gaps, before)
    expected = pd.DataFrame(
        {
            "group": ["low"] * 3 + ["high"] * 3,
            "product": list(PRODUCTS) * 2,
            "customers": np.full(6, 2, dtype=np.int64),
            "lacking": np.array([0, 1, 2, 1, 0, 0], dtype=np.int64),
            "eligible": np.array([0, 1, 1, 1, 0, 0], dtype=np.int64),
            "conversion_rate": [0.1, 0.5, 0.2] * 2,
            "value_per_customer": [0.0, 2.0, 50.0, 100.0, 0.0, 0.0],
            "assigned": np.array([0, 1, 1, 1, 0, 0], dtype=np.int64),
            "expected_conversions": [0.0, 0.5, 0.2, 0.1, 0.0, 0.0],
            "opportunity_value": [0.0, 1.0, 10.0, 10.0, 0.0, 0.0],
            "gap_customers": np.array([0, 0, 1, 0, 0, 0], dtype=np.int64),
            "gap_value": [0.0, 0.0, 50.0, 0.0, 0.0, 0.0],
        }
    )
    pd.testing.assert_frame_equal(sizing, expected)
    # each customer once: three customers in the groups have an offer, c4 (no group) is left out
    assert opportunity_totals(sizing)["assigned"] == 3
    assert opportunity_totals(sizing)["opportunity_value"] == pytest.approx(21.0)
    ranked = top_opportunities(sizing, n=2)
    assert ranked[["rank", "group", "product", "opportunity_value"]].values.tolist() == [
        [1, "high", "a", 10.0],
        [2, "low", "c", 10.0],
    ]


def test_gap_customers_never_exceed_the_customers_who_can_take_the_product():
    everyone_unsuitable = np.zeros((6, 3), dtype=bool)
    offers = customer_offers(HELD, ACTIVE, everyone_unsuitable, AUM, PRODUCTS, PRODUCTS, SIZING)
    sizing = opportunity_sizing(penetration_gaps(tiny_holdings(), CODES, LABELS), offers, CODES, SIZING)
    assert sizing["gap_customers"].sum() == 0 and sizing["gap_value"].sum() == 0
    assert sizing["opportunity_value"].sum() == 0


def test_a_balance_from_savings_is_capped_at_the_customers_aum_and_lending_is_not():
    sizing = SizingConfig(
        (
            ProductEconomics("wm", 1.0, "balance", 200_000, 0.01),
            ProductEconomics("loan", 1.0, "balance", 100_000, 0.03, from_assets=False),
        ),
        cannibalisation_share=0.25,
    )
    offers = customer_offers(
        np.zeros((1, 2), bool), np.array([True]), np.ones((1, 2), bool), np.array([10_000.0]), ("wm", "loan"),
        ("wm", "loan"), sizing,
    )  # fmt: skip
    assert offers.net_value.tolist() == [[10_000 * 0.01 * 0.75, 3_000.0]]
    assert offers.best.tolist() == [1]


def test_headlines_in_both_languages():
    _, sizing = tiny_sizing()
    assert render(opportunity_message(sizing, closure=1.0), "en") == (
        "Closing the whole c gap in the low segment (about 1 customers) is worth about ¥50 a year."
    )
    zh = render(opportunity_message(sizing, closure=1.0), "zh")
    assert zh == "在low中补上全部的c缺口（约1名客户），每年价值约¥50。"
    no_gap = sizing.assign(gap_value=0.0)
    assert render(opportunity_message(no_gap), "en") == (
        "The biggest opportunity is c in the low segment: the best offer for 1 suitable customers; "
        "at 20.0% conversion that is worth about ¥10 a year."
    )
    assert render(opportunity_message(no_gap), "zh").startswith("最大的机会：low中c是1名适合客户的首选推荐")


def test_wealth_management_default_value_is_documented_example():
    economics = SizingConfig().economics_of("wealth_management")
    assert (economics.conversion_rate, economics.annual_value) == (0.08, 1200.0)
    with pytest.raises(ValueError, match="conversion rate"):
        ProductEconomics("x", 1.5)
    with pytest.raises(ValueError, match="benchmark"):
        BenchmarkConfig("best_friend")


def test_co_holding_lift_exact_on_tiny_matrix():
    held = np.array([[1, 1], [1, 0], [0, 1], [1, 1], [1, 1]], dtype=bool)
    active = np.array([True, True, True, True, False])
    pairs = co_holding(holding_matrix_of(held, ["x", "y"], active))
    expected = pd.DataFrame(
        {
            "antecedent": ["x", "y"],
            "consequent": ["y", "x"],
            "customers_both": np.array([2, 2], dtype=np.int64),
            "support": [0.5, 0.5],
            "confidence": [2 / 3, 2 / 3],
            "consequent_share": [0.75, 0.75],
            "lift": [8 / 9, 8 / 9],
        }
    )
    pd.testing.assert_frame_equal(pairs, expected)
    assert lift_matrix(pairs).loc["x", "y"] == pytest.approx(8 / 9)
    assert np.isnan(lift_matrix(pairs).loc["x", "x"])


def test_co_holding_sentences_name_the_stronger_path_once():
    held = np.array([[1, 1, 0]] * 3 + [[0, 0, 1]] * 3 + [[0, 1, 0]] * 2, dtype=bool)
    pairs = co_holding(holding_matrix_of(held, ["payroll_service", "credit_card", "funds"]))
    assert [render(m, "en") for m in co_holding_messages(pairs, min_support=0.1)] == [
        "Customers with payroll service hold credit card 1.6x as often as the average customer (100.0% vs 62.5%)."
    ]
    assert [render(m, "zh") for m in co_holding_messages(pairs, min_support=0.1)] == [
        "持有代发工资的客户持有信用卡的比例是平均水平的1.6倍（100.0% 对 62.5%）。"
    ]


def test_segment_holdings_does_not_mutate_inputs():
    holdings = tiny_holdings()
    codes, held = CODES.copy(), holdings.held.copy()
    segment_holdings(holdings, codes, LABELS)
    penetration_gaps(holdings, codes, LABELS, BenchmarkConfig("best_branch", min_branch_customers=1))
    assert np.array_equal(codes, CODES) and np.array_equal(holdings.held, held)
