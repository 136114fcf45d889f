"""Overview KPIs on the tiny bank, every figure worked out by hand in the comments."""

import math

import numpy as np
import pandas as pd
import pandas.testing as pdt

from crm_core.dataset import Dataset
from crm_core.overview import data_quality_notes, monthly_channel_totals, off_counter_rate, overview_kpis, top_share
from crm_core.prepare import prepared_dataset


def test_overview_kpis_exact(tiny):
    kpis = overview_kpis(prepared_dataset(tiny))
    nan = math.nan
    expected = pd.DataFrame(
        [
            # active A, B now; A, C open a year ago
            ("customers", "count", 2.0, 2.0, 0.0, "relative"),
            # 100 + 300 now; 50 + 200 a year ago
            ("total_aum", "money", 400.0, 250.0, 0.6, "relative"),
            # top 1 customer of two: 300/400 now, 200/250 then
            ("top1_aum_share", "share", 0.75, 0.8, -0.05, "points"),
            ("top2_aum_share", "share", 0.75, 0.8, -0.05, "points"),
            ("top10_aum_share", "share", 0.75, 0.8, -0.05, "points"),
            # A holds 2, B 1; a year ago A held 1 (credit card opened Jun 2025), C 1
            ("products_per_customer", "ratio", 1.5, 1.0, 0.5, "absolute"),
            # A uses mobile now; nobody was digital in the same months a year ago
            ("digital_active_share", "share", 0.5, 0.0, 0.5, "points"),
            # counter 2 in the last 12 months vs 4 before; no third year of data
            ("counter_txn_yoy", "share", -0.5, nan, nan, "points"),
            # C closed of A, C; D closed of A, C, D the year before
            ("churn_rate", "share", 0.5, 1 / 3, 0.5 - 1 / 3, "points"),
        ],
        columns=["metric", "unit", "value", "previous", "delta", "delta_kind"],
    )
    pdt.assert_frame_equal(kpis, expected)


def test_top_share():
    values = np.arange(1, 101, dtype=float)  # total 5050
    assert top_share(values, 0.01) == 100 / 5050
    assert top_share(values, 0.02) == (100 + 99) / 5050
    assert math.isnan(top_share(np.zeros(3), 0.1))
    assert math.isnan(top_share(np.array([]), 0.1))


def test_channel_totals_and_off_counter_rate(tiny):
    totals = monthly_channel_totals(prepared_dataset(tiny))
    march = totals[totals["month"] == pd.Timestamp("2026-03-01")].set_index("channel")["transactions"]
    assert march["counter"] == 2 and march.sum() == 2
    rate = off_counter_rate(totals)
    assert rate[pd.Timestamp("2026-02-01")] == 1.0  # only mobile that month
    assert rate[pd.Timestamp("2026-03-01")] == 0.0
    assert math.isnan(rate[pd.Timestamp("2025-01-01")])  # no transactions at all


def test_notes_name_what_is_missing(tiny):
    notes = dict(data_quality_notes(prepared_dataset(tiny)))
    assert notes["note_orphan_activity"] == {"count": 1}
    assert notes["note_customers_without_activity"] == {"count": 1}
    bare = Dataset("bare", tiny.customers[["customer_id", "aum"]], None, None, "bare")
    bare_notes = dict(data_quality_notes(prepared_dataset(bare)))
    assert "note_no_activity" in bare_notes and "note_no_products" in bare_notes
    assert bare_notes["note_missing_fields"] == {"fields": "aum_12m_ago, open_date, closed_date, age, branch"}


def test_kpis_without_optional_tables_are_nan_not_errors(tiny):
    bare = Dataset("bare", tiny.customers[["customer_id", "aum"]], None, None, "bare")
    kpis = overview_kpis(prepared_dataset(bare)).set_index("metric")
    assert kpis.loc["customers", "value"] == 4
    assert kpis.loc["total_aum", "value"] == 400
    assert math.isnan(kpis.loc["total_aum", "previous"])
    assert (
        kpis[["value"]]
        .drop(["customers", "total_aum", "top1_aum_share", "top2_aum_share", "top10_aum_share"])
        .isna()
        .all()
        .all()
    )
