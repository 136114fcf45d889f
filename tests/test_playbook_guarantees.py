"""Guarantee measures: KPIs measured on the tiny bank, editable targets, translated export."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from crm_core.dataset import Dataset
from crm_core.exports import csv_bytes, excel_workbook
from crm_core.messages import render
from crm_core.playbook import (
    GUARANTEE_COLUMNS,
    GuaranteeTargets,
    guarantee_measures,
    guarantee_table_for_export,
    guarantee_table_in,
)
from crm_core.prepare import prepared_dataset
from crm_core.scenarios import Scenario, proposed_scenario


def test_tiny_bank_measures(tiny):
    prepared = prepared_dataset(tiny)
    table = guarantee_measures(prepared, Scenario())
    # Off-counter: Apr 2025–Mar 2026 hold A's 2 counter + 5 mobile and B's 3 online transactions → 8 / 10.
    # Digital adoption: A used mobile in Feb 2026, B not in the last 3 months → 1 / 2.
    # Completeness: 5 of the 20 optional fields (branch, age, open_date, tenure_months, aum_12m_ago) filled.
    # Staff weight on customers: new customers 20% of the deposit & sales preset.
    # Retention: C of A and C (on the books a year ago) closed → 1 / 2.
    expected = pd.DataFrame(
        {
            "kpi": ["rm_coverage", "off_counter_rate", "data_completeness", "digital_adoption", "cross_sell_ratio",
                    "satisfaction", "customer_weight", "retention"],
            "current": [np.nan, 0.8, 0.25, 0.5, 1.5, np.nan, 0.2, 0.5],
            "target": [0.95, 0.9029, 0.95, 0.75, 2.8, 4.0, 0.4, 0.92],
            "available": [False, True, True, True, True, False, True, True],
        }
    )  # fmt: skip
    pd.testing.assert_frame_equal(table[["kpi", "current", "target", "available"]], expected)
    assert list(table.columns) == list(GUARANTEE_COLUMNS)
    assert table["gap"].round(4).tolist()[1:5] == [0.1029, 0.7, 0.25, 1.3]
    assert table["met"].isna().tolist() == [True, False, False, False, False, True, False, False]
    assert (table["owner"] == "").all() and (table["milestone"] == "").all()  # unset: worded "TBD" at the edge
    worded = guarantee_table_in(table, "zh")
    assert (worded["owner"] == "待定").all() and worded.loc[0, "area_label"] == "组织保障"
    assert render(table.loc[0, "reason"], "en") == "No relationship_manager column."
    assert table["area"].unique().tolist() == ["organisation", "data_technology", "talent_training", "incentives"]


def test_targets_owners_and_scenario_change_the_table(tiny):
    prepared = prepared_dataset(tiny)
    targets = GuaranteeTargets().with_target("retention", 0.4, owner="Retail head", milestone="2026-Q4")
    table = guarantee_measures(prepared, proposed_scenario(), targets).set_index("kpi")
    assert table.loc["retention", ["target", "owner", "milestone"]].tolist() == [0.4, "Retail head", "2026-Q4"]
    assert bool(table.loc["retention", "met"]) and table.loc["retention", "gap"] == pytest.approx(-0.1)
    assert table.loc["customer_weight", "current"] == 0.5  # customer-centric: 20 + 12 + 13 + 5


def test_without_activity_the_visit_kpis_say_why(tiny):
    bare = Dataset("bare", tiny.customers, None, None, "bare")
    table = guarantee_table_in(guarantee_measures(prepared_dataset(bare), Scenario()), "zh").set_index("kpi")
    assert not table.loc["digital_adoption", "available"]
    assert table.loc["digital_adoption", "reason"] == "没有交易数据（月度交易活动表）。"
    assert table.loc["off_counter_rate", "kpi_label"] == "离柜率"


def test_export_is_translated_and_spreadsheet_ready(tiny):
    prepared = prepared_dataset(tiny)
    before = prepared.customers.copy()
    table = guarantee_measures(prepared, Scenario())
    pd.testing.assert_frame_equal(prepared.customers, before)
    export = guarantee_table_for_export(table, "zh")
    assert list(export.columns) == [
        "保障领域", "指标", "计算口径", "单位", "当前值", "目标值", "距目标差距", "是否达标", "负责人", "里程碑",
        "说明",
    ]  # fmt: skip
    assert export["是否达标"].tolist() == ["", "否", "否", "否", "否", "", "否", "否"]
    assert export.loc[0, "保障领域"] == "组织保障"
    english = guarantee_table_for_export(guarantee_measures(prepared, Scenario()), "en")
    assert english.columns[0] == "Area" and english.loc[1, "Current"] == 0.8
    assert csv_bytes(export).startswith("\ufeff保障领域".encode())
    read = pd.read_excel(io.BytesIO(excel_workbook({"保障措施": export})))
    assert read.shape == export.shape
