"""Headline KPIs over time (issue 20, item 2): exact lines on the tiny bank, complete quarters only,
period-on-period changes, the same figure as the tiles, and the Overview section in both languages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from streamlit.testing.v1 import AppTest

from crm_core.overview import overview_kpis
from crm_core.prepare import prepared_dataset
from crm_core.text_safety import safe_figure
from crm_core.trends import KpiTrends, kpi_trends, period_deltas, period_lines
from tests.conftest import tiny_dataset


@pytest.fixture(scope="module")
def tiny_trends() -> KpiTrends:
    return kpi_trends(prepared_dataset(tiny_dataset()))


def test_monthly_lines_of_the_tiny_bank(tiny_trends):
    monthly = tiny_trends.monthly.set_index("month")
    assert tiny_trends.undated == ()
    assert monthly.index[0] == pd.Timestamp("2024-03-01") and monthly.index[-1] == pd.Timestamp("2026-03-01")
    picked = monthly.loc[pd.to_datetime(["2024-03-01", "2024-08-01", "2025-09-01", "2025-12-01", "2026-03-01"])]
    expected = pd.DataFrame(
        {
            # A, C, D on the books; D closes Aug 2024; B opens Sep 2025; C closes Dec 2025
            "customers_on_books": [3, 2, 3, 2, 2],
            "new_customers": [0, 0, 1, 0, 0],
            "closures": [0, 1, 0, 1, 0],
            "transactions": [7.0, 0.0, 0.0, 0.0, 2.0],  # the unknown customer's row is left out
            "counter_transactions": [7.0, 0.0, 0.0, 0.0, 2.0],
            "off_counter_rate": [0.0, np.nan, np.nan, np.nan, 0.0],
        },
        index=picked.index,
    )
    pdt.assert_frame_equal(picked, expected, check_dtype=False)


def test_quarters_count_only_when_complete_and_rates_come_from_sums(tiny_trends):
    quarters = period_lines(tiny_trends, "quarter")
    # March 2024 alone is not a quarter; Q1 2026 is Jan-Mar 2026 (counter 2 of 7 transactions)
    assert quarters["period"].iloc[0] == pd.Timestamp("2024-04-01")
    assert quarters["period"].iloc[-1] == pd.Timestamp("2026-01-01")
    last = quarters.iloc[-1]
    assert (last["transactions"], last["counter_transactions"]) == (7.0, 2.0)
    assert last["off_counter_rate"] == pytest.approx(5 / 7)
    assert quarters.loc[quarters["period"] == pd.Timestamp("2025-10-01"), "closures"].item() == 1


def test_period_deltas_compare_with_the_period_before_and_a_year_before(tiny_trends):
    deltas = period_deltas(tiny_trends, "quarter").set_index("metric")
    assert deltas.loc["transactions", "value"] == 7.0
    assert deltas.loc["transactions", "year_ago"] == 4.0  # Q1 2025: A's March counter visits
    assert deltas.loc["transactions", "yoy"] == pytest.approx(0.75)
    assert deltas.loc["off_counter_rate", "yoy"] == pytest.approx(5 / 7 - 0.0)  # in points
    assert np.isnan(deltas.loc["off_counter_rate", "change"])  # no transactions in Q4 2025: no rate
    monthly = period_deltas(tiny_trends, "month").set_index("metric")
    assert monthly.loc["transactions", "change"] == pytest.approx(2 / 5 - 1)


def test_undated_extracts_say_what_they_cannot_draw():
    tiny = tiny_dataset()
    undated = type(tiny)("no dates", tiny.customers.drop(columns=["open_date", "closed_date"]), None, None, "u")
    trends = kpi_trends(prepared_dataset(undated))
    assert trends.metrics == ()
    assert set(trends.undated) == {
        "customers_on_books",
        "new_customers",
        "closures",
        "transactions",
        "off_counter_rate",
    }


def test_customers_on_the_books_in_the_last_month_is_the_active_customers_tile():
    from crm_core.sample import read_sample

    prepared = prepared_dataset(read_sample())
    trends = kpi_trends(prepared)
    tiles = overview_kpis(prepared).set_index("metric")
    assert trends.monthly["customers_on_books"].iloc[-1] == tiles.loc["customers", "value"]


@pytest.mark.parametrize("lang", ["EN", "中文"])
def test_the_overview_shows_the_trends_by_quarter_and_by_month(lang):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert len(table) == 5 and table.shape[1] == 4
    assert ("Q3 2026" if lang == "EN" else "2026年第3季度") in table.columns
    at.radio(key=f"views.trend_frequency@{'en' if lang == 'EN' else 'zh'}").set_value("month").run()
    assert not at.exception
    assert ("October 2026" if lang == "EN" else "2026年10月") in at.dataframe[-1].value.columns


def test_a_short_extract_has_no_complete_quarter():
    monthly = pd.DataFrame({"month": pd.date_range("2026-01-01", periods=2, freq="MS"), "new_customers": [1, 2]})
    assert period_lines(KpiTrends(monthly, ()), "quarter").empty
    assert period_deltas(KpiTrends(monthly, ()), "quarter").empty


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5])
def test_the_trend_grid_is_the_figure_make_subplots_draws(tiny_trends, count):
    """``trend_figure`` lays out its grid itself (``subplot_grid``, for speed): the figure is make_subplots'."""
    import json

    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from crm_core.charts import whole_number_ticks
    from crm_core.trends import trend_figure

    lines = period_lines(tiny_trends, "month")
    metrics = tiny_trends.metrics[:count]
    titles = {m: f"<{m}>" for m in metrics}
    rows = max(1, -(-count // 2))
    expected = make_subplots(rows=rows, cols=2, subplot_titles=[titles[m] for m in metrics], vertical_spacing=0.14)
    for i, metric in enumerate(metrics):
        trace = go.Scatter(x=lines["period"], y=lines[metric], mode="lines+markers", name=titles[metric],
                           showlegend=False)  # fmt: skip
        expected.add_trace(trace, row=i // 2 + 1, col=i % 2 + 1)
        axis = (
            {"tickformat": ".0%"}
            if metric == "off_counter_rate"
            else {"tickformat": ",.0f", **whole_number_ticks(lines[metric])}
        )
        expected.update_yaxes(**axis, row=i // 2 + 1, col=i % 2 + 1)
    expected.update_layout(height=230 * rows, margin={"l": 10, "r": 10, "t": 40, "b": 10}, hovermode="x unified")
    drawn = trend_figure(lines, metrics, titles, ("off_counter_rate",))
    expected = json.loads(safe_figure(expected).to_json())
    assert json.loads(drawn.to_json()) == expected
