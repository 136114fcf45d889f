"""Staff rankings with their uncertainty: shrinkage, fixed-range scores, bootstrap rank ranges, units not ranked."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from crm_core.messages import render
from crm_core.prepare import prepared_dataset
from crm_core.sample import CUSTOMER_CENTRIC_BRANCH, DEPOSIT_PUSH_BRANCH, read_sample
from crm_core.staff import (
    CUSTOMER_CENTRIC,
    DEPOSIT_SALES,
    ScorecardConfig,
    movers_message,
    normalised_values,
    pooled_variance,
    rank_interval_figure,
    rank_intervals,
    rank_movers,
    ranking_table,
    scorecard_from_customers,
    scorecard_weights,
    separation_message,
    shrinkage_factors,
    staff_scorecard,
    unit_sum_replicates,
)
from tests.test_staff_scorecard import AS_OF, LOOSE, bank


def retention_bank(sizes: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Branches of (customers a year ago, of whom closed since); the closed ones are inactive now."""
    rows = []
    for branch, (customers, closed) in sizes.items():
        for i in range(customers):
            lost = i < closed
            rows.append({"branch": branch, "is_active": not lost, "alive_12m_ago": True, "closed_last_12m": lost})
    frame = pd.DataFrame(rows)
    frame["branch"] = frame["branch"].astype("string")
    frame["churned"] = frame["closed_last_12m"]
    return frame


# --- the pure pieces, by hand -----------------------------------------------------------------


def test_shrinkage_keeps_the_share_of_spread_that_is_not_noise():
    # Spread around the bank 0.09, noise 0.03: true spread 0.06, so each unit keeps 2/3 of its difference.
    factors = shrinkage_factors(np.array([0.0, 0.6, np.nan]), np.array([0.03, 0.03, 0.03]), 0.3)
    np.testing.assert_allclose(factors[:2], [2 / 3, 2 / 3])
    assert np.isnan(factors[2])
    # A noisier unit keeps less: τ² = mean(0.09, 0.09) − mean(0.01, 0.05) = 0.06.
    np.testing.assert_allclose(shrinkage_factors(np.array([0.0, 0.6]), np.array([0.01, 0.05]), 0.3), [6 / 7, 6 / 11])
    # Differences no larger than the noise: every unit gets the bank's value.
    assert shrinkage_factors(np.array([0.2, 0.4]), np.array([0.03, 0.03]), 0.3).tolist() == [0.0, 0.0]


def test_pooled_variance_divides_one_per_customer_variance_by_each_units_size():
    replicates = np.array([[0.0, 1.0, 0.5], [1.0, 1.0, 0.5], [0.5, 1.0, 0.5]])
    # Per-customer variances 0.25 × 4 = 1.0, 0 × 1, 0 × 2 → median 0; with a third noisy unit the median moves.
    assert pooled_variance(replicates, np.array([4.0, 1.0, 2.0])).tolist() == [0.0, 0.0, 0.0]
    assert pooled_variance(replicates[:, :2], np.array([4.0, 1.0])).tolist() == [0.125, 0.5]
    assert np.isnan(pooled_variance(replicates[:1], np.array([4.0, 1.0, 2.0]))).all()  # one resample: no variance


def test_bootstrap_resamples_within_units_and_is_seeded():
    columns = np.column_stack([np.ones(7), np.array([1.0, 2.0, 3.0, 5.0, 5.0, 5.0, 9.0])])
    codes = np.array([0, 0, 0, 1, 1, 1, -1])  # the last row has no unit
    saved = columns.copy()
    sums = unit_sum_replicates(columns, codes, 2, 50, seed=3)
    assert sums.shape == (50, 2, 2)
    assert (sums[:, :, 0] == [3.0, 3.0]).all()  # each unit keeps its size in every resample
    assert (sums[:, 1, 1] == 15.0).all()  # identical customers: no noise
    assert set(np.unique(sums[:, 0, 1])) <= set(range(3, 10)) and len(np.unique(sums[:, 0, 1])) > 1
    np.testing.assert_array_equal(sums, unit_sum_replicates(columns, codes, 2, 50, seed=3))
    assert not np.array_equal(sums, unit_sum_replicates(columns, codes, 2, 50, seed=4))
    np.testing.assert_array_equal(columns, saved)


def test_fixed_range_does_not_stretch_a_tiny_spread():
    used = np.array([0.9923, 1.0, 0.9960])
    np.testing.assert_allclose(normalised_values(used, value_range=(0.8, 1.0)), [0.9615, 1.0, 0.98])
    assert normalised_values(used, "percentile").tolist() == [0.0, 1.0, 0.5]  # what percentiles did
    # Lower is better: the range runs from worst (80 complaints per 100) to best (0); beyond it clips.
    assert normalised_values(np.array([20.0, 100.0, np.nan]), value_range=(80.0, 0.0))[:2].tolist() == [0.75, 0.0]
    with pytest.raises(ValueError, match="best must be beyond worst"):
        ScorecardConfig(score_ranges=(("complaints_per_100", 0.0, 80.0),))


def test_counts_are_per_100_customers_so_size_does_not_win():
    small = bank().iloc[[0, 1]].assign(branch="Small")
    big = pd.concat([bank().iloc[[0, 1]]] * 10).assign(branch="Big")  # the same customers, ten times over
    card = scorecard_from_customers(pd.concat([small, big]), AS_OF, "branch", LOOSE)
    assert card.values.loc["Big", "products_sold"] == card.values.loc["Small", "products_sold"] == 50.0
    assert card.values.loc["Big", "new_customers"] == card.values.loc["Small", "new_customers"] == 0.0


# --- shrinkage and ranges on hand-built banks --------------------------------------------------


def test_a_small_unit_is_pulled_toward_the_bank_more_than_a_big_one():
    sizes = {"Big": (400, 80), "Small": (40, 8), "M1": (400, 40), "M2": (400, 36), "M3": (400, 44)}
    card = scorecard_from_customers(retention_bank(sizes), AS_OF, "branch", ScorecardConfig(replicates=200))
    raw, shrunk, bank_value = card.values["retention"], card.shrunk["retention"], card.bank["retention"]
    assert raw["Big"] == raw["Small"] == 0.8
    assert bank_value == pytest.approx(1 - 208 / 1640)
    assert abs(shrunk["Small"] - bank_value) < abs(shrunk["Big"] - bank_value) < abs(raw["Big"] - bank_value)
    assert shrunk["Small"] < bank_value  # pulled toward the bank, not past it
    off = scorecard_from_customers(retention_bank(sizes), AS_OF, "branch", ScorecardConfig(shrinkage=False))
    assert off.shrunk["retention"].tolist() == off.values["retention"].tolist()


def test_rank_ranges_and_what_can_be_told_apart():
    # A keeps every customer; B and C lose 6 of 60: A is first in every resample, B and C trade places.
    card = scorecard_from_customers(retention_bank({"A": (60, 0), "B": (60, 6), "C": (60, 6)}), AS_OF)
    ranks = rank_intervals(card, {"retention": 100})
    assert ranks.rank.tolist() == [1, 2, 3]  # B before C on the data: a tie, broken by name
    assert ranks.low.tolist() == [1.0, 2.0, 2.0] and ranks.high.tolist() == [1.0, 3.0, 3.0]
    assert ranks.median_span == 2.0 and ranks.separable_share == pytest.approx(2 / 3)
    assert render(separation_message(ranks, "branch"), "en") == (
        "A ranks first (range 1–1), clearly ahead of all 2 other branches. "
        "C ranks last (range 2–3): clearly behind 1 branches, but not 1 others. "
        "67% of the pairs of branches can be told apart (their 90% rank ranges do not overlap)."
    )
    assert render(separation_message(ranks, "branch"), "zh").startswith(
        "A排名第一（区间 1–1），明显领先其余全部 2 个网点"
    )
    twins = scorecard_from_customers(retention_bank({"A": (60, 6), "B": (60, 6)}), AS_OF)
    assert render(separation_message(rank_intervals(twins, {"retention": 100}), "branch"), "en") == (
        "A ranks first, but its range (1–2) overlaps those of all 1 other branches: none clearly leads. "
        "0% of the pairs of branches can be told apart (their 90% rank ranges do not overlap)."
    )


def test_units_under_the_minimum_are_not_ranked():
    card = scorecard_from_customers(bank(), AS_OF, "branch", LOOSE)  # C has one active customer (< 2)
    table = ranking_table(card, {"complaints_per_100": 100}, {"aum_growth": 100}).set_index("unit")
    assert table["ranked"].to_dict() == {"A": True, "B": True, "C": False}
    assert table.loc["C", "rank"] == 3 and table.loc["C", "rank_change"] == 0  # best score, still not ranked
    assert table.loc[["A", "B"], "rank"].tolist() == [1, 2]
    assert table.loc["C", ["rank_low", "rank_high", "rank_change_low"]].isna().all()
    assert rank_movers(table.reset_index(), 5).empty
    figure = rank_interval_figure(table.reset_index(), "t", "x")
    assert list(figure.data[0].y) == ["A", "B"]


def test_movers_are_named_only_when_the_move_is_beyond_its_range():
    table = pd.DataFrame(
        {
            "unit": ["a", "b", "c"],
            "rank": [1, 2, 3],
            "baseline_rank": [2, 1, 3],
            "rank_change": [1, -1, 0],
            "rank_change_low": pd.array([-1, -2, 0], dtype="Int64"),
            "rank_change_high": pd.array([2, 1, 0], dtype="Int64"),
        }
    )
    assert render(movers_message(table, "Old", "New"), "en") == (
        "From Old to New: ranks move, but no move is larger than its 90% range."
    )
    table["rank_change_low"] = pd.array([1, -2, 0], dtype="Int64")
    assert render(movers_message(table, "Old", "New"), "en") == "From Old to New: a rises 2→1."
    assert render(movers_message(table, "旧", "新"), "zh") == "从旧到新：a上升 2→1。"


# --- the committed sample ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return prepared_dataset(read_sample())


def test_sample_branch_ranking_says_what_it_can_tell_apart(sample):
    card = staff_scorecard(sample, "branch")
    centric = scorecard_weights(card, CUSTOMER_CENTRIC)
    deposit = scorecard_weights(card, DEPOSIT_SALES)
    table = ranking_table(card, centric, deposit).set_index("unit")
    assert table.index[0] == CUSTOMER_CENTRIC_BRANCH and table.loc[CUSTOMER_CENTRIC_BRANCH, "rank_high"] <= 3
    assert table.index[-1] == DEPOSIT_PUSH_BRANCH and table.loc[DEPOSIT_PUSH_BRANCH, "rank_change_high"] < 0
    ranks = rank_intervals(card, centric)
    assert 2 < ranks.median_span < 15.5  # wide, but narrower than percentiles of raw rates (15.5 of 24)
    assert render(separation_message(ranks, "branch"), "en").startswith(
        f"{CUSTOMER_CENTRIC_BRANCH} ranks first (range 1–"
    )
    # Counts per customer: the deposit & sales score no longer tracks branch size (0.63 with raw counts).
    assert abs(np.corrcoef(rank_intervals(card, deposit).score, card.customers)[0, 1]) < 0.4
    # Tiny differences stay tiny: products used spans 99.2%–100% and scores within 0.05 of each other.
    used = card.matrix[:, card.indicators.index("products_used_share")]
    assert used.max() - used.min() < 0.05


def test_resampling_is_reproducible_and_can_be_switched_off(sample):
    card = staff_scorecard(sample, "branch")
    again = staff_scorecard(sample, "branch")
    np.testing.assert_array_equal(card.replicate_matrix, again.replicate_matrix)
    assert card.replicate_matrix.shape == (200, 24, len(card.indicators))
    none = scorecard_from_customers(sample.customers, sample.as_of, "branch", replace(card.config, replicates=0))
    ranks = rank_intervals(none, scorecard_weights(none, CUSTOMER_CENTRIC))
    assert ranks.low.tolist() == ranks.high.tolist() == ranks.rank.astype(float).tolist()
