"""Transaction logs: aggregation into the activity contract, derived customers, dates, shapes, the Data page."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from crm_core import visits as vis
from crm_core.dataset import channel_dtype
from crm_core.loading import LoadOptions, load_dataset, load_table, read_file
from crm_core.loading.cli import check_main
from crm_core.loading.report import report_text
from crm_core.loading.shapes import file_shape
from crm_core.loading.transactions import (
    _months_since_1970,
    activity_from_codes,
    column_spellings,
    sorted_codes,
    transaction_dates,
)
from crm_core.messages import render
from crm_core.prepare import prepared_dataset
from tests.conftest import warning_texts
from ui.widgets import md

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
EXTRACTS = ROOT / "tests" / "fixtures" / "extracts"
ENGLISH = EXTRACTS / "transactions_en.csv"
CHINESE = EXTRACTS / "transactions_zh_gb18030.csv"

TINY = (
    b"customer_id,txn_date,channel,location,amount,balance\n"
    b"A,2024-01-05 09:00,Counter,North,10,100\n"
    b"A,2024-01-20,counter,North,5,95\n"
    b"A,2024-02-01,Mobile,South,,80\n"
    b"B,2024-01-31 23:59:59,ATM,South,7,500\n"
    b"B,2024-01-31 08:00,ATM,North,3,510\n"
)


def _activity(rows: list[tuple]) -> pd.DataFrame:
    ids, months, channels, counts, amounts = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "customer_id": pd.array(ids, dtype="string"),
            "month": pd.to_datetime(list(months)).astype("datetime64[ns]"),
            "channel": pd.Categorical(channels, dtype=channel_dtype()),
            "transactions": np.array(counts, dtype="int64"),
            "amount": np.array(amounts, dtype="float64"),
        }
    )


def test_a_tiny_log_becomes_exact_activity_and_customers():
    dataset, report = load_dataset([("log.csv", TINY)])
    expected = _activity(
        [
            ("A", "2024-01-01", "counter", 2, 15.0),
            ("A", "2024-02-01", "mobile", 1, np.nan),  # no amount known: missing, not zero
            ("B", "2024-01-01", "atm", 2, 10.0),
        ]
    )
    pd.testing.assert_frame_equal(dataset.activity, expected)
    # Branch: where most transactions happened (B ties North/South: alphabetically first). AUM: the
    # balance of the latest transaction, by time of day too (B's 23:59:59 row comes first in the file).
    customers = pd.DataFrame(
        {
            "customer_id": pd.array(["A", "B"], dtype="string"),
            "aum": [80.0, 500.0],
            "branch": pd.array(["North", "North"], dtype="string"),
        }
    )
    pd.testing.assert_frame_equal(dataset.customers, customers)
    file = report.files[0]
    assert (file.table, file.rows_read, file.rows_loaded, file.rows_rejected, file.rows_output) == (
        "activity",
        5,
        5,
        0,
        3,
    )
    assert "5 transactions → 3 activity rows (one per customer, month and channel)" in warning_texts(file.warnings)
    assert (
        warning_texts(report.warnings)[0]
        == "no customers file: 2 customers derived from the distinct customer ids of log.csv"
    )


@pytest.mark.parametrize("path", [ENGLISH, CHINESE])
def test_one_logs_customers_are_its_summary_as_the_merge_of_several_would_make_them(path):
    from crm_core.loading.reading import preview_file
    from crm_core.loading.transactions import derived_customers, transaction_log, transaction_mapping, transaction_rows

    preview = preview_file(path.name, path.read_bytes())
    mapping = transaction_mapping(preview.columns)
    log = transaction_log(transaction_rows(preview, mapping), mapping)
    alone, alone_notes = derived_customers([log])
    merged, merged_notes = derived_customers([log], [pd.Series([], dtype="string")])  # the general merge
    pd.testing.assert_frame_equal(alone, merged)
    assert alone_notes == merged_notes and len(alone) >= 6


def test_activity_from_codes_uses_the_sorted_path_for_a_wide_key_space():
    # 1,000 customers x 1,000 months x 5 channels exceeds the bincount bound: np.unique does the grouping.
    ids = pd.Series([f"c{n:04d}" for n in range(1_000)], dtype="string")
    customer = np.array([2, 0, 2, 0])
    month = np.array([0, 999, 0, 0])
    channel = np.array([1, 0, 1, 0])
    amount = np.array([1.0, 2.0, np.nan, 4.0])
    frame = activity_from_codes(customer, month, channel, amount, ids)
    assert frame["customer_id"].tolist() == ["c0000", "c0000", "c0002"]
    assert frame["month"].tolist() == [
        pd.Timestamp("1970-01-01"),
        pd.Timestamp("2053-04-01"),
        pd.Timestamp("1970-01-01"),
    ]
    assert frame["channel"].tolist() == ["counter", "counter", "atm"]
    assert frame["transactions"].tolist() == [1, 1, 2]
    assert frame["amount"].tolist() == [4.0, 2.0, 1.0]


@pytest.mark.parametrize("months", [3, 1_000], ids=["bincount", "sorted"])
@pytest.mark.parametrize("missing", [False, True], ids=["every amount", "a missing amount"])
def test_activity_from_codes_equals_a_group_by_on_both_paths(months, missing):
    rng = np.random.default_rng(7)
    n, customers = 500, 1_000
    customer, month = rng.integers(0, customers, n), rng.integers(0, months, n)
    channel, amount = rng.integers(0, 5, n), rng.normal(100, 50, n).round(2)
    if missing:
        amount[::7] = np.nan
    ids = pd.Series([f"c{k:04d}" for k in range(customers)], dtype="string")
    frame = activity_from_codes(customer, month, channel, amount, ids)
    rows = pd.DataFrame({"c": customer, "m": month, "h": channel, "a": amount})
    grouped = rows.groupby(["c", "m", "h"]).agg(n=("a", "size"), a=("a", lambda a: a.sum(min_count=1)))
    assert frame["transactions"].tolist() == grouped["n"].tolist()
    np.testing.assert_allclose(frame["amount"].to_numpy(), grouped["a"].to_numpy(), rtol=1e-12)
    assert frame["customer_id"].tolist() == [f"c{k:04d}" for k in grouped.index.get_level_values("c")]
    months_since_1970 = frame["month"].to_numpy().astype("datetime64[M]").astype("int64")
    assert months_since_1970.tolist() == grouped.index.get_level_values("m").tolist()  # months since 1970 given
    assert frame["channel"].cat.codes.tolist() == grouped.index.get_level_values("h").tolist()


def test_sorted_codes_clean_the_spellings_once_and_sort_the_values_by_code_point():
    cells = pd.Series([" b", "北京", "a", "b", "nan", None, "  ", "a ", "z"], dtype="string")
    coded = sorted_codes(cells)
    assert coded.distinct.tolist() == ["a", "b", "z", "北京"] and coded.distinct.dtype == "string"
    assert coded.codes.tolist() == [1, 3, 0, 1, -1, -1, -1, 0, 2]  # " b" and "b" are one value; markers missing
    assert coded.nan_cells == 1
    kept = np.array([True, True, False, True, True, True, True, False, True])
    assert sorted_codes(cells, kept).distinct.tolist() == ["b", "z", "北京"]  # "a" is only on rows left out
    assert sorted_codes(cells, kept).codes.tolist() == [0, 2, -1, 0, -1, -1, -1, -1, 1]
    encoded = sorted_codes(column_spellings(cells), kept)  # the encoding done first (on a worker), then finished
    assert encoded.codes.tolist() == [0, 2, -1, 0, -1, -1, -1, -1, 1]
    assert encoded.distinct.tolist() == ["b", "z", "北京"]


@pytest.mark.parametrize("low, high", [(-5e9, 5e9), (-2_208_988_800, 253_402_300_799)], ids=["table", "wide span"])
def test_months_since_1970_follow_the_calendar(low, high):
    seconds = np.random.default_rng(3).integers(int(low), int(high), 20_000)
    instants = seconds.astype("datetime64[s]")
    expected = instants.astype("datetime64[M]").astype("int64")
    assert (_months_since_1970(seconds) == expected).all()


def test_every_rejected_row_is_counted_with_its_reason():
    data = (
        "客户号,交易日期,渠道,交易金额\n"
        "K1,2024-01-05,柜面,10\n"
        ",2024-01-06,柜面,10\n"
        "K2,,柜面,10\n"
        "K2,nan,柜面,10\n"
        "K3,31/02/2024,柜面,10\n"
        "K3,1900-01-01,柜面,10\n"
        "K4,01-01-1800,柜面,10\n"
        "K4,2024-01-07,信鸽,10\n"
        "K5,2024-01-08,,10\n"
        ",,,\n"
        "K5,2024-01-09,手机银行,lots\n"
    ).encode("gb18030")
    dataset, report = load_dataset([("流水.csv", data)])
    file = report.files[0]
    assert [
        (report_text(issue.subject), issue.count, [e.row for e in issue.examples]) for issue in file.rejections
    ] == [
        ("blank line", 1, [11]),
        ("missing customer_id", 1, [3]),
        ("missing transaction date", 2, [4, 5]),
        ("invalid transaction date", 1, [6]),
        ("placeholder transaction date", 2, [7, 8]),
        ("unknown channel", 1, [9]),
        ("missing channel", 1, [10]),
    ]
    assert (file.rows_read, file.rows_loaded, file.rows_rejected) == (11, 2, 9)
    assert [(report_text(i.subject), i.count, i.field) for i in file.parse_failures] == [("交易金额", 1, "amount")]
    amounts = dataset.activity["amount"]  # 'lots' is no number: missing, row kept
    assert (amounts.iloc[0], bool(np.isnan(amounts.iloc[1]))) == (10.0, True)
    assert any("1 cell holds the text 'nan'" in w for w in warning_texts(file.warnings))
    assert any("2 placeholder dates" in w for w in warning_texts(file.warnings))
    assert dataset.customers["customer_id"].tolist() == ["K1", "K5"]  # ids of kept rows only
    assert dataset.customers["aum"].isna().all()
    assert any("AUM is unknown (missing, not zero)" in w for w in warning_texts(report.warnings))


def test_mixed_date_formats_are_read_and_their_ambiguity_stated():
    dates = transaction_dates(pd.Series(["05-03-2024", "5/3/24", "240305", "80105", "2024-03-05 14:30"]), "auto", 2026)
    stamps = dates.timestamps()
    assert [str(s) for s in stamps] == [
        "2024-03-05 00:00:00",
        "2024-03-05 00:00:00",
        "2024-03-05 00:00:00",
        "2008-01-05 00:00:00",  # an integer that lost its leading zero
        "2024-03-05 14:30:00",
    ]
    assert dict(dates.formats) == {"DD-MM-YYYY": 1, "D/M/YY": 1, "YYMMDD": 2, "YYYY-MM-DD": 1}
    assert (dates.order, dates.order_reason, dates.ambiguous, dates.two_digit_years) == ("DMY", "undecided", 2, 3)
    decided = transaction_dates(pd.Series(["05-03-2024", "13/1/24"]))
    assert (decided.order, decided.order_reason, decided.ambiguous) == ("DMY", "decided", 0)
    month_first = transaction_dates(pd.Series(["05-03-2024", "1/13/24"]))
    assert [str(s.date()) for s in month_first.timestamps()] == ["2024-05-03", "2024-01-13"]
    given = transaction_dates(pd.Series(["05-03-2024"]), "MDY")
    assert (str(given.timestamps()[0].date()), given.order_reason) == ("2024-05-03", "given")
    conflicting = transaction_dates(pd.Series(["13/01/2024", "01/13/2024"]))
    assert conflicting.order_reason == "conflicting" and conflicting.invalid.tolist() == [False, True]
    century = transaction_dates(pd.Series(["1/1/30", "1/1/24"]), pivot_year=2026)
    assert [s.year for s in century.timestamps()] == [1930, 2024]


def test_the_english_log_states_its_dates_and_aggregates():
    dataset, report = read_file(ENGLISH)
    file = report.files[0]
    assert (file.rows_read, file.rows_loaded, file.rows_rejected, file.rows_output) == (239, 238, 1, 215)
    assert [(report_text(i.subject), i.count, i.examples[0].row) for i in file.rejections] == [
        ("placeholder transaction date", 1, 42)
    ]
    warnings = "\n".join(warning_texts(file.warnings))
    # 140 dd-mm-yyyy (the 01-01-1800 placeholder among them), 69 d/m/yy, 30 YYMMDD: counted in the CSV by hand.
    assert "mixes 3 date formats: 140 DD-MM-YYYY, 69 D/M/YY, 30 YYMMDD" in warnings
    assert "no value in the column decides it; read as day / month / year" in warnings
    assert "column 'balance': 1 cell holds the text 'nan'" in warnings
    assert "238 transactions → 215 activity rows" in warnings
    assert dataset.activity["transactions"].sum() == 238
    months = dataset.activity["month"]
    assert (months.min(), months.max(), months.nunique()) == (
        pd.Timestamp("2023-01-01"),
        pd.Timestamp("2024-02-01"),
        14,
    )
    customers = dataset.customers
    assert len(customers) == 20 and customers["aum"].notna().all()
    assert sorted(customers["branch"].unique()) == ["Harbour", "Old Town", "Riverside"]


def test_the_chinese_log_alone_loads_without_a_value_measure():
    dataset, report = read_file(CHINESE)
    file = report.files[0]
    assert (file.encoding, file.table, file.rows_read, file.rows_loaded, file.rows_rejected) == (
        "gb18030",
        "activity",
        36,
        35,
        1,
    )
    assert [(report_text(i.subject), i.count) for i in file.rejections] == [("unknown channel", 1)]
    assert dataset.customers["customer_id"].tolist() == [f"K000{n}" for n in range(1, 7)]
    assert list(dataset.customers.columns) == ["customer_id", "aum"]  # no branch column to invent one from
    assert dataset.customers["aum"].isna().all()  # never a zero
    assert (
        "no balance column: AUM is unknown (missing, not zero) for every customer" in warning_texts(report.warnings)[-1]
    )


def test_a_log_without_channel_derives_customers_or_without_location_is_rejected_next_to_a_customers_file():
    log = b"CustomerID,TransactionDate,CustLocation,CustAccountBalance,TransactionAmount (INR)\n" + (
        b"C1,2/8/16,MUMBAI,17819.05,25\nC1,3/8/16,DELHI,nan,2\nC2,1/8/16,DELHI,2270.69,27999\n"
    )
    dataset, report = load_dataset([("kaggle.csv", log)])
    assert dataset.activity is None
    assert report.files[0].rows_loaded == 3
    assert any("no channel column" in w for w in warning_texts(report.files[0].warnings))
    assert dataset.customers["branch"].tolist() == ["DELHI", "DELHI"]  # C1 ties: alphabetically first
    assert dataset.customers["aum"].tolist() == [17819.05, 2270.69]  # C1's last recorded balance
    customers = ("customers.csv", b"customer_id,aum\nC1,10\nC2,20\n")
    unplaced = b"CustomerID,TransactionDate,TransactionAmount (INR)\nC1,2/8/16,25\nC1,3/8/16,2\nC2,1/8/16,27999\n"
    _, both = load_dataset([customers, ("log.csv", unplaced)])  # neither how nor where: nothing to add
    rejected = both.for_table("activity")
    assert [(report_text(i.subject), i.count) for i in rejected.rejections] == [
        ("no channel or location column (the log adds nothing to a customers file without one)", 3)
    ]
    assert rejected.rows_read == rejected.rows_loaded + rejected.rows_rejected == 3


def test_a_location_only_log_next_to_a_customers_file_trends_the_listed_customers():
    log = b"CustomerID,TransactionDate,CustLocation\n" + (
        b"C1,2/8/16,MUMBAI\nC1,3/8/16,DELHI\nC2,1/9/16,DELHI\nC9,5/9/16,DELHI\nC9,6/9/16,PUNE\nC8,7/9/16,PUNE\n"
    )
    customers = ("customers.csv", b"customer_id,aum,branch\nC1,10,B1\nC2,20,B2\nC3,30,B1\n")
    dataset, report = load_dataset([customers, ("kaggle.csv", log)])
    expected = pd.DataFrame(
        {
            "customer_id": pd.array(["C1", "C1", "C2"], dtype="string"),
            "month": pd.to_datetime(["2016-08-01", "2016-08-01", "2016-09-01"]).astype("datetime64[ns]"),
            "branch": pd.array(["DELHI", "MUMBAI", "DELHI"], dtype="string"),
            "transactions": np.array([1, 1, 1], dtype="int64"),
        }
    )
    pd.testing.assert_frame_equal(dataset.location_activity, expected)  # only the customers file's customers
    assert dataset.customers["customer_id"].tolist() == ["C1", "C2", "C3"]  # the log adds no customer
    assert dataset.customers["branch"].tolist() == ["B1", "B2", "B1"]  # nor overrides the file's branch
    file = report.for_table("activity")
    assert file.rows_read == file.rows_loaded == 6 and file.rows_rejected == 0  # loaded, none dropped silently
    assert (
        "3 transactions by location of 2 customers not in the customers file are left out of the trend by "
        "location (their rows are loaded; add those customers to the customers file to count them)"
    ) in warning_texts(report.warnings)
    prepared = prepared_dataset(dataset)
    assert prepared.dated and prepared.as_of == pd.Timestamp("2016-09-01")  # dated by the log


def test_load_table_of_a_log_returns_its_activity():
    frame, report = load_table("log.csv", TINY)
    assert len(frame) == report.rows_output == 3
    _, forced_report = load_table("log.csv", TINY, options=LoadOptions(table="customers"))
    assert forced_report.table == "customers"  # a forced table wins over the detected shape
    assert forced_report.duplicate_ids == 2


@pytest.mark.parametrize(
    ("columns", "rows", "kind"),
    [
        (
            ("客户号", "交易日期", "渠道", "交易金额"),
            [["C1", "2024-01-05", "柜面", "1"], ["C1", "2024-01-06", "柜面", "2"]],
            "transactions",
        ),
        (("cust_id", "month", "channel", "transactions"), [["C1", "2024-01", "atm", "3"]], "activity"),
        (("cust_id", "product", "balance"), [["C1", "基金", "10"]], "holdings"),
        (("cust_id", "信用卡", "理财"), [["C1", "是", "否"], ["C2", "否", "是"]], "flags"),
        (("branch_code", "branch_name"), [["001", "West"]], "lookup"),
        (("客户号", "金融资产"), [["C1", "10"], ["C2", "20"]], "customers"),
        (
            ("customer_id", "date", "branch", "aum"),
            [["C1", "2024-01-05", "W", "1"], ["C2", "2024-01-05", "W", "2"]],
            "customers",
        ),
    ],
)
def test_file_shape(columns, rows, kind):
    shape = file_shape(columns, pd.DataFrame(rows, columns=list(columns), dtype="string"))
    assert shape.kind == kind, shape


def test_check_json_reports_the_shape_of_every_file(tmp_path, capsys):
    lookup = tmp_path / "branches.csv"
    lookup.write_text("branch_code,branch_name\n001,West\n002,East\n", encoding="utf-8")
    assert check_main([str(ENGLISH), str(CHINESE), str(EXTRACTS / "chinese_customers.csv"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(f["file_name"], f["table"], f["shape"]["kind"], f["shape"]["confidence"]) for f in data["files"]] == [
        ("transactions_en.csv", "activity", "transactions", "high"),
        ("transactions_zh_gb18030.csv", "activity", "transactions", "high"),
        ("chinese_customers.csv", "customers", "customers", "high"),
    ]
    assert "customer ids repeat in the first rows" in data["files"][0]["shape"]["reason"]
    assert check_main([str(lookup), "--json"]) == 2
    failed = json.loads(capsys.readouterr().out)
    assert failed["usable"] is False
    assert failed["files"] == [
        {
            "file_name": "branches.csv",
            "shape": {
                "kind": "lookup",
                "reason": "no customer id column and no customer fields: a reference table",
                "confidence": "medium",
            },
        }
    ]
    assert check_main([str(ENGLISH)]) == 0
    text = capsys.readouterr().out
    assert "  shape: transactions (high confidence)" in text
    assert "  transactions 238 → activity rows 215" in text


def test_the_data_page_says_how_many_transactions_became_activity_rows_and_visits_trend_by_branch():
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="data_upload").set_value((ENGLISH.name, ENGLISH.read_bytes(), "text/csv")).run()
    assert not at.exception
    at.button(key="data_load").click().run()
    assert not at.exception
    summary = next(d.value for d in at.dataframe if "Transactions aggregated" in d.value.columns)
    assert summary["Transactions aggregated"].tolist() == ["238 transactions → 215 activity rows"]
    assert [m.value for m in at.metric] == ["239", "238", "1"]
    at.button(key="data_use").click().run()
    at.switch_page("pages/visits.py").run()
    assert not at.exception
    dataset, _ = read_file(ENGLISH)
    branches, _ = vis.branch_declines(vis.visit_cube(prepared_dataset(dataset)))
    assert sorted(branches["group"]) == ["Harbour", "Old Town", "Riverside"]  # the log's locations
    steepest = render(vis.steepest_message(branches), "en")
    assert steepest and md(steepest) in [m.value for m in at.markdown]


def location_only_log(months: int = 30, seed: int = 5) -> bytes:
    """A log that says where (three locations) but not through which channel: WEST loses a quarter a year."""
    rng = np.random.default_rng(seed)
    rows = ["CustomerID,TransactionDate,CustLocation,TransactionAmount (INR)"]
    for m in range(months):
        year, month = 2023 + m // 12, m % 12 + 1
        for place, level in (("EAST", 40), ("NORTH", 30), ("WEST", 60 * 0.75 ** (m / 12))):
            for i in range(rng.poisson(level)):
                rows.append(f"C{rng.integers(0, 40)},{rng.integers(1, 28)}/{month}/{year % 100},{place},{i + 1}")
    rows.append("C1,3/3/24,,5")  # a transaction with no location: loaded, not placed
    return ("\n".join(rows) + "\n").encode()


def test_a_location_only_log_counts_transactions_by_customer_month_and_location():
    dataset, report = load_dataset([("kaggle.csv", b"CustomerID,TransactionDate,CustLocation\n"
                                     b"C1,2/8/16,MUMBAI\nC1,3/8/16,DELHI\nC1,9/8/16,DELHI\nC2,1/9/16,DELHI\n"
                                     b"C2,2/9/16,\n")])  # fmt: skip
    expected = pd.DataFrame(
        {
            "customer_id": pd.array(["C1", "C1", "C2"], dtype="string"),
            "month": pd.to_datetime(["2016-08-01", "2016-08-01", "2016-09-01"]).astype("datetime64[ns]"),
            "branch": pd.array(["DELHI", "MUMBAI", "DELHI"], dtype="string"),
            "transactions": np.array([2, 1, 1], dtype="int64"),
        }
    )
    pd.testing.assert_frame_equal(dataset.location_activity, expected)
    assert dataset.activity is None  # no channel is invented
    file = report.files[0]
    assert file.rows_read == file.rows_loaded + file.rows_rejected == 5
    assert (
        "4 transactions without a channel → 3 monthly counts by location (column 'CustLocation'; 1 without a "
        "location left out): they show where transactions rise or fall, not through which channel"
    ) in warning_texts(file.warnings)


def test_a_location_trend_finds_the_falling_location_and_filters_keep_to_their_customers():
    from crm_core.filters import Filters, filtered_dataset

    dataset, _ = load_dataset([("log.csv", location_only_log())])
    trend = vis.location_trend(dataset.location_activity)
    table = trend.table.set_index("group")
    assert list(table.index) == ["EAST", "NORTH", "WEST"]
    assert trend.transactions == int(dataset.location_activity["transactions"].sum())
    assert table.loc["WEST", "rank"] == 1 and table.loc["WEST", "upper"] < 0  # falls, and the interval says so
    assert -0.35 < table.loc["WEST", "annual_change"] < -0.15
    assert table.loc["EAST", "lower"] < 0 < table.loc["EAST", "upper"]  # flat: its interval spans zero
    prepared = prepared_dataset(dataset)  # the log's months date the extract: never today's month
    assert prepared.dated and prepared.as_of == pd.Timestamp("2025-06-01")
    some = filtered_dataset(dataset, Filters(branches=("WEST",)))
    kept = set(some.customers["customer_id"])
    assert set(some.location_activity["customer_id"]) <= kept
    assert len(some.location_activity) < len(dataset.location_activity)


@pytest.mark.parametrize(
    ("lang", "heading"), [("EN", "Where transactions fall fastest"), ("中文", "交易下降最快的地点")]
)
def test_the_visits_page_shows_the_trend_by_location_of_a_log_without_channel(lang, heading):
    from tests.conftest import app_on

    dataset, _ = load_dataset([("log.csv", location_only_log())])
    at = app_on(dataset, lang, "visits", timeout=300)
    assert not at.exception, at.exception
    assert any(s.value.startswith(heading) for s in at.subheader), [s.value for s in at.subheader]
    said = "but not through which channel" if lang == "EN" else "但没有记录经由哪个渠道"
    assert any(said in i.value for i in at.info), [i.value for i in at.info]
    assert len(at.info) == 1, "one note says what is missing, not two"
    shown = next(d.value for d in at.dataframe if len(d.value) == 3)
    assert list(shown.iloc[:, 0]) == ["EAST", "NORTH", "WEST"]
    assert at.get("plotly_chart"), "the location chart is drawn"


def test_a_customers_file_with_a_location_only_log_reaches_the_trend_by_location_through_the_data_page():
    ids = [f"C{n}" for n in range(40)]
    customers = "customer_id,aum,age\n" + "".join(f"{c},{1000 * (n + 1)},{30 + n % 30}\n" for n, c in enumerate(ids))
    files = [("customers.csv", customers.encode()), ("log.csv", location_only_log())]
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="data_upload").set_value([(n, d, "text/csv") for n, d in files]).run()
    editor = next(
        f.value for f in at.dataframe if "column" in f.value.columns and "CustLocation" in set(f.value["column"])
    )
    rows = editor.set_index("column")  # the location is read by its header, not left looking ignored
    assert rows.loc["CustLocation", "confidence"] == "read as the location (by its header, at each load)"
    assert rows.loc["CustomerID", "confidence"] == "known header"
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    at.button(key="data_use").click().run()
    at.switch_page("pages/visits.py").run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("Where transactions fall fastest") for s in at.subheader)
    shown = next(d.value for d in at.dataframe if len(d.value) == 3)
    assert list(shown.iloc[:, 0]) == ["EAST", "NORTH", "WEST"]


@pytest.mark.parametrize(
    ("lang", "said"), [("en", "All transactions fall fastest at WEST: "), ("zh", "全部交易下降最快的地点是WEST：")]
)
def test_the_report_carries_the_trend_by_location_the_visits_page_shows(lang, said):
    from crm_core.report.content import report_content
    from crm_core.scenarios import Scenario

    dataset, _ = load_dataset([("log.csv", location_only_log())])
    prepared = prepared_dataset(dataset)
    step = report_content(prepared, Scenario(), lang).step("channels")
    trend = vis.location_trend(dataset.location_activity)  # the page's figure: one definition for both
    west = float(trend.table.set_index("group").loc["WEST", "annual_change"])
    assert step.available and said in step.headline
    assert step.chart.categories[0] == "WEST" and step.chart.series[0][1][0] == west
    assert step.numbers[0].value == west and step.numbers[1].value == trend.transactions


def test_the_deck_of_a_location_only_log_is_written(tmp_path):
    from crm_core.report.cli import report_main

    source = tmp_path / "log.csv"
    source.write_bytes(location_only_log())
    assert report_main(["--data", str(source), "--out", str(tmp_path / "deck.pptx")]) == 0
    assert (tmp_path / "deck.pptx").stat().st_size > 10_000
