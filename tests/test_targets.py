"""KPI targets for the bank, branches and relationship managers (issue 20, item 3)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from crm_core import scenarios as sc
from crm_core.overview import overview_kpis
from crm_core.prepare import prepared_dataset
from crm_core.targets import KpiTarget, KpiTargets, target_status, targets_from_csv, unit_kpis
from tests.conftest import tiny_dataset
from ui.targets import targets_edited


@pytest.fixture(scope="module")
def tiny():
    return prepared_dataset(tiny_dataset())  # as of March 2026


def test_the_bank_level_is_the_overview_figure(tiny):
    bank = unit_kpis(tiny, "bank").set_index("metric")
    tiles = overview_kpis(tiny).set_index("metric")
    for metric in ("customers", "total_aum", "products_per_customer", "digital_active_share", "churn_rate"):
        assert bank.loc[metric, "value"] == tiles.loc[metric, "value"]
        assert bank.loc[metric, "previous"] == pytest.approx(tiles.loc[metric, "previous"], nan_ok=True)


def test_each_status_follows_the_stated_rule(tiny):
    plans = KpiTargets(
        (
            # North: A and B now, A a year ago: +1/12 a month; 3 by Sep 2026 needs 1/6 a month: exactly half → at risk
            KpiTarget("branch", "North", "customers", 3, "2026-09", "North head"),
            KpiTarget("branch", "North", "total_aum", 400, "2026-09"),  # 100 + 300 today: met
            # South: nobody now, C a year ago: moving the wrong way
            KpiTarget("branch", "South", "customers", 1, "2027-03"),
            # the bank's churn: 1 of 2 now, 1 of 3 before; less is better and it rose
            KpiTarget("bank", "", "churn_rate", 0.4, "2026-06"),
            KpiTarget("bank", "", "customers", 5, "2026-01"),  # the month has passed
            KpiTarget("relationship_manager", "Wang", "customers", 10, "2026-12"),  # no such column
        )
    )
    status = target_status(tiny, plans)
    assert status["status"].tolist() == ["at_risk", "met", "off_track", "off_track", "missed", "no_unit"]
    first = status.iloc[0]
    assert (first["current"], first["year_ago"], first["months_left"]) == (2, 1, 6)
    assert first["required_pace"] == pytest.approx(1 / 6) and first["recent_pace"] == pytest.approx(1 / 12)
    churn = status.iloc[3]
    assert churn["current"] == 0.5 and churn["year_ago"] == pytest.approx(1 / 3)
    assert churn["required_pace"] == pytest.approx(0.1 / 3) and churn["recent_pace"] == pytest.approx(
        -(0.5 - 1 / 3) / 12
    )


def test_an_undated_extract_cannot_rate_a_pace():
    tiny = tiny_dataset()
    undated = type(tiny)("undated", tiny.customers.drop(columns=["open_date", "closed_date"]), None, None, "u")
    status = target_status(prepared_dataset(undated), KpiTargets((KpiTarget("bank", "", "customers", 9, "2027-01"),)))
    assert status["status"].tolist() == ["not_rated"]


def test_targets_are_checked_and_kept_in_the_scenario():
    plans = KpiTargets((KpiTarget("branch", "Ningbo Haishu", "churn_rate", 0.08, "2027-06", "李行长"),))
    scenario = replace(sc.baseline_scenario(), targets=plans)
    assert sc.scenario_from_json(sc.scenario_json(scenario)) == scenario
    for bad, message in (
        ({"metric": "profit"}, "metric"),
        ({"due": "June"}, "YYYY-MM"),
        ({"target": 1.5}, "churn_rate"),  # a rate above 100%
        ({"level": "branch", "unit": ""}, "unit"),
    ):
        with pytest.raises(ValueError, match=message):
            KpiTarget(**{"level": "bank", "unit": "", "metric": "churn_rate", "target": 0.1, "due": "2027-01", **bad})
    with pytest.raises(ValueError, match="distinct"):
        KpiTargets((KpiTarget("bank", "", "customers", 1, "2027-01"), KpiTarget("bank", "", "customers", 2, "2027-06")))


def test_a_chinese_gb18030_csv_is_read_and_a_bad_row_is_named():
    text = (
        "层级,单位,指标,目标,截止月份,负责人\n"
        "branch,Ningbo Haishu,churn_rate,8%,2027-06,李行长\n"
        'bank,,customers,"15,000",2027-12,\n'
    )
    plans = targets_from_csv(text.encode("gb18030"))
    assert plans.items == (
        KpiTarget("branch", "Ningbo Haishu", "churn_rate", 0.08, "2027-06", "李行长"),
        KpiTarget("bank", "", "customers", 15000.0, "2027-12", ""),
    )
    with pytest.raises(ValueError, match=r"row 3: .*YYYY-MM"):
        targets_from_csv(b"level,metric,target,due\nbank,customers,1,2027-01\nbank,total_aum,5,next year\n")
    with pytest.raises(ValueError, match="'due' column"):
        targets_from_csv(b"level,metric,target\nbank,customers,1\n")


def test_the_editor_writes_complete_rows_and_waits_for_incomplete_ones():
    plans = KpiTargets((KpiTarget("bank", "", "customers", 15000, "2027-12"),))
    edits = {
        "edited_rows": {0: {"target": 16000.0, "owner": "Retail head"}},
        "added_rows": [
            {"level": "branch", "unit": "North", "metric": "churn_rate", "target": 0.05, "due": "2027-06"},
            {"level": "bank", "metric": "total_aum", "due": "2027-06"},  # no target yet
        ],
        "deleted_rows": [],
    }
    edited = targets_edited(plans, edits)
    assert edited.items == (
        KpiTarget("bank", "", "customers", 16000.0, "2027-12", "Retail head"),
        KpiTarget("branch", "North", "churn_rate", 0.05, "2027-06", ""),
    )
    assert targets_edited(edited, {"deleted_rows": [0]}).items == edited.items[1:]


@pytest.mark.parametrize("lang", ["EN", "中文"])
def test_the_playbook_shows_each_target_with_its_status(lang):
    from ui.settings import ACTIVE_KEY, ORIGIN_KEY

    plans = KpiTargets(
        (
            KpiTarget("bank", "", "customers", 15000, "2027-12", "Retail head"),
            KpiTarget("branch", "Ningbo Haishu", "churn_rate", 0.08, "2027-06"),
        )
    )
    scenario = replace(sc.baseline_scenario(), targets=plans)
    at = AppTest.from_file("../app.py", default_timeout=180)
    at.query_params["lang"] = lang
    at.run()
    at.session_state[ACTIVE_KEY] = scenario
    at.session_state[ORIGIN_KEY] = scenario
    at.switch_page("pages/playbook.py").run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if len(df.value) == 2 and df.value.shape[1] == 10)
    statuses = table.iloc[:, 0].tolist()
    if lang == "EN":
        assert statuses == ["🔴 off track", "🟠 at risk"]
        assert table.iloc[1, 2] == "Ningbo Haishu"
    else:
        assert statuses == ["🔴 偏离计划", "🟠 有风险"]
        assert table.iloc[1, 2] == "宁波海曙支行"
    assert isinstance(table, pd.DataFrame)
