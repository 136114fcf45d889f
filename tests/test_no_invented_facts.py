"""A file without dates never gets today's month as its date (issue 19: no invented facts)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from crm_core.dataset import Dataset
from crm_core.prepare import has_dates, prepared_dataset
from tests.conftest import app_on, tiny_dataset

ROOT = Path(__file__).resolve().parents[1]


def undated() -> Dataset:
    customers = pd.DataFrame(
        {
            "customer_id": pd.array(["A", "B", "C"], dtype="string"),
            "aum": [1e5, 2e4, 3e6],
            "churned": pd.array([True, False, False], dtype="boolean"),
        }
    )
    return Dataset("undated", customers, None, None, "undated")


def test_a_file_without_dates_is_not_dated():
    assert not has_dates(undated()) and not prepared_dataset(undated()).dated
    assert has_dates(tiny_dataset()) and prepared_dataset(tiny_dataset()).dated


def test_the_overview_says_the_month_is_unknown_and_names_the_churn_flag():
    at = app_on(undated())
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith("The data carries no dates") for c in captions), captions
    assert not any(c.startswith("Data as of") for c in captions)
    labels = [m.label for m in at.metric]
    assert "Churn rate (flag in the file)" in labels and "Churn rate, last 12 months" not in labels


def test_loyalty_names_the_churn_flag_too():
    """The Loyalty tile read "Churn rate, last 12 months" for BankChurners and Churn_Modelling (no closing dates)."""
    at = app_on(undated(), "EN", "loyalty")
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert "Churn rate (flag in the file)" in labels and "Churn rate, last 12 months" not in labels, labels


def test_every_page_names_the_measure_that_stands_in_for_aum():
    from dataclasses import replace

    at = app_on(replace(undated(), value_measure="credit_limit"), "中文")
    assert not at.exception, at.exception
    assert any("信用额度" in i.value and "代替" in i.value for i in at.info), [i.value for i in at.info]


def test_the_report_and_the_overview_name_a_stand_in_measure_as_what_it_is():
    """A credit limit standing in for AUM was "Total AUM: deposits plus investments" in the deck and on the
    Overview; the report's scope now carries the pages' banner, and the tile's caption names the measure."""
    from dataclasses import replace

    from crm_core.report import report_content
    from crm_core.scenarios import Scenario

    stand_in = replace(undated(), value_measure="credit_limit")
    for lang, words in (("en", "credit limit stands in for it"), ("zh", "信用额度代替")):
        report = report_content(prepared_dataset(stand_in), Scenario(), lang)
        assert any(words in line for line in report.scope), report.scope
    assert not any("stands in" in line for line in report_content(prepared_dataset(undated()), Scenario()).scope)
    at = app_on(stand_in)
    captions = [c.value for c in at.caption]
    assert "Total credit limit of active customers, standing in for AUM (the file has none)." in captions, captions
    assert "Deposits plus investments of active customers." not in captions


def test_the_report_does_not_date_an_undated_file():
    from crm_core.report import report_content
    from crm_core.scenarios import Scenario

    report = report_content(prepared_dataset(undated()), Scenario(), "en")
    assert report.subtitle.endswith("data as of an unknown month (the data carries no dates)"), report.subtitle


def test_loyalty_leaves_out_groups_too_small_to_show():
    from dataclasses import replace as replaced

    from crm_core.scenarios import Scenario
    from crm_core.segments import TierConfig

    five = TierConfig((5e4, 5e5, 6e6, 3e7), ("mass", "affluent", "high net worth", "private", "family office"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["lang"] = "EN"
    scenario = replaced(Scenario(), tiers=five)
    at.session_state["scenario_active"] = scenario
    at.session_state["scenario_origin"] = scenario
    at.run()
    at.switch_page("pages/loyalty.py").run()
    assert not at.exception, at.exception
    notes = [c.value for c in at.caption if c.value.startswith("Not shown by group")]
    assert notes and "family office" in notes[0], [c.value for c in at.caption]
    shown = " ".join(" ".join(d.value.astype(str).stack().tolist()) for d in at.dataframe)
    assert "family office" not in shown
