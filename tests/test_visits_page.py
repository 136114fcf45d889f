"""AppTest of the Visits & channels page, by widget key, against crm_core."""

from pathlib import Path

import pandas.testing as pdt
import pytest
from streamlit.testing.v1 import AppTest

from crm_core import segments as seg
from crm_core import visits as vis
from crm_core.dataset import Dataset
from crm_core.prepare import prepared_dataset
from crm_core.sample import read_sample

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(scope="module")
def prepared():
    return prepared_dataset(read_sample())


def open_visits() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/visits.py").run()
    assert not at.exception, at.exception
    return at


def staffing_table(at: AppTest):
    return next(d.value for d in at.dataframe if "Tellers after" in d.value.columns)


def test_what_if_staffing_follows_crm_core(prepared):
    at = open_visits()
    at.slider(key="visits_what_if.adoption_increase_pp").set_value(25).run()
    at.number_input(key="visits_what_if.transactions_per_teller_month").set_value(1_200).run()
    assert not at.exception
    cube = vis.visit_cube(prepared)
    _, fits = vis.branch_declines(cube)
    tiers = seg.aum_tiers(prepared, seg.tier_preset("default"))
    inputs = vis.WhatIfInputs(tuple(range(len(tiers.labels))), 25.0, 0.7, 1_200.0)  # none chosen = all
    expected = vis.what_if_staffing(vis.what_if_base(cube, tiers.codes, tiers.labels, fits), inputs)
    shown = staffing_table(at).reset_index(drop=True)
    assert list(shown.columns)[:2] == ["Branch", "Forecast from"]  # translated headers, same values
    pdt.assert_frame_equal(
        shown.set_axis(list(expected.columns), axis=1), expected.reset_index(drop=True), check_dtype=False
    )
    assert any(m.value.startswith("**At this rate") for m in at.markdown)


def test_without_activity_the_page_says_what_is_missing(monkeypatch):
    sample = read_sample()
    bare = Dataset("no activity", sample.customers, None, sample.holdings, "no-activity")
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["uploaded_dataset"] = bare
    at.session_state["data_source"] = "upload"
    at.run()
    at.switch_page("pages/visits.py").run()
    assert not at.exception
    assert at.info, "no explanation shown"
    assert len(at.get("download_button")) == 1  # the activity template
