"""AppTest of the Staff KPIs page, by widget key, against crm_core."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core import staff
from crm_core.prepare import prepared_dataset
from crm_core.sample import CUSTOMER_CENTRIC_BRANCH, DEPOSIT_PUSH_BRANCH, read_sample

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(scope="module")
def card():
    return staff.staff_scorecard(prepared_dataset(read_sample()), "branch")


def open_staff() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/staff_kpis.py").run()
    assert not at.exception, at.exception
    return at


def shown_units(at: AppTest) -> list[str]:
    table = next(d.value for d in at.dataframe if "Branch" in d.value.columns)
    return table["Branch"].tolist()


def expected_units(card, preset_key: str) -> list[str]:
    weights = staff.scorecard_weights(card, staff.PRESET_BY_KEY[preset_key])
    baseline = staff.scorecard_weights(card, staff.PRESET_BY_KEY["deposit_sales"])
    return staff.ranking_table(card, weights, baseline)["unit"].tolist()


def test_opens_on_a_difference_and_the_preset_drives_the_table(card):
    at = open_staff()  # the Baseline scenario keeps deposit & sales: the page shows the proposed change
    assert at.selectbox(key="staff.preset@en").value == "deposit_sales"
    assert any("Proposed strategy" in i.value for i in at.info)
    assert shown_units(at) == expected_units(card, "customer_centric")
    assert any("rises" in m.value for m in at.markdown if m.value.startswith("**From"))
    at.selectbox(key="staff.preset@en").set_value("customer_centric").run()
    assert not at.exception
    assert at.session_state["scenario_active"].staff_weights == staff.PRESET_BY_KEY["customer_centric"].weights
    assert not any("Proposed strategy" in i.value for i in at.info)  # now the scenario's own weights
    assert shown_units(at) == expected_units(card, "customer_centric")
    units = shown_units(at)
    assert units.index(CUSTOMER_CENTRIC_BRANCH) < units.index(DEPOSIT_PUSH_BRANCH)
    assert any(DEPOSIT_PUSH_BRANCH in w.value for w in at.warning)  # guardrail flag
    at.selectbox(key="staff_baseline@en").set_value("customer_centric").run()
    assert shown_units(at) == expected_units(card, "customer_centric")
    assert at.session_state["scenario_active"].staff_baseline == "customer_centric"


def test_baseline_scenario_ranks_deposit_and_sales_first_under_its_own_weights(card):
    weights = staff.scorecard_weights(card, staff.PRESET_BY_KEY["deposit_sales"])
    assert staff.ranking_table(card, weights, weights)["unit"].iloc[0] == DEPOSIT_PUSH_BRANCH


def test_weights_always_sum_to_100():
    at = open_staff()
    at.slider(key="staff_weights.retention").set_value(55).run()
    weights = dict(at.session_state["scenario_active"].staff_weights)
    assert sum(weights.values()) == 100 and weights["retention"] == 55
    assert at.selectbox(key="staff.preset@en").value == "custom"


def test_relationship_manager_level_renders():
    at = open_staff()
    at.segmented_control(key="views.staff_level@en").set_value("relationship_manager").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Relationship manager" in d.value.columns)
    assert len(table) > 100


def test_ranking_shows_rank_ranges_and_what_they_can_tell_apart(card):
    at = open_staff()
    table = next(d.value for d in at.dataframe if "Branch" in d.value.columns)
    ranges = dict(zip(table["Branch"], table["Rank range (90%)"], strict=True))
    weights = staff.scorecard_weights(card, staff.PRESET_BY_KEY["customer_centric"])
    expected = staff.ranking_table(card, weights, weights).set_index("unit")
    top = expected.index[0]
    assert ranges[top] == f"{expected.loc[top, 'rank_low']}–{expected.loc[top, 'rank_high']}"
    assert any(i.value.startswith(f"{top} ranks first") for i in at.info)  # Markdown-escaped text
    assert any("empirical Bayes" in c.value for c in at.caption)
    charts = [c for c in at.get("plotly_chart") if c.proto.id and "staff_interval_chart" in c.proto.id]
    assert len(charts) == 1
    figure = json.loads(charts[0].proto.spec)
    assert figure["data"][0]["error_x"]["type"] == "data"
    at.segmented_control(key="views.staff_level@en").set_value("relationship_manager").run()
    assert any("relationship managers can be told apart" in i.value for i in at.info)
