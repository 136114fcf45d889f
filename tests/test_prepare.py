"""Exact features of the tiny hand-built bank (see conftest.tiny_dataset)."""

import math

import numpy as np
import pandas as pd
import pandas.testing as pdt

from crm_core.prepare import prepared_dataset, reference_month


def test_reference_month_is_last_activity_month(tiny):
    assert reference_month(tiny) == pd.Timestamp("2026-03-01")


def test_lifecycle_flags(tiny):
    c = prepared_dataset(tiny).customers
    expected = pd.DataFrame(
        {
            "is_active": [True, True, False, False],
            "alive_12m_ago": [True, False, True, False],
            "alive_24m_ago": [True, False, True, True],
            "closed_last_12m": [False, False, True, False],
            "closed_prev_12m": [False, False, False, True],
        }
    )
    pdt.assert_frame_equal(c[expected.columns], expected)
    assert c["churned"].tolist() == [False, False, True, True]


def test_channel_features(tiny):
    prepared = prepared_dataset(tiny)
    c = prepared.customers
    assert c["counter_txn_12m"].tolist() == [2, 0, 0, 0]
    assert c["counter_txn_prev_12m"].tolist() == [4, 0, 0, 0]
    assert c["mobile_txn_12m"].tolist() == [5, 0, 0, 0]
    assert c["online_txn_12m"].tolist() == [0, 3, 0, 0]
    np.testing.assert_allclose(c["counter_trend"], [-0.5, np.nan, np.nan, np.nan])
    np.testing.assert_allclose(c["digital_share_12m"], [5 / 7, 1.0, np.nan, np.nan])
    assert c["mobile_active"].tolist() == [True, False, False, False]
    assert c["digital_active"].tolist() == [True, False, False, False]
    assert c["digital_active_12m_ago"].tolist() == [False, False, False, False]
    assert c["months_since_active"].tolist() == [0, 11, 24, -1]
    assert prepared.orphan_activity_rows == 1


def test_products_now_and_a_year_ago(tiny):
    prepared = prepared_dataset(tiny)
    assert prepared.products == ("credit_card", "savings_deposit")
    c = prepared.customers
    assert c["has_credit_card"].tolist() == [True, False, False, False]
    assert c["products_held"].tolist() == [2, 1, 1, 0]
    assert c["products_held_12m_ago"].tolist() == [1, 0, 1, 0]


def test_aum_trend_and_age_band(tiny):
    c = prepared_dataset(tiny).customers
    np.testing.assert_allclose(c["aum_trend"], [1.0, 0.0, -1.0, np.nan])
    assert c["age_band"].astype(str).tolist() == ["30-39", "60-69", "70+", "<30"]


def test_monthly_channels_cover_every_month_and_reconcile(tiny):
    monthly = prepared_dataset(tiny).monthly_channels
    assert monthly["month"].min() == pd.Timestamp("2024-03-01")
    assert monthly["month"].nunique() == 25  # Mar 2024 .. Mar 2026, months without rows included
    # All known-customer transactions are in the aggregate; the orphan row is not.
    assert monthly["transactions"].sum() == 4 + 2 + 5 + 3 + 7
    north_counter = monthly[(monthly["branch"] == "North") & (monthly["channel"] == "counter")]
    assert north_counter["transactions"].sum() == 6
    assert north_counter["active_customers"].sum() == 2


def test_inputs_are_not_mutated(tiny):
    before = {name: getattr(tiny, name).copy() for name in ("customers", "activity", "holdings")}
    prepared_dataset(tiny)
    for name, frame in before.items():
        pdt.assert_frame_equal(getattr(tiny, name), frame)


def test_without_activity_or_holdings(tiny):
    from crm_core.dataset import Dataset

    bare = Dataset("bare", tiny.customers[["customer_id", "aum"]], None, None, "bare")
    prepared = prepared_dataset(bare)
    assert prepared.monthly_channels is None
    assert prepared.products == ()
    assert "products_held" not in prepared.customers
    assert prepared.customers["is_active"].all()
    assert not math.isnan(prepared.customers["aum"].sum())


def test_categorical_activity_ids_give_the_same_features(tiny):
    from crm_core.dataset import Dataset

    activity = tiny.activity.assign(customer_id=tiny.activity["customer_id"].astype("category"))
    categorical = Dataset("tiny", tiny.customers, activity, tiny.holdings, "tiny-cat")
    expected = prepared_dataset(tiny)
    got = prepared_dataset(categorical)
    pdt.assert_frame_equal(got.customers, expected.customers)
    pdt.assert_frame_equal(got.monthly_channels, expected.monthly_channels)
    assert got.orphan_activity_rows == expected.orphan_activity_rows == 1
