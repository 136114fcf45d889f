"""AppTest of the Visits & channels page, by widget key, against crm_core."""

from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest
from streamlit.testing.v1 import AppTest

from crm_core import segments as seg
from crm_core import visits as vis
from crm_core.dataset import Dataset
from crm_core.messages import render
from crm_core.prepare import prepared_dataset
from crm_core.sample import read_sample
from ui.widgets import md

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
    bases = {"trend": "fitted trend", "last_12m": "last 12 months carried forward"}  # shown in words
    expected["forecast_basis"] = expected["forecast_basis"].map(bases)
    shown = staffing_table(at).reset_index(drop=True)
    assert list(shown.columns)[:2] == ["Branch", "Forecast from"]  # translated headers, same values
    pdt.assert_frame_equal(
        shown.set_axis(list(expected.columns), axis=1), expected.reset_index(drop=True), check_dtype=False
    )
    assert any(m.value.startswith("**At the fitted rate") for m in at.markdown)


def test_decline_is_stated_with_its_uncertainty(prepared):
    at = open_visits()
    cube = vis.visit_cube(prepared)
    fit = vis.bank_decline(cube)
    branches, _ = vis.branch_declines(cube)
    shown = [m.value for m in at.markdown]
    assert f"**{md(render(vis.halving_message(fit), 'en'))}**" in shown  # a range of years, not a month
    assert md(render(vis.curvature_message(fit), "en")) in shown
    steepest = render(vis.steepest_message(branches), "en")
    assert md(steepest) in shown and "and 9 others" in steepest  # 12 intervals overlap the steepest one's
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Segments as of the latest month") and "36 months" in c for c in captions)
    assert any("Newey–West with 3 lags" in c for c in captions)
    segments = next(d.value for d in at.dataframe if "Curvature check" in d.value.columns)
    tiers = seg.aum_tiers(prepared, seg.tier_preset("default"))
    expected, _ = vis.segment_declines(cube, tiers.codes, tiers.labels)
    starts, ends = expected["halving_from"].dt.year, expected["halving_to"].dt.year
    assert segments["Halves"].tolist() == [
        "" if pd.isna(a) else f"{int(a)} or later" if pd.isna(b) else str(int(a)) if a == b else f"{int(a)}–{int(b)}"
        for a, b in zip(starts, ends, strict=True)
    ]


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
