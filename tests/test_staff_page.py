"""AppTest of the Staff KPIs page, by widget key, against crm_core."""

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


def test_switching_the_preset_reorders_the_table_as_crm_core_computes(card):
    at = open_staff()  # the Baseline scenario: deposit & sales oriented, compared with itself
    assert at.selectbox(key="staff_preset").value == "deposit_sales"
    assert shown_units(at) == expected_units(card, "deposit_sales")
    assert shown_units(at)[0] == DEPOSIT_PUSH_BRANCH
    at.selectbox(key="staff_preset").set_value("customer_centric").run()
    assert not at.exception
    assert shown_units(at) == expected_units(card, "customer_centric")
    units = shown_units(at)
    assert units.index(CUSTOMER_CENTRIC_BRANCH) < units.index(DEPOSIT_PUSH_BRANCH)
    assert any(DEPOSIT_PUSH_BRANCH in w.value for w in at.warning)  # guardrail flag


def test_weights_always_sum_to_100():
    at = open_staff()
    at.slider(key="staff_weight_retention").set_value(55).run()
    weights = [at.session_state[k] for k in at.session_state if str(k).startswith("staff_weight_")]
    assert sum(weights) == 100 and at.session_state["staff_weight_retention"] == 55


def test_relationship_manager_level_renders():
    at = open_staff()
    at.segmented_control(key="staff_level").set_value("relationship_manager").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Relationship manager" in d.value.columns)
    assert len(table) > 100
