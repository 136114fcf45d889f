"""The visit cube, availability, channel trends and the off-counter rate on hand-built tables."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from crm_core.dataset import Dataset
from crm_core.messages import render
from crm_core.prepare import prepared_dataset
from crm_core.visits import (
    OffCounterBenchmark,
    bank_decline,
    benchmark_rates,
    branch_declines,
    channel_trend,
    counter_forecast,
    group_channel_trend,
    group_counter_sums,
    group_monthly_sums,
    off_counter_rates,
    segment_declines,
    silent_attrition,
    substitution_flows,
    visit_availability,
    visit_cube,
    visit_kpis,
    what_if_base,
    what_if_staffing,
)
from crm_core.visits.examples import monthly_dataset
from tests.frames import assert_frame_equal

MODULES = ("config", "cube", "decline", "trends", "substitution", "attrition", "whatif", "examples")


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_hold(module):
    result = doctest.testmod(importlib.import_module(f"crm_core.visits.{module}"), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def small_dataset() -> Dataset:
    customers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "aum": [10.0, 20.0, 30.0],
            "branch": ["North", "South", "North"],
            "city": ["Ningbo", "Wenzhou", "Ningbo"],
            "age": pd.array([25, 65, 72], dtype="Int64"),
        }
    )
    counts = {
        ("A", "counter"): [2, 0, 1],
        ("A", "mobile"): [0, 3, 4],
        ("B", "online"): [1, 1, 0],
        ("B", "atm"): [5, 0, 0],
        ("C", "counter"): [4, 4, 2],
        ("C", "phone"): [0, 0, 1],
        ("Z", "counter"): [9, 9, 9],  # unknown customer: left out
    }
    return monthly_dataset(customers, counts, first_month="2026-01")


def test_cube_holds_exact_monthly_arrays():
    cube = visit_cube(prepared_dataset(small_dataset()))
    assert list(cube.months) == list(pd.date_range("2026-01-01", periods=3, freq="MS"))
    assert cube.counter.dtype == np.uint8 and cube.counter.shape == (3, 3)  # the smallest dtype that holds it
    np.testing.assert_array_equal(cube.counter.T, [[2, 0, 1], [0, 0, 0], [4, 4, 2]])
    np.testing.assert_array_equal(cube.digital.T, [[0, 3, 4], [1, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(cube.total.T, [[2, 3, 5], [6, 1, 0], [4, 4, 3]])
    assert cube.branch_labels == ("North", "South") and cube.branch_city == ("Ningbo", "Wenzhou")
    np.testing.assert_array_equal(cube.branch_codes, [0, 1, 0])
    np.testing.assert_array_equal(cube.age_band_codes, [0, 4, 5])
    np.testing.assert_array_equal(cube.counter_12m, [3, 0, 10])
    np.testing.assert_array_equal(cube.digital_active, [True, True, False])


def test_group_monthly_sums_match_hand_sums():
    cube = visit_cube(prepared_dataset(small_dataset()))
    np.testing.assert_array_equal(group_monthly_sums(cube.counter, cube.branch_codes, 2), [[6, 4, 3], [0, 0, 0]])
    np.testing.assert_array_equal(group_monthly_sums(cube.total, np.array([-1, 0, 0]), 1), [[10, 5, 3]])
    for codes in (cube.branch_codes, np.array([-1, 0, 1]), np.array([2, -1, 0])):
        np.testing.assert_array_equal(group_counter_sums(cube, codes, 3), group_monthly_sums(cube.counter, codes, 3))


def test_group_channel_trend_exact_frame():
    cube = visit_cube(prepared_dataset(small_dataset()))
    trend = group_channel_trend(cube, np.array([0, 0, -1]), ["young"])
    months = pd.date_range("2026-01-01", periods=3, freq="MS")
    expected = pd.DataFrame(
        {
            "month": np.tile(months.to_numpy(), 3),
            "code": np.zeros(9, dtype=np.int64),
            "group": pd.array(["young"] * 9, dtype="string"),
            "channel_group": pd.Categorical(
                ["counter"] * 3 + ["digital"] * 3 + ["other"] * 3, categories=["counter", "digital", "other"]
            ),
            "transactions": np.array([2, 0, 1, 1, 4, 4, 5, 0, 0], dtype=np.int64),
            "active_customers": np.array([1, 0, 1, 1, 2, 1, 1, 0, 0], dtype=np.int64),
        }
    )
    pdt.assert_frame_equal(trend, expected)


def test_channel_trend_by_city_sums_branches():
    prepared = prepared_dataset(small_dataset())
    cube = visit_cube(prepared)
    city = channel_trend(prepared, "city", cube)
    ningbo_counter = city[(city["group"] == "Ningbo") & (city["channel"] == "counter")]
    assert ningbo_counter["transactions"].tolist() == [6, 4, 3]
    assert ningbo_counter["active_customers"].tolist() == [2, 1, 2]
    bank = channel_trend(prepared, "bank")
    assert bank.groupby("channel", observed=True)["transactions"].sum().to_dict() == {
        "counter": 13,
        "atm": 5,
        "mobile": 7,
        "online": 2,
        "phone": 1,
    }
    with pytest.raises(ValueError, match="level"):
        channel_trend(prepared, "region")


def test_off_counter_rate_against_an_edited_benchmark():
    benchmark = OffCounterBenchmark(points=((2021, 0.9029), (2026, 0.92), (2019, 0.8977)), source="test")
    rates = off_counter_rates(prepared_dataset(small_dataset()), benchmark)
    expected = pd.DataFrame(
        {
            "month": pd.date_range("2026-01-01", periods=3, freq="MS"),
            "counter": [6.0, 4.0, 3.0],
            "total": [12.0, 8.0, 8.0],
            "off_counter_rate": [0.5, 0.5, 0.625],
            "off_counter_rate_12m": [np.nan] * 3,
            "benchmark": [0.92] * 3,
            "benchmark_year": pd.array([2026] * 3, dtype="Int64"),
            "gap": [0.5 - 0.92, 0.5 - 0.92, 0.625 - 0.92],
        }
    )
    pdt.assert_frame_equal(rates, expected, check_freq=False, check_index_type=False)


def test_benchmark_defaults_are_the_china_banking_association_figures():
    rates = benchmark_rates(pd.DatetimeIndex(["2018-06-01", "2020-01-01", "2025-01-01"]))
    assert rates["benchmark"].tolist() == [0.8977, 0.8977, 0.9029]
    assert rates["benchmark_year"].tolist() == [2019, 2019, 2021]
    assert "China Banking Association" in OffCounterBenchmark().source


def test_one_month_of_data_says_not_enough_history_everywhere():
    customers = pd.DataFrame({"customer_id": ["A"], "aum": [5.0], "aum_12m_ago": [9.0], "branch": ["North"]})
    prepared = prepared_dataset(monthly_dataset(customers, {("A", "counter"): [4]}))
    cube = visit_cube(prepared)
    fit = bank_decline(cube)
    assert fit.status == "not_enough_history" and np.isnan(fit.annual_change)
    assert counter_forecast(fit).empty
    table, fits = branch_declines(cube)
    assert table["status"].tolist() == ["not_enough_history"]
    availability = visit_availability(prepared).set_index("view")
    assert not availability.loc["decline", "available"]
    assert availability.loc["decline", "missing"] == ("history",)
    reason = availability.loc["decline", "reason"]
    assert render(reason, "en") == "1 months of transactions; the decline model needs at least 13."
    assert render(reason, "zh") == "仅有1个月交易数据；下降趋势模型至少需要13个月。"
    assert availability.loc["channel_trend", "reason"] is None
    assert substitution_flows(cube, np.zeros(1, int), ["all"]).empty
    assert silent_attrition(prepared, cube).empty
    staffing = what_if_staffing(what_if_base(cube, np.zeros(1, int), ["all"], fits))
    assert staffing["forecast_basis"].tolist() == ["last_12m"] and staffing["counter_next_12m"].tolist() == [4.0]
    kpis = visit_kpis(prepared, cube, fit).set_index("metric")
    assert np.isnan(kpis.loc["counter_decline_per_year", "value"])


def test_dataset_without_activity_reports_what_is_missing():
    customers = pd.DataFrame({"customer_id": pd.array(["A", "B"], dtype="string"), "aum": [1.0, 2.0]})
    prepared = prepared_dataset(Dataset("no activity", customers, None, None, "x"))
    availability = visit_availability(prepared)
    assert availability["view"].tolist() == [
        "channel_trend",
        "decline",
        "forecast",
        "substitution",
        "silent_attrition",
        "what_if",
        "by_branch",
    ]
    assert not availability["available"].any()
    assert availability["missing"].iloc[0] == ("activity",)
    assert render(availability["reason"].iloc[0], "en").startswith("No transaction data (activity table)")
    assert render(availability["reason"].iloc[0], "zh").startswith("没有交易数据")
    assert availability["missing"].iloc[4] == ("activity", "aum_12m_ago")
    cube = visit_cube(prepared)
    assert cube.n_months == 0 and not cube.has_activity and cube.counter.shape == (0, 2)
    assert channel_trend(prepared).empty
    assert bank_decline(cube).status == "not_enough_history"
    kpis = visit_kpis(prepared, cube, bank_decline(cube))
    assert kpis["value"].isna().all()


def test_inputs_are_not_mutated(small_sample):
    from crm_core.dataset import fingerprint_of

    dataset = Dataset("s", small_sample.customers, small_sample.activity, small_sample.holdings, fingerprint_of([b"s"]))
    customers_before, activity_before = dataset.customers.copy(), dataset.activity.copy()
    prepared = prepared_dataset(dataset)
    prepared_before = prepared.customers.copy()
    monthly_before = prepared.monthly_channels.copy()
    codes = prepared.customers["age_band"].cat.codes.to_numpy().copy()
    codes_before = codes.copy()
    labels = ["a", "b", "c", "d", "e", "f"]
    cube = visit_cube(prepared)
    counter_before = cube.counter.copy()
    fit = bank_decline(cube)
    _, fits = branch_declines(cube)
    segment_declines(cube, codes, labels)
    substitution_flows(cube, codes, labels)
    group_channel_trend(cube, codes, labels)
    silent_attrition(prepared, cube)
    what_if_staffing(what_if_base(cube, codes, labels, fits))
    visit_kpis(prepared, cube, fit)
    channel_trend(prepared, "city", cube)
    off_counter_rates(prepared)
    pdt.assert_frame_equal(dataset.customers, customers_before)
    assert_frame_equal(dataset.activity, activity_before)
    pdt.assert_frame_equal(prepared.customers, prepared_before)
    pdt.assert_frame_equal(prepared.monthly_channels, monthly_before)
    np.testing.assert_array_equal(codes, codes_before)
    np.testing.assert_array_equal(cube.counter, counter_before)
