"""Staff scores and rankings: exact ranks, deterministic ties, missing indicators, weights that total 100."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_core.messages import render
from crm_core.segments import weight_percentages
from crm_core.staff import (
    DEPOSIT_SALES,
    INDICATORS,
    perspective_scores,
    perspective_weights,
    rank_movers,
    ranking_table,
    rebalanced_weights,
    scorecard_from_customers,
    scorecard_weights,
    selected_units,
    unit_notes,
    unit_ranks,
    unit_scores,
)
from tests.test_staff_scorecard import AS_OF, LOOSE, bank

NAMES = [i.name for i in INDICATORS]


EVERY = replace(LOOSE, min_unit_customers=1)
"""As ``LOOSE`` with every unit ranked (C has one customer)."""


@pytest.fixture
def card():
    return scorecard_from_customers(bank(), AS_OF, "branch", EVERY)


def test_ranking_table_exact(card):
    table = ranking_table(card, {"complaints_per_100": 100}, {"aum_growth": 100})
    nan = np.nan
    expected = pd.DataFrame(
        {
            "unit": pd.array(["C", "A", "B"], dtype="string"),
            "rank": np.array([1, 2, 3], dtype=np.int64),
            "baseline_rank": np.array([2, 1, 3], dtype=np.int64),
            "rank_change": np.array([1, -1, 0], dtype=np.int64),
            "score": [100.0, 50.0, 0.0],
            "baseline_score": [50.0, 100.0, 0.0],
            "financial": [nan, nan, nan],
            "customer": [100.0, 50.0, 0.0],
            "internal_process": [nan, nan, nan],
            "learning_growth": [nan, nan, nan],
            "customers": np.array([1, 2, 2], dtype=np.int64),
            "small_unit": [False, False, False],
            "note": pd.Series([None, None, None], dtype=object),
            "ranked": [True, True, True],
            # Without resamples every range is the rank itself.
            "rank_low": pd.array([1, 2, 3], dtype="Int64"),
            "rank_high": pd.array([1, 2, 3], dtype="Int64"),
            "baseline_rank_low": pd.array([2, 1, 3], dtype="Int64"),
            "baseline_rank_high": pd.array([2, 1, 3], dtype="Int64"),
            "rank_change_low": pd.array([1, -1, 0], dtype="Int64"),
            "rank_change_high": pd.array([1, -1, 0], dtype="Int64"),
        }
    )
    pdt.assert_frame_equal(table, expected)
    assert rank_movers(table, 5)["unit"].tolist() == ["C", "A"]


def test_perspective_scores_exact(card):
    scores = perspective_scores(card, {"aum_growth": 50, "complaints_per_100": 25, "digital_adoption": 25})
    assert scores["financial"].tolist() == [100.0, 0.0, 50.0]
    assert scores["customer"].tolist() == [50.0, 0.0, 100.0]
    assert scores["learning_growth"].tolist() == [25.0, 25.0, 100.0]
    assert scores["internal_process"].isna().all()
    assert perspective_weights({"aum_growth": 50, "complaints_per_100": 25, "digital_adoption": 25}) == {
        "financial": 50.0,
        "customer": 25.0,
        "internal_process": 0.0,
        "learning_growth": 25.0,
    }


def test_ties_broken_by_customers_then_name(card):
    scores = unit_scores(card, {"aum_growth": 50, "complaints_per_100": 50})
    assert scores.tolist() == [75.0, 0.0, 75.0]
    assert unit_ranks(card, scores).tolist() == [1, 3, 2]  # A and C tie: A has 2 customers, C 1
    # Float noise does not split a tie.
    assert unit_ranks(card, np.array([75.0, 0.0, 75.0 + 1e-12])).tolist() == [1, 3, 2]
    twins = pd.concat([bank().iloc[[0, 1]].assign(branch="Y"), bank().iloc[[0, 1]].assign(branch="X")])
    twin_card = scorecard_from_customers(twins, AS_OF, "branch", LOOSE)
    assert twin_card.units == ("X", "Y")
    assert unit_ranks(twin_card, unit_scores(twin_card, {"aum_growth": 100})).tolist() == [1, 2]


def test_missing_indicator_renormalises_and_explains(card):
    weights = {"high_value_growth": 50, "aum_growth": 50}
    assert unit_scores(card, weights).tolist() == [100.0, 0.0, 50.0]
    notes = unit_notes(card, weights)
    assert render(notes[0], "en") == (
        "Too little data for High-value customer growth: score uses the other indicators, weights renormalised."
    )
    assert notes[2] is None
    assert render(notes[0], "zh") == "高价值客户增长数据不足：得分按其余指标重新分配权重计算。"
    only_missing = unit_scores(card, {"high_value_growth": 100})
    assert np.isnan(only_missing[:2]).all() and only_missing[2] == 50.0
    assert unit_ranks(card, only_missing).tolist() == [2, 3, 1]  # unscored units last, by customers then name


def test_scorecard_weights_drop_unavailable_and_total_100(card):
    weights = scorecard_weights(card, DEPOSIT_SALES)
    assert list(weights) == list(card.indicators)
    assert sum(weights.values()) == 100
    assert weights["aum_growth"] == 42 and weights["new_customers"] == 21 and weights["retention"] == 0
    with pytest.raises(ValueError, match="unknown indicators"):
        unit_scores(card, {"sales_volume": 10})


def test_weight_change_only_reweights_the_matrix(card):
    matrix, present = card.matrix.copy(), card.present.copy()
    weights = {"aum_growth": 30, "retention": 70}
    saved = dict(weights)
    ranking_table(card, weights, DEPOSIT_SALES.weight_map)
    np.testing.assert_array_equal(card.matrix, matrix)
    np.testing.assert_array_equal(card.present, present)
    assert weights == saved


def test_selected_units_prefers_always_then_movers(card):
    table = ranking_table(card, {"complaints_per_100": 100}, {"aum_growth": 100})
    assert selected_units(table, limit=2, always=["B"]) == ["B", "C"]


def test_rebalanced_weights_example():
    assert rebalanced_weights({"aum_growth": 50, "retention": 30, "satisfaction": 20}, "aum_growth", 70) == {
        "aum_growth": 70,
        "retention": 18,
        "satisfaction": 12,
    }
    assert rebalanced_weights({"aum_growth": 100, "retention": 0}, "aum_growth", 40) == {
        "aum_growth": 40,
        "retention": 60,
    }


@settings(max_examples=200, deadline=None)
@given(
    start=st.dictionaries(st.sampled_from(NAMES), st.integers(0, 100), min_size=2, max_size=len(NAMES)),
    moves=st.lists(st.tuples(st.integers(0, 50), st.integers(-20, 130)), min_size=1, max_size=8),
)
def test_weights_always_total_100_after_any_slider_change(start, moves):
    weights = weight_percentages(start)
    assert sum(weights.values()) == 100
    for which, value in moves:
        changed = list(weights)[which % len(weights)]
        weights = rebalanced_weights(weights, changed, value)
        assert sum(weights.values()) == 100
        assert all(0 <= w <= 100 for w in weights.values())
        assert weights[changed] == min(max(value, 0), 100)
