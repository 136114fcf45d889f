"""Channel substitution flows and the what-if staffing on hand-built tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from crm_core.messages import render
from crm_core.prepare import prepared_dataset
from crm_core.visits import (
    WhatIfInputs,
    branch_declines,
    substitution_flows,
    substitution_message,
    visit_cube,
    what_if_base,
    what_if_message,
    what_if_staffing,
)
from crm_core.visits.examples import monthly_dataset


def substitution_sentence(flows, lang="en"):
    message = substitution_message(flows)
    return None if message is None else render(message, lang)


def what_if_sentence(staffing, inputs, lang="en"):
    return render(what_if_message(staffing, inputs), lang)


def year_pair(before: int, after: int) -> list[int]:
    """24 months: ``before`` in the first month of the earlier year, ``after`` in the last of the later one."""
    return [before] + [0] * 22 + [after]


def substitution_dataset():
    customers = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "aum": [1.0, 1.0, 1.0, 1.0]})
    counts = {
        ("A", "counter"): year_pair(10, 4),
        ("A", "mobile"): year_pair(0, 3),
        ("B", "counter"): year_pair(5, 1),
        ("B", "online"): year_pair(2, 10),
        ("C", "counter"): year_pair(2, 5),  # rose: not in the flows
        ("C", "mobile"): year_pair(0, 9),
        ("D", "counter"): year_pair(6, 0),
    }
    return monthly_dataset(customers, counts, first_month="2024-11")


def test_substitution_flows_exact_frame():
    cube = visit_cube(prepared_dataset(substitution_dataset()))
    flows = substitution_flows(cube, np.array([0, 0, 1, 1]), ["digital first", "branch loyal"])
    expected = pd.DataFrame(
        {
            "code": np.array([0, 1, -1], dtype=np.int64),
            "group": pd.array(["digital first", "branch loyal", "All"], dtype="string"),
            "customers": np.array([2, 1, 3], dtype=np.int64),
            "counter_before": np.array([15, 6, 21], dtype=np.int64),
            "counter_after": np.array([5, 0, 5], dtype=np.int64),
            "counter_lost": np.array([10, 6, 16], dtype=np.int64),
            "moved_to_digital": np.array([7, 0, 7], dtype=np.int64),
            "gone": np.array([3, 6, 9], dtype=np.int64),
            "moved_share": [0.7, 0.0, 7 / 16],
        }
    )
    pdt.assert_frame_equal(flows, expected)
    assert substitution_sentence(flows) == (
        "The 3 customers who used the counter less made 16 fewer counter transactions: 44% reappeared on "
        "mobile and online banking, 56% did not (possibly gone to another bank)."
    )
    assert substitution_sentence(flows, "zh").startswith("柜面交易减少的3位客户少办了16笔柜面业务")


def test_substitution_flows_reconcile_on_a_generated_bank(small_sample):
    from crm_core.dataset import Dataset

    prepared = prepared_dataset(Dataset("s", small_sample.customers, small_sample.activity, small_sample.holdings, "s"))
    cube = visit_cube(prepared)
    codes = prepared.customers["age_band"].cat.codes.to_numpy()
    flows = substitution_flows(cube, codes, [str(c) for c in prepared.customers["age_band"].cat.categories])
    assert (flows["counter_lost"] == flows["moved_to_digital"] + flows["gone"]).all()
    assert (flows["counter_lost"] == flows["counter_before"] - flows["counter_after"]).all()
    total = flows[flows["code"] == -1].iloc[0]
    segments = flows[flows["code"] >= 0]
    assert total["counter_lost"] >= segments["counter_lost"].sum()  # unassigned customers only in the total
    assert total["counter_lost"] > 0


def whatif_dataset():
    """North: N1 (segment 0, counter only) 10 a month, N2 (segment 1, also mobile) 5 a month, 24 months.
    South: S1 (segment 0) 30 counter transactions in the last month only; S2 closed, 20 in the last month."""
    customers = pd.DataFrame(
        {
            "customer_id": ["N1", "N2", "S1", "S2"],
            "aum": [1.0, 1.0, 1.0, 0.0],
            "branch": ["North", "North", "South", "South"],
            "churned": [False, False, False, True],
        }
    )
    counts = {
        ("N1", "counter"): [10] * 24,
        ("N2", "counter"): [5] * 24,
        ("N2", "mobile"): [1] * 24,
        ("S1", "counter"): [0] * 23 + [30],
        ("S2", "counter"): [0] * 23 + [20],
    }
    return monthly_dataset(customers, counts, first_month="2024-11")


def test_what_if_staffing_equals_hand_computation():
    cube = visit_cube(prepared_dataset(whatif_dataset()))
    codes = np.array([0, 1, 0, 0])
    _, fits = branch_declines(cube)
    base = what_if_base(cube, codes, ["walk-in", "digital"], fits)
    inputs = WhatIfInputs(
        segments=(0,), adoption_increase_pp=20, substitution_factor=0.5, transactions_per_teller_month=10
    )
    staffing = what_if_staffing(base, inputs)
    # North: flat 15 a month -> F = 180; in scope N1: 120 of 180; moved = 180 * 2/3 * 0.2 * 0.5 = 12.
    # South: no trend (one counter month) -> last 12 months of open customers: F = 30, all in scope;
    # moved = 30 * 1 * 0.2 * 0.5 = 3. Tellers = volume / 12 / 10.
    expected = pd.DataFrame(
        {
            "branch": pd.array(["North", "South"], dtype="string"),
            "forecast_basis": pd.array(["trend", "last_12m"], dtype="string"),
            "counter_next_12m": [180.0, 30.0],
            "in_scope_share": [2 / 3, 1.0],
            "moved_off_counter": [12.0, 3.0],
            "counter_after": [168.0, 27.0],
            "tellers_now": [1.5, 0.25],
            "tellers_after": [1.4, 0.225],
            "tellers_freed": [0.1, 0.025],
        }
    )
    pdt.assert_frame_equal(staffing, expected, rtol=1e-9)
    assert what_if_sentence(staffing, inputs) == (
        "If 20% of the chosen groups' non-digital counter volume converts (substitution factor 0.5), next "
        "year's counter transactions fall by about 15 (7.1%), freeing about 0.1 tellers at 10 transactions per "
        "teller per month."
    )
    assert "柜员" in what_if_sentence(staffing, inputs, "zh")


def test_what_if_without_chosen_segments_changes_nothing():
    cube = visit_cube(prepared_dataset(whatif_dataset()))
    _, fits = branch_declines(cube)
    base = what_if_base(cube, np.array([0, 1, 0, 0]), ["walk-in", "digital"], fits)
    staffing = what_if_staffing(base, WhatIfInputs(segments=(), adoption_increase_pp=50))
    assert staffing["moved_off_counter"].tolist() == [0.0, 0.0]
    assert staffing["counter_after"].tolist() == pytest.approx(staffing["counter_next_12m"].tolist())


def test_what_if_change_never_reads_raw_activity(monkeypatch):
    dataset = whatif_dataset()
    cube = visit_cube(prepared_dataset(dataset))
    _, fits = branch_declines(cube)
    base = what_if_base(cube, np.array([0, 1, 0, 0]), ["walk-in", "digital"], fits)
    # The what-if works on ``base`` alone: no dataset, cube or fit is passed in.
    for pp in (5, 10, 30):
        staffing = what_if_staffing(base, WhatIfInputs(segments=(0,), adoption_increase_pp=pp))
        assert staffing["moved_off_counter"].iloc[0] == pytest.approx(180 * 2 / 3 * pp / 100 * 0.7)
