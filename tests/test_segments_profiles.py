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
            "code": [0, 1],
            "group": ["low", "high"],
            "customers": [1, 1],
            "customer_share": [0.5, 0.5],
            "aum": [100.0, 300.0],
            "aum_share": [0.25, 0.75],
            "average_aum": [100.0, 300.0],
            "median_aum": [100.0, 300.0],
            "products_per_customer": [2.0, 1.0],  # A: savings + credit card; B: savings
            "digital_active_share": [1.0, 0.0],  # A used mobile in February 2026
            "counter_trend": [2 / 4 - 1, nan],  # A: 2 counter visits vs 4; B none either year
            "churn_rate": [0.0, 1.0],  # alive a year ago: A (stayed) in low, C (closed) in high
            "average_age": [34.0, 61.0],
            "payroll_share": [nan, nan],  # no payroll data in the tiny bank
            "suppressed": [False, False],
            "average_aum_index": [50.0, 150.0],
            "median_aum_index": [50.0, 150.0],
            "products_per_customer_index": [2 / 1.5 * 100, 1 / 1.5 * 100],
            "digital_active_share_index": [200.0, 0.0],
            "counter_trend_index": [100.0, nan],
            "churn_rate_index": [0.0, 200.0],
            "average_age_index": [34 / bank_age * 100, 61 / bank_age * 100],
            "payroll_share_index": [nan, nan],
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


def test_small_groups_are_suppressed_and_counts_reconcile(small_sample):
    s = small_sample
    prepared = prepared_dataset(Dataset("s", s.customers, s.activity, s.holdings, "s"))
    tiers = aum_tiers(prepared)
    profiles = group_profiles(prepared, tiers.codes, tiers.labels)
    active = prepared.customers["is_active"]
    assert profiles["customers"].sum() == active.sum()
    assert profiles["customer_share"].sum() == pytest.approx(1.0)
    small = profiles["customers"] < 10
    assert small.any()  # private banking is rare in 3,000 customers
    assert profiles["suppressed"].tolist() == small.tolist()
    assert profiles.loc[small, ["aum", "average_aum", "churn_rate", "average_aum_index"]].isna().all().all()
    unsuppressed = group_profiles(prepared, tiers.codes, tiers.labels, min_customers=0)
    assert unsuppressed["aum_share"].sum() == pytest.approx(1.0)
    assert unsuppressed["aum"].sum() == pytest.approx(prepared.customers.loc[active, "aum"].sum())


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
