"""Value parsers: numbers, yes/no, dates, months and missing markers."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_core.loading.values import (
    dates_with_ambiguity,
    missing_mask,
    parse_booleans,
    parse_dates,
    parse_integers,
    parse_months,
    parse_numbers,
)


def _series(values):
    return pd.Series(values, dtype="string")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234,567.5", 1234567.5),
        ("¥1,000", 1000.0),
        ("￥2000", 2000.0),
        ("$3.5", 3.5),
        ("100元", 100.0),
        ("RMB 10", 10.0),
        ("CNY10", 10.0),
        ("12.5万", 125000.0),
        ("1.2亿", 120000000.0),
        ("12%", 0.12),
        ("1e3", 1000.0),
        ("-42", -42.0),
        ("(1,234)", -1234.0),
        ("  7  ", 7.0),
        ("1.5万元", 15000.0),
    ],
)
def test_numbers_are_read_with_separators_currency_and_suffixes(text, expected):
    numbers, failed = parse_numbers(_series([text]))
    assert numbers.tolist() == [pytest.approx(expected)]
    assert failed.tolist() == [False]


def test_parentheses_are_a_failure_when_accounting_negatives_are_off():
    numbers, failed = parse_numbers(_series(["(5)"]), parentheses_negative=False)
    assert numbers.isna().tolist() == [True]
    assert failed.tolist() == [True]


@pytest.mark.parametrize("marker", ["", "NA", "n/a", "NULL", "None", "unknown", "-", "—", "NaN", " na "])
def test_missing_markers_are_missing_not_failures(marker):
    numbers, failed = parse_numbers(_series([marker]))
    assert numbers.isna().tolist() == [True]
    assert failed.tolist() == [False]
    assert missing_mask(_series([marker])).tolist() == [True]


def test_numbers_report_failures_only_for_text():
    numbers, failed = parse_numbers(_series(["abc", "1", None, "1.2.3"]))
    assert failed.tolist() == [True, False, False, True]
    assert numbers.iloc[1] == 1.0


def test_integers_refuse_fractions():
    numbers, failed = parse_integers(_series(["35", "35.5", "40.0", "x"]))
    assert numbers.dtype == "Int64"
    assert numbers.tolist() == [35, pd.NA, 40, pd.NA]
    assert failed.tolist() == [False, True, False, True]


def test_booleans_accept_every_spelling_in_any_case():
    truthy = ["1", "Y", "yes", "TRUE", "是", "S", "有", "t"]
    falsy = ["0", "n", "No", "false", "否", "无", "F"]
    flags, failed = parse_booleans(_series(truthy + falsy + ["maybe", "NA", None]))
    assert flags.dtype == "boolean"
    assert flags.tolist() == [True] * 8 + [False] * 7 + [pd.NA, pd.NA, pd.NA]
    assert failed.tolist() == [False] * 15 + [True, False, False]


def test_dates_in_every_accepted_style():
    dates, failed = parse_dates(
        _series(["2024-03-05", "2024/3/5", "20240305", "2024年3月5日", "2024.03.05", "2024-03-05 13:45:00", "tomorrow"])
    )
    assert dates.dtype == "datetime64[ns]"
    assert dates.iloc[:6].tolist() == [pd.Timestamp("2024-03-05")] * 6
    assert failed.tolist() == [False] * 6 + [True]


def test_day_first_is_decided_by_a_day_above_twelve():
    dates, _, ambiguous = dates_with_ambiguity(_series(["03/04/2024", "25/12/2023"]))
    assert dates.tolist() == [pd.Timestamp("2024-04-03"), pd.Timestamp("2023-12-25")]
    assert not ambiguous


def test_month_first_is_decided_by_a_second_number_above_twelve():
    dates, _, ambiguous = dates_with_ambiguity(_series(["03/04/2024", "12/25/2023"]))
    assert dates.tolist() == [pd.Timestamp("2024-03-04"), pd.Timestamp("2023-12-25")]
    assert not ambiguous


def test_undecidable_dates_use_the_default_and_say_so():
    dates, _, ambiguous = dates_with_ambiguity(_series(["03/04/2024"]))
    assert dates.tolist() == [pd.Timestamp("2024-04-03")]
    assert ambiguous


def test_explicit_date_order_wins():
    dates, _, ambiguous = dates_with_ambiguity(_series(["03/04/2024"]), date_order="MDY")
    assert dates.tolist() == [pd.Timestamp("2024-03-04")]
    assert not ambiguous


def test_impossible_dates_are_failures():
    dates, failed = parse_dates(_series(["2024-02-30", "2024-13-01"]))
    assert dates.isna().tolist() == [True, True]
    assert failed.tolist() == [True, True]


def test_months_accept_month_only_forms():
    months, failed = parse_months(_series(["2024-03", "202404", "2024年5月", "2024/6/17", "2024-7"]))
    assert months.tolist() == [pd.Timestamp(f"2024-{m:02d}-01") for m in (3, 4, 5, 6, 7)]
    assert not failed.any()


def test_parsers_do_not_mutate_their_input():
    values = _series([" 1,000 ", "Y"])
    before = values.copy()
    parse_numbers(values)
    parse_booleans(values)
    parse_dates(values)
    pd.testing.assert_series_equal(values, before)


def test_churn_words_are_read_stayed_words_first():
    from crm_core.loading.values import churn_flags

    values = _series(["Attrited Customer", "Existing Customer", "已流失", "未流失", "1", "no", "gold", None])
    flags, failed, read = churn_flags(values)
    assert flags.tolist() == [True, False, True, False, True, False, pd.NA, pd.NA]
    assert failed.tolist() == [False] * 6 + [True, False]
    assert read == {"Attrited Customer": True, "Existing Customer": False, "已流失": True, "未流失": False}


def test_picked_churn_values_decide_every_present_cell():
    from crm_core.loading.values import churn_flags

    flags, failed, _ = churn_flags(_series([" Gone ", "gold", None]), churn_values=("gone",))
    assert flags.tolist() == [True, False, pd.NA]
    assert not failed.any()


def test_yymmdd_integers_become_dates_with_the_latest_century_not_after_the_pivot():
    from crm_core.loading.values import yymmdd_dates

    dates = yymmdd_dates(pd.Series([150312, 80105, 991231, 151332]), pivot_year=2025)
    assert dates.tolist()[:3] == [pd.Timestamp("2015-03-12"), pd.Timestamp("2008-01-05"), pd.Timestamp("1999-12-31")]
    assert pd.isna(dates.iloc[3])  # month 13: not a date, never a guess
