"""Group profiles, concentration curve and drill-down, worked out by hand on the tiny bank."""

import math

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from crm_core.dataset import Dataset
from crm_core.prepare import prepared_dataset
from crm_core.segments import (
    PROFILE_COLUMNS,
    TierConfig,
    aum_tiers,
    bank_profile,
    concentration_curve,
    group_drilldown,
    group_profiles,
    profile_inputs,
)
from crm_core.segments.profiles import SUPPRESSED_CODE, suppressed_groups

TWO_TIERS = TierConfig(thresholds=(200.0,), labels=("low", "high"))


def test_group_profiles_exact(tiny):
    prepared = prepared_dataset(tiny)
    before = prepared.customers.copy()
    tiers = aum_tiers(prepared, TWO_TIERS)
    # A 100 → low, B 300 → high; closed C by AUM a year ago (200, on the threshold) → high, D → low
    assert tiers.codes.tolist() == [0, 1, 1, 0]
    profiles = group_profiles(prepared, tiers.codes, tiers.labels, min_customers=1)
    nan = math.nan
    bank_age = (34 + 61) / 2
    expected = pd.DataFrame(
        {
            "code": [0, 1, -1],
            "group": ["low", "high", "not assigned"],  # the not-assigned row is always there
            "customers": [1, 1, 0],
            "customer_share": [0.5, 0.5, 0.0],
            "aum": [100.0, 300.0, 0.0],
            "aum_share": [0.25, 0.75, 0.0],
            "average_aum": [100.0, 300.0, nan],
            "median_aum": [100.0, 300.0, nan],
            "products_per_customer": [2.0, 1.0, nan],  # A: savings + credit card; B: savings
            "digital_active_share": [1.0, 0.0, nan],  # A used mobile in February 2026
            "counter_trend": [2 / 4 - 1, nan, nan],  # A: 2 counter visits vs 4; B none either year
            "churn_rate": [0.0, 1.0, nan],  # alive a year ago: A (stayed) in low, C (closed) in high
            "average_age": [34.0, 61.0, nan],
            "payroll_share": [nan, nan, nan],  # no payroll data in the tiny bank
            "suppressed": [False, False, False],
            "average_aum_index": [50.0, 150.0, nan],
            "median_aum_index": [50.0, 150.0, nan],
            "products_per_customer_index": [2 / 1.5 * 100, 1 / 1.5 * 100, nan],
            "digital_active_share_index": [200.0, 0.0, nan],
            "counter_trend_index": [100.0, nan, nan],
            "churn_rate_index": [0.0, 200.0, nan],
            "average_age_index": [34 / bank_age * 100, 61 / bank_age * 100, nan],
            "payroll_share_index": [nan, nan, nan],
        }
    )
    pdt.assert_frame_equal(profiles, expected)
    assert tuple(profiles.columns) == PROFILE_COLUMNS
    pdt.assert_frame_equal(prepared.customers, before)


def test_profiles_from_cached_inputs_match(tiny):
    prepared = prepared_dataset(tiny)
    tiers = aum_tiers(prepared, TWO_TIERS)
    pdt.assert_frame_equal(
        group_profiles(profile_inputs(prepared), tiers.codes, tiers.labels, min_customers=1),
        group_profiles(prepared, tiers.codes, tiers.labels, min_customers=1),
    )


def test_bank_profile(tiny):
    bank = bank_profile(prepared_dataset(tiny))
    assert bank["customers"] == 2 and bank["aum"] == 400.0
    assert bank["median_aum"] == 200.0 and bank["churn_rate"] == 0.5


def test_small_groups_fold_into_one_suppressed_row_on_tiny(tiny):
    prepared = prepared_dataset(tiny)
    tiers = aum_tiers(prepared, TWO_TIERS)
    # one customer each: both suppressed (two groups, two customers together), nothing shown apart
    profiles = group_profiles(prepared, tiers.codes, tiers.labels, min_customers=2, suppressed_label="hidden")
    assert profiles["code"].tolist() == [-1, SUPPRESSED_CODE]
    assert profiles["group"].tolist() == ["not assigned", "hidden"]
    assert profiles["customers"].tolist() == [0, 2]
    assert profiles["aum"].tolist() == [0.0, 400.0]
    assert profiles["customer_share"].tolist() == [0.0, 1.0] and profiles["aum_share"].tolist() == [0.0, 1.0]
    assert profiles["suppressed"].tolist() == [False, True]
    assert profiles.loc[1, ["average_aum", "churn_rate", "average_age", "average_aum_index"]].isna().all()


@pytest.mark.parametrize(
    ("counts", "minimum", "expected"),
    [
        ([500, 40, 3, 0], 10, [False, True, True, False]),  # 3 alone = total − 500 − 40: hide 40 too
        ([500, 4, 3, 30], 10, [False, True, True, True]),  # 4 + 3 < 10: hide the next smallest as well
        ([500, 6, 5, 30], 10, [False, True, True, False]),  # 6 + 5 ≥ 10: two groups are enough
        ([3, 4], 10, [True, True]),  # a bank smaller than the minimum: everything folds
        ([0, 12, 0], 10, [False, False, False]),  # empty groups hide nothing
        ([9, 100], 1, [False, False]),
    ],
)
def test_suppressed_groups_are_complementary(counts, minimum, expected):
    assert suppressed_groups(np.array(counts), minimum).tolist() == expected


def test_a_fifth_tier_at_30_million_reconciles_and_cannot_be_recovered(small_sample):
    """The issue's case: a tier above 3000万 held 17% of AUM and vanished from the totals."""
    s = small_sample
    prepared = prepared_dataset(Dataset("s", s.customers, s.activity, s.holdings, "s"))
    config = TierConfig(thresholds=(5e4, 5e5, 6e6, 3e7), labels=("mass", "affluent", "hnw", "private", "ultra"))
    codes = aum_tiers(prepared, config).codes
    active = prepared.customers["is_active"].to_numpy()
    per_tier = np.bincount(codes[active & (codes >= 0)], minlength=5)
    profiles = group_profiles(prepared, codes, config.labels)
    small = (per_tier > 0) & (per_tier < 10)
    assert small.any()  # the top tiers are rare in 3,000 customers
    hidden = suppressed_groups(np.append(per_tier, np.count_nonzero(active & (codes < 0))), 10)
    assert hidden.sum() >= 2
    shown_codes = [c for c in range(5) if not hidden[c]]
    assert profiles["code"].tolist() == [*shown_codes, -1, SUPPRESSED_CODE]
    fold = profiles.iloc[-1]
    assert fold["customers"] == per_tier[hidden[:5]].sum() >= 10
    assert fold["aum"] == pytest.approx(
        prepared.customers.loc[active & np.isin(codes, np.flatnonzero(hidden)), "aum"].sum()
    )
    # everything reconciles with the bank
    assert profiles["customers"].sum() == active.sum()
    assert profiles["customer_share"].sum() == pytest.approx(1.0)
    assert profiles["aum_share"].sum() == pytest.approx(1.0)
    assert profiles["aum"].sum() == pytest.approx(prepared.customers.loc[active, "aum"].sum())
    # no shown row is smaller than the minimum, except empty ones
    assert ((profiles["customers"] >= 10) | (profiles["customers"] == 0)).all()
    unsuppressed = group_profiles(prepared, codes, config.labels, min_customers=1)
    assert unsuppressed["code"].tolist() == [0, 1, 2, 3, 4, -1] and not unsuppressed["suppressed"].any()


def test_unassigned_active_customers_get_their_own_row(tiny):
    prepared = prepared_dataset(tiny)
    codes = np.array([0, -1, -1, 0], dtype=np.int8)
    profiles = group_profiles(prepared, codes, ("only",), unassigned_label="n/a", min_customers=0)
    assert profiles["group"].tolist() == ["only", "n/a"]
    assert profiles["code"].tolist() == [0, -1]
    assert profiles["customers"].tolist() == [1, 1]


def test_churn_is_unknown_when_closed_customers_are_unassigned(tiny):
    prepared = prepared_dataset(tiny)
    codes = np.array([0, 0, -1, -1], dtype=np.int8)
    profiles = group_profiles(prepared, codes, ("g",), min_customers=0)
    assert math.isnan(profiles.loc[0, "churn_rate"])


def test_profile_input_validation(tiny):
    prepared = prepared_dataset(tiny)
    with pytest.raises(ValueError, match="codes for"):
        group_profiles(prepared, np.zeros(3, dtype=np.int8), ("a",))
    with pytest.raises(ValueError, match="no label"):
        group_profiles(prepared, np.array([0, 1, 0, 0], dtype=np.int8), ("a",))


def test_concentration_curve():
    curve = concentration_curve(np.array([0.0, 0.0, 1.0, 3.0]))
    expected = pd.DataFrame({"customer_share": [0.0, 0.25, 0.5, 0.75, 1.0], "aum_share": [0.0, 0.0, 0.0, 0.25, 1.0]})
    pdt.assert_frame_equal(curve, expected)
    assert curve.attrs["top_shares"] == {"top1": 0.75, "top2": 0.75, "top10": 0.75}
    big = concentration_curve(np.random.default_rng(1).pareto(1.5, 100_000))
    assert len(big) <= 200 and big["aum_share"].is_monotonic_increasing
    assert big.iloc[0].tolist() == [0.0, 0.0] and big.iloc[-1].tolist() == [1.0, 1.0]
    equal = concentration_curve(np.ones(10))
    assert equal.attrs["gini"] == pytest.approx(0.0)
    assert math.isnan(concentration_curve(np.zeros(3))["aum_share"].iloc[-1])


def test_group_drilldown(tiny):
    prepared = prepared_dataset(tiny)
    drill = group_drilldown(prepared, np.array([0, 1, 1, 0], dtype=np.int8), 0)
    pdt.assert_frame_equal(
        drill.branches,
        pd.DataFrame(
            {
                "name": ["North", "South"],
                "customers": [1, 0],
                "share": [1.0, 0.0],
                "bank_share": [1.0, 0.0],
                "index": [100.0, math.nan],
            }
        ),
    )
    assert drill.age_bands.set_index("name").loc["30-39", "customers"] == 1
    assert drill.age_bands["customers"].sum() == 1
    products = drill.products.set_index("name")
    assert products.loc["credit_card", "share"] == 1.0 and products.loc["credit_card", "bank_share"] == 0.5
    assert products.loc["credit_card", "index"] == 200.0
