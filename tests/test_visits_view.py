"""The Visits view is one result: exact figures on a hand-built bank, read as given by every surface (issue 17)."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import crm_core.visits as vis
from crm_core.messages import Count, Message, Share, render
from crm_core.prepare import prepared_dataset
from crm_core.visits.cube import _window_sum
from crm_core.visits.examples import monthly_dataset

ROOT = Path(__file__).resolve().parents[1]


def year_pair(before: int, after: int) -> list[int]:
    """24 months: ``before`` in the first month, ``after`` in the last."""
    return [before] + [0] * 22 + [after]


@pytest.fixture(scope="module")
def bank():
    """Four customers in two branches over 24 months to October 2026.

    A: counter 10 → 4, no digital, AUM halves (silent attrition). B: counter 5 → 1, online 2 → 10.
    C: counter 2 → 5. D: counter 6 → 0, AUM flat.
    """
    customers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D"],
            "aum": [50.0, 100.0, 200.0, 300.0],
            "aum_12m_ago": [100.0, 100.0, 200.0, 300.0],
            "branch": ["N", "N", "S", "S"],
        }
    )
    counts = {
        ("A", "counter"): year_pair(10, 4),
        ("B", "counter"): year_pair(5, 1),
        ("B", "online"): year_pair(2, 10),
        ("C", "counter"): year_pair(2, 5),
        ("D", "counter"): year_pair(6, 0),
    }
    return prepared_dataset(monthly_dataset(customers, counts, first_month="2024-11"))


SETTINGS = vis.VisitSettings(vis.WhatIfInputs((0,), 50, 0.5, 100), vis.OffCounterBenchmark())
CODES = np.array([0, 0, 1, 1])


@pytest.fixture(scope="module")
def view(bank):
    return vis.visits_view(bank, CODES, ("x", "y"), SETTINGS)


def test_tiles_are_the_hand_computed_figures(view):
    # Last 12 months = the last month: counter 4 + 1 + 5 of 20 transactions; A leaves silently. No mobile
    # transaction anywhere in the extract: it does not record that channel, so the mobile share is not measured.
    assert view.off_counter_rate == 0.5
    assert math.isnan(view.kpi("mobile_active_share"))
    assert view.kpi("silent_attrition_customers") == 1.0
    assert view.at_risk["customer_id"].tolist() == ["A"]
    assert view.at_risk[["counter_prev_12m", "counter_12m"]].to_numpy().tolist() == [[10, 4]]
    # two months with counter transactions: no trend, so no halving and no curvature sentence
    assert view.bank_fit.status == vis.NOT_ENOUGH_HISTORY
    assert view.halving is None and view.curvature is None
    assert view.segments["status"].tolist() == [vis.NOT_ENOUGH_HISTORY] * 2
    assert view.n_months == 24


def test_flows_are_language_free_with_a_bank_row(view):
    expected = pd.DataFrame(
        {
            "code": np.array([0, 1, -1], dtype=np.int64),
            "group": pd.array(["x", "y", vis.BANK], dtype="string"),
            "customers": np.array([2, 1, 3], dtype=np.int64),
            "counter_before": np.array([15, 6, 21], dtype=np.int64),
            "counter_after": np.array([5, 0, 5], dtype=np.int64),
            "counter_lost": np.array([10, 6, 16], dtype=np.int64),
            "moved_to_digital": np.array([4, 0, 4], dtype=np.int64),
            "gone": np.array([6, 6, 12], dtype=np.int64),
            "moved_share": [0.4, 0.0, 0.25],
        }
    )
    pdt.assert_frame_equal(view.flows, expected)
    assert view.substitution == Message(
        "visits_substitution_sentence", customers=Count(3), lost=Count(16), moved=Share(0.25, 0), gone=Share(0.75, 0)
    )


def test_what_if_follows_the_scenario_inputs(bank, view):
    # No fit: each branch carries its last 12 months (5 and 5). North's non-digital volume in x is A's 4 of 5:
    # moved = 5 × 0.8 × 50% × 0.5 = 1; tellers = volume / 12 / 100.
    staffing = view.staffing.set_index("branch")
    assert staffing["forecast_basis"].tolist() == ["last_12m", "last_12m"]
    assert staffing["in_scope_share"].tolist() == [0.8, 0.0]
    assert staffing["moved_off_counter"].tolist() == [1.0, 0.0]
    assert view.tellers_freed == pytest.approx(1 / 1200)
    assert render(view.what_if_result, "en").startswith(
        "If 50% of the chosen groups' non-digital counter volume converts (substitution factor 0.5), next year's "
        "counter transactions fall by about 1 (10.0%)"
    )
    assert "明年柜面交易将减少约1笔（10.0%）" in render(view.what_if_result, "zh")
    # no group chosen means every group: South's C (5 of 5, in y) now counts too
    every = vis.visits_view(bank, CODES, ("x", "y"), replace(SETTINGS, what_if=replace(SETTINGS.what_if, segments=())))
    assert every.what_if.segments == (0, 1)
    assert every.staffing["moved_off_counter"].tolist() == [1.0, 1.25]


def test_a_what_if_move_recomputes_the_staffing_only(bank, view):
    inputs = vis.WhatIfInputs((1,), 20, 1.0, 100)
    moved = vis.with_what_if(view, inputs)
    fresh = vis.visits_view(bank, CODES, ("x", "y"), replace(SETTINGS, what_if=inputs))
    pdt.assert_frame_equal(moved.staffing, fresh.staffing)
    assert moved.what_if_result == fresh.what_if_result and moved.settings == fresh.settings
    assert moved.segments is view.segments and moved.at_risk is view.at_risk  # the rest is the same object
    # South's C: 5 × 100% × 20% × 1.0 = 1 transaction moved
    assert moved.staffing["moved_off_counter"].tolist() == [0.0, 1.0]


def test_the_view_uses_the_scenario_benchmark(bank, view):
    own = vis.OffCounterBenchmark(points=((2020, 0.6),), source="own survey")
    other = vis.visits_view(bank, CODES, ("x", "y"), replace(SETTINGS, benchmark=own))
    assert other.kpis.set_index("metric").loc["off_counter_rate", "reference"] == 0.6
    assert view.kpis.set_index("metric").loc["off_counter_rate", "reference"] != 0.6


def test_the_cube_reads_the_prepared_windows(bank):
    cube = vis.visit_cube(bank)
    assert cube.counter_12m.tolist() == bank.customers["counter_txn_12m"].tolist() == [4, 1, 5, 0]
    assert cube.digital_prev_12m.tolist() == [0, 2, 0, 0]
    # the same sums as the cube's own months (one definition of "the last 12 months")
    assert np.array_equal(cube.counter_prev_12m, _window_sum(cube.counter, 12, 24))
    assert np.array_equal(cube.digital_12m, _window_sum(cube.digital, 0, 12))
    # and read from the prepared columns, not summed again: a changed column shows through
    changed = replace(bank, customers=bank.customers.assign(counter_txn_12m=[9, 9, 9, 9]))
    assert vis.visit_cube(changed).counter_12m.tolist() == [9, 9, 9, 9]


def test_the_visit_chain_is_written_once():
    """Only the view assembles cube → fits → what-if base → staffing (the report and playbook read the view)."""
    callers = []
    for folder in ("crm_core", "ui", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            body = path.read_text(encoding="utf-8")
            if re.search(r"\bwhat_if_staffing\(", body) and "def what_if_staffing" not in body:
                callers.append(path.relative_to(ROOT).as_posix())
    assert callers == ["crm_core/visits/view.py"], callers


def test_segment_series_add_up_to_the_bank_with_a_not_assigned_row():
    """Issue 18, item 7: customers in no segment (here the lifecycle scheme's closed customers) keep a row."""
    from crm_core import segments as seg
    from crm_core.sample import read_sample
    from crm_core.visits.decline import segment_declines

    prepared = prepared_dataset(read_sample())
    cube = vis.visit_cube(prepared)
    stages = seg.lifecycle_stages(prepared)
    assert (np.asarray(stages.codes) < 0).any()
    table, _ = segment_declines(cube, stages.codes, stages.labels)
    assert table["group"].iloc[-1] == seg.NOT_ASSIGNED_LABEL
    assert int(table["counter_12m"].sum()) == int(cube.counter_12m.sum())
