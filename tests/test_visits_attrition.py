"""Silent attrition, formula-safe exports, KPI tiles and figures."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pandas.testing as pdt
import pytest

from crm_core.messages import render
from crm_core.prepare import prepared_dataset
from crm_core.visits import (
    DEFAULT_ATTRITION,
    SilentAttritionRule,
    bank_decline,
    branch_declines,
    channel_benchmark_figure,
    channel_trend,
    config_from_json,
    config_json,
    counter_forecast,
    csv_bytes,
    decline_ranking_figure,
    excel_bytes,
    fitted_history,
    forecast_figure,
    formula_safe,
    off_counter_rates,
    silent_attrition,
    substitution_figure,
    substitution_flows,
    visit_cube,
    visit_kpis,
)
from crm_core.visits.examples import monthly_dataset


def pair(before: int, after: int) -> list[int]:
    return [before] + [0] * 22 + [after]


def attrition_dataset():
    """P and T match; Q went digital; R kept its AUM; S is closed; U had too few visits to count."""
    customers = pd.DataFrame(
        {
            "customer_id": ["P", "Q", "R", "S", "T", "U"],
            "aum": [50.0, 50.0, 95.0, 10.0, 8.0, 1.0],
            "aum_12m_ago": [100.0, 100.0, 100.0, 100.0, 20.0, 10.0],
            "branch": ["North", "North", "South", "South", "South", "North"],
            "relationship_manager": ["=HYPERLINK(1)", "RM2", "RM3", "RM4", "RM5", "RM6"],
            "churned": [False, False, False, True, False, False],
        }
    )
    counts = {
        ("P", "counter"): pair(10, 2),
        ("Q", "counter"): pair(10, 2),
        ("Q", "mobile"): pair(0, 5),
        ("R", "counter"): pair(10, 2),
        ("S", "counter"): pair(10, 2),
        ("T", "counter"): pair(6, 4),
        ("T", "online"): pair(1, 1),
        ("U", "counter"): pair(2, 0),
    }
    return monthly_dataset(customers, counts, first_month="2024-11")


def test_silent_attrition_exact_list():
    prepared = prepared_dataset(attrition_dataset())
    at_risk = silent_attrition(prepared, visit_cube(prepared))
    expected = pd.DataFrame(
        {
            "customer_id": pd.array(["P", "T"], dtype="string"),
            "branch": pd.array(["North", "South"], dtype="string"),
            "relationship_manager": pd.array(["=HYPERLINK(1)", "RM5"], dtype="string"),
            "aum": [50.0, 8.0],
            "aum_12m_ago": [100.0, 20.0],
            "aum_trend": [-0.5, -0.6],
            "counter_prev_12m": np.array([10, 6], dtype=np.int64),
            "counter_12m": np.array([2, 4], dtype=np.int64),
            "digital_prev_12m": np.array([0, 1], dtype=np.int64),
            "digital_12m": np.array([0, 1], dtype=np.int64),
        }
    )
    pdt.assert_frame_equal(at_risk, expected)
    with_closed = silent_attrition(prepared, visit_cube(prepared), SilentAttritionRule(active_only=False))
    assert with_closed["customer_id"].tolist() == ["P", "S", "T"]


def test_rule_is_frozen_data_with_sentences():
    rule = SilentAttritionRule(aum_trend_below=-0.2)
    assert config_from_json(SilentAttritionRule, config_json(rule)) == rule
    assert "30%" in render(DEFAULT_ATTRITION.message(), "en") and "-10%" in render(DEFAULT_ATTRITION.message(), "en")
    assert render(DEFAULT_ATTRITION.message(), "zh").startswith("近12个月柜面交易")


def test_formula_escaping_touches_text_only():
    frame = pd.DataFrame(
        {
            "text": pd.array(["=SUM(A1)", "+1", "-2", "@x", "\tx", "\rx", "plain", None], dtype="string"),
            "objects": ["=1", "ok", "-", "a=b", 5, None, "@", "x"],
            "number": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, np.nan],
        }
    )
    before = frame.copy()
    safe = formula_safe(frame)
    assert safe["text"].tolist() == ["'=SUM(A1)", "'+1", "'-2", "'@x", "'\tx", "'\rx", "plain", pd.NA]
    assert safe["objects"].tolist() == ["'=1", "ok", "'-", "a=b", 5, None, "'@", "x"]
    assert safe["number"].tolist()[:7] == [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    pdt.assert_frame_equal(frame, before)


def test_csv_has_a_byte_order_mark_and_escaped_cells():
    frame = pd.DataFrame({"经理": ["=cmd", "王"], "aum": [-1.5, 2.0]})
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["经理,aum", "'=cmd,-1.5", "王,2.0"]


def test_excel_holds_escaped_text_and_real_numbers():
    frame = pd.DataFrame({"name": ["-10+20", "张三"], "aum": [-10.0, 20.0]})
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(frame, "at risk"))).active
    assert sheet.title == "at risk"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["name", "aum"],
        ["'-10+20", -10],
        ["张三", 20],
    ]
    assert sheet["A2"].data_type == "s" and sheet["B2"].data_type == "n"


def test_kpis_on_the_attrition_dataset():
    prepared = prepared_dataset(attrition_dataset())
    cube = visit_cube(prepared)
    kpis = visit_kpis(prepared, cube, bank_decline(cube)).set_index("metric")
    assert list(kpis.index) == [
        "off_counter_rate",
        "counter_decline_per_year",
        "mobile_active_share",
        "silent_attrition_customers",
    ]
    assert kpis.loc["silent_attrition_customers", "value"] == 2.0
    assert kpis.loc["mobile_active_share", "value"] == 1 / 5  # Q of five open customers
    # Last 12 months: counter 2+2+2+2+4 = 12 (S too: it is in the data), mobile 5, online 1 -> 6 of 18 off the counter.
    assert kpis.loc["off_counter_rate", "value"] == pytest.approx(6 / 18)
    assert kpis.loc["off_counter_rate", "reference"] == 0.9029
    assert kpis.loc["off_counter_rate", "reference_year"] == 2021


def test_figures_carry_their_labels_and_shapes(small_sample):
    from crm_core.dataset import Dataset

    prepared = prepared_dataset(Dataset("s", small_sample.customers, small_sample.activity, None, "s"))
    cube = visit_cube(prepared)
    labels = {"title": "Channels", "y_title": "Transactions", "rate_title": "Off-counter", "rate": "Rate"}
    figure = channel_benchmark_figure(
        channel_trend(prepared), off_counter_rates(prepared), {"counter": "Counter"}, labels | {"benchmark": "CBA"}
    )
    names = [t.name for t in figure.data]
    assert names[0] == "Counter" and names[-2:] == ["Rate", "CBA"]
    assert figure.data[-1].line.dash == "dash" and figure.data[-1].yaxis == "y2"
    assert figure.layout.title.text == "Channels" and figure.layout.yaxis2.title.text == "Off-counter"

    table, _ = branch_declines(cube)
    ranking = decline_ranking_figure(table, "Decline by branch", "% per year")
    bar = ranking.data[0]
    assert list(bar.y)[-1] == table.sort_values("annual_change")["group"].iloc[0]  # steepest on top
    assert bar.error_x.array is not None and len(bar.x) == len(table)
    assert ranking.layout.xaxis.title.text == "% per year"

    fit = bank_decline(cube)
    series = cube.counter.sum(axis=1)
    chart = forecast_figure(
        fitted_history(fit, series, cube.months),
        counter_forecast(fit),
        {"title": "Forecast", "y_title": "Counter", "actual": "A", "fitted": "T", "forecast": "F", "band": "B"},
    )
    assert [t.name for t in chart.data] == ["A", "T", None, "B", "F"]
    assert chart.data[-1].line.dash == "dash" and chart.data[3].fill == "tonexty"
    assert len(chart.data[-1].x) == 13  # starts at the last actual month

    flows = substitution_flows(cube, prepared.customers["age_band"].cat.codes.to_numpy(), list("abcdef"))
    stacked = substitution_figure(flows, {"title": "Where it went", "x_title": "Tx", "moved": "M", "gone": "G"})
    assert [t.name for t in stacked.data] == ["M", "G"] and stacked.layout.barmode == "stack"
    assert list(stacked.data[0].y) == list("abcdef")
