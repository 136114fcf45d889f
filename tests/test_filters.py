"""Filters that apply everywhere (issue 20, item 1).

The filtered extract is checked against one written by hand; the filtered bank's figures equal
the unfiltered pipeline run on that hand-written extract; scenarios and links keep the filter;
every page runs filtered and states the filter; an empty filter stops with a message.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from streamlit.testing.v1 import AppTest

from crm_core import scenario_links as links
from crm_core import scenarios as sc
from crm_core.filters import (
    EmptyFilter,
    Filters,
    as_of_caveats,
    as_of_months,
    filtered_dataset,
    filtered_prepared,
    statement,
)
from crm_core.messages import render
from crm_core.overview import overview_kpis
from crm_core.prepare import prepared_dataset
from tests.conftest import tiny_dataset

# --- the filtered extract -------------------------------------------------------------------------


def test_a_branch_filter_keeps_its_customers_their_activity_and_holdings():
    tiny = tiny_dataset()
    north = filtered_dataset(tiny, Filters(branches=("North",)))
    assert north.customers["customer_id"].tolist() == ["A", "B"]
    assert sorted(north.activity["customer_id"].tolist()) == ["A", "A", "A", "B"]
    assert sorted(north.holdings["customer_id"].tolist()) == ["A", "A", "B"]
    assert north.fingerprint != tiny.fingerprint and len(north.fingerprint) == 64
    # the same filter written in another order is the same extract (one cache entry)
    assert filtered_dataset(tiny, Filters(branches=("North",))).fingerprint == north.fingerprint
    assert filtered_dataset(tiny, Filters()) is tiny


def test_an_as_of_month_takes_back_activity_openings_and_closures_after_it():
    tiny = tiny_dataset()
    then = filtered_dataset(tiny, Filters(as_of="2025-10"))
    # B opened 10 Sep 2025 (kept); C closed Dec 2025 is still a customer in Oct 2025; D closed 2024 stays closed
    assert then.customers["customer_id"].tolist() == ["A", "B", "C", "D"]
    assert then.customers["closed_date"].isna().tolist() == [True, True, True, False]
    assert then.activity["month"].max() == pd.Timestamp("2025-04-01")  # nothing after October 2025
    earlier = filtered_dataset(tiny, Filters(as_of="2025-08"))
    assert earlier.customers["customer_id"].tolist() == ["A", "C", "D"]  # B had not opened yet
    assert sorted(earlier.holdings["customer_id"].tolist()) == ["A", "A", "C"]
    # B's April 2025 row went with B: the last activity month kept is A's March 2025
    assert prepared_dataset(earlier).as_of == pd.Timestamp("2025-03-01")


def test_a_tier_filter_uses_the_codes_it_is_given():
    tiny = tiny_dataset()
    codes = np.array([0, 1, 0, 0], dtype=np.int8)
    assert filtered_dataset(tiny, Filters(tiers=(1,)), codes).customers["customer_id"].tolist() == ["B"]
    with pytest.raises(ValueError, match="tier code"):
        filtered_dataset(tiny, Filters(tiers=(1,)))


def test_a_filter_that_keeps_nobody_is_refused():
    with pytest.raises(EmptyFilter):
        filtered_dataset(tiny_dataset(), Filters(branches=("Nowhere",)))
    with pytest.raises(EmptyFilter):  # a unit column the data does not have
        filtered_dataset(tiny_dataset(), Filters(relationship_managers=("Wang",)))


def test_filtered_figures_equal_the_pipeline_on_the_hand_written_extract():
    tiny = tiny_dataset()
    filters = Filters(branches=("North",), as_of="2026-02")
    by_hand = type(tiny)(
        "north to Feb 2026",
        tiny.customers.iloc[[0, 1]].reset_index(drop=True),
        tiny.activity.iloc[[0, 2, 3]].reset_index(drop=True),  # A Mar 2025, A Feb 2026, B Apr 2025
        tiny.holdings.iloc[[0, 1, 2]].reset_index(drop=True),
        fingerprint="by-hand",
    )
    filtered = prepared_dataset(filtered_dataset(tiny, filters))
    expected = prepared_dataset(by_hand)
    assert filtered.as_of == expected.as_of == pd.Timestamp("2026-02-01")
    pdt.assert_frame_equal(overview_kpis(filtered), overview_kpis(expected))
    pdt.assert_frame_equal(filtered.customers, expected.customers)


@pytest.mark.parametrize(
    "filters", [Filters(branches=("Ningbo Haishu", "Hangzhou Binjiang")), Filters(cities=("Ningbo",))], ids=str
)
def test_keeping_prepared_rows_equals_preparing_the_filtered_extract(filters):
    from crm_core.sample import read_sample
    from crm_core.visits import visit_cube

    sample = read_sample()
    fast = filtered_prepared(prepared_dataset(sample), filters)
    slow = prepared_dataset(filtered_dataset(sample, filters))
    assert fast is not None and fast.fingerprint == slow.fingerprint and fast.as_of == slow.as_of
    pdt.assert_frame_equal(fast.customers, slow.customers, check_categorical=False)
    pdt.assert_frame_equal(fast.dataset.customers, slow.dataset.customers)
    pdt.assert_frame_equal(fast.monthly_channels, slow.monthly_channels, check_categorical=False)
    pdt.assert_frame_equal(overview_kpis(fast), overview_kpis(slow))
    # the visit cube reads the whole activity table and keeps the rows of the customers it is given
    mine, theirs = visit_cube(fast), visit_cube(slow)
    assert mine.months.equals(theirs.months)
    for name in ("counter", "digital", "other", "counter_12m", "digital_12m"):
        np.testing.assert_array_equal(getattr(mine, name), getattr(theirs, name), err_msg=name)


def test_a_manager_filter_or_an_as_of_month_prepares_the_filtered_extract():
    prepared = prepared_dataset(tiny_dataset())
    assert filtered_prepared(prepared, Filters(as_of="2025-06")) is None
    assert filtered_prepared(prepared, Filters(relationship_managers=("Wang",))) is None  # the grid is by branch
    assert filtered_prepared(prepared, Filters()) is prepared


# --- settings -------------------------------------------------------------------------------------


def test_filters_are_checked_and_travel_in_scenario_files_and_links():
    scenario = sc.Scenario(filters=Filters(branches=("Ningbo Haishu", "Hangzhou, West"), tiers=(2, 1), as_of="2025-06"))
    assert scenario.filters.tiers == (1, 2)
    assert sc.scenario_from_json(sc.scenario_json(scenario)) == scenario
    assert links.scenario_from_query(links.scenario_query(scenario)).filters == scenario.filters
    for bad in ({"as_of": "2025-13"}, {"as_of": "June"}, {"tiers": (12,)}, {"branches": ("a", "a")}):
        with pytest.raises(ValueError, match="filters"):
            Filters(**bad)


def test_the_statement_names_places_tiers_and_month_and_the_caveats_say_what_cannot_go_back():
    filters = Filters(branches=("Ningbo Haishu",), tiers=(1,), as_of="2026-06")
    names = {"branch": {"Ningbo Haishu": "宁波海曙支行"}}
    assert statement(filters, "zh", ("大众客户", "富裕客户"), names) == "宁波海曙支行 · 富裕客户 · 截至2026年6月"
    assert statement(Filters(), "en") == ""
    caveats = [render(m, "en") for m in as_of_caveats(tiny_dataset(), filters)]
    assert caveats == [
        "Balances and holdings are the extract's snapshot, not as of June 2026: the file has no balance history."
    ]
    assert as_of_months(tiny_dataset())[:2] == ("2026-03", "2026-02")


# --- the app --------------------------------------------------------------------------------------

PAGES = ("overview", "segments", "visits", "products", "loyalty", "staff_kpis", "scenarios", "playbook")


@pytest.mark.slow
def test_every_page_runs_filtered_and_states_the_filter():
    from ui.settings import ACTIVE_KEY, ORIGIN_KEY

    filters = Filters(branches=("Ningbo Haishu",), tiers=(1,), as_of="2026-06")
    filtered = replace(sc.baseline_scenario(), filters=filters)
    at = AppTest.from_file("../app.py", default_timeout=180)
    at.run()
    unfiltered = {m.label: m.value for m in at.metric}
    at.session_state[ACTIVE_KEY] = filtered
    at.session_state[ORIGIN_KEY] = filtered
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        stated = [i.value for i in at.info if "Ningbo Haishu" in i.value]
        assert stated and "June 2026" in stated[0] and "affluent" in stated[0], page
        if page == "overview":
            shown = {m.label: m.value for m in at.metric}
            assert shown["Active customers"] != unfiltered["Active customers"]
            assert "June 2026" in " ".join(c.value for c in at.caption)


def test_an_empty_filter_stops_the_page_with_a_message():
    from ui.settings import ACTIVE_KEY, ORIGIN_KEY

    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    empty = replace(sc.baseline_scenario(), filters=Filters(relationship_managers=("Nobody at all",)))
    at.session_state[ACTIVE_KEY] = empty
    at.session_state[ORIGIN_KEY] = empty
    at.run()
    assert not at.exception
    assert any("No customer matches the filters" in w.value for w in at.warning)
