"""Fast paths of the loader give exactly what the general text rules give, and are taken when they should be."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pa_compute
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_core.loading import load_table
from crm_core.loading.building import numeric_fields_of
from crm_core.loading.loader import file_preview, suggested_mapping_for
from crm_core.loading.reading import _HEAD_BYTES, decoded_head, is_utf8, preview_file, read_rows
from crm_core.loading.report import report_text
from crm_core.loading.values import (
    _CAPITALS_OF,
    MISSING_MARKERS,
    _strict_iso_dates,
    parse_dates,
    parse_integers,
    parse_text,
)


def _csv(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def _old_parse_text(values: pd.Series) -> pd.Series:
    """The text rule as pandas string methods spell it: strip, then markers compared lower-cased."""
    text = values.astype("string").str.strip()
    return text.mask(text.str.lower().isin(MISSING_MARKERS))


def test_every_code_point_that_lowercases_to_a_marker_letter_is_a_known_spelling():
    points = [chr(point) for point in range(sys.maxunicode + 1) if not 0xD800 <= point < 0xE000]
    lowered = pa_compute.utf8_lower(pa.array(points)).to_pylist()
    letters = set("".join(MISSING_MARKERS))
    found: dict[str, set[str]] = {}
    for point, lower in zip(points, lowered, strict=True):
        if lower in letters:
            found.setdefault(lower, set()).add(point)
    assert found == {letter: {letter, letter.upper(), *_CAPITALS_OF.get(letter, "")} for letter in letters}


def test_markers_in_any_case_and_unicode_whitespace_become_missing():
    values = pd.Series([" nUlL ", "UN\u212aNOWN", "\u3000西湖支行\u3000", "N/a", "—", "nonempty", None], dtype="string")
    expected = pd.Series([None, None, "西湖支行", None, None, "nonempty", None], dtype="string")
    pd.testing.assert_series_equal(parse_text(values), expected)


_cells = st.text(alphabet=list("nNaAuUkKlLoOwWeE/#-—\u212a 西\t\u3000\u00a0x1"), max_size=9)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _cells), max_size=12))
def test_text_rule_matches_the_pandas_string_rule(cells):
    values = pd.Series(cells, dtype="string")
    pd.testing.assert_series_equal(parse_text(values), _old_parse_text(values))


def test_text_without_anything_to_strip_is_returned_unchanged():
    values = pd.Series(["C001", "C002"], dtype="string")
    pd.testing.assert_series_equal(parse_text(values), values)


def test_a_column_of_iso_dates_takes_the_strict_path_and_matches_the_general_parser():
    cells = ["2024-03-05", " 2024-02-29 ", "NA", "", "1999-12-31", None]
    strict = pd.Series(cells, dtype="string")
    general = pd.Series([*cells, "2024年3月5日"], dtype="string")  # one Chinese date: the general parser
    assert _strict_iso_dates(strict) is not None
    assert _strict_iso_dates(general) is None
    fast, fast_failed = parse_dates(strict)
    slow, slow_failed = parse_dates(general)
    pd.testing.assert_series_equal(fast, slow.iloc[:-1])
    pd.testing.assert_series_equal(fast_failed, slow_failed.iloc[:-1])
    assert fast.dtype == "datetime64[ns]"
    assert [str(d.date()) if pd.notna(d) else None for d in fast] == [
        "2024-03-05",
        "2024-02-29",
        None,
        None,
        "1999-12-31",
        None,
    ]


@pytest.mark.parametrize("cell", ["2023-02-29", "2024-3-5", "2024-03-05 10:00"])
def test_dates_the_strict_cast_cannot_take_go_to_the_general_parser(cell):
    values = pd.Series(["2024-03-05", cell], dtype="string")
    assert _strict_iso_dates(values) is None
    dates, failed = parse_dates(values)
    assert str(dates.iloc[0].date()) == "2024-03-05"
    assert failed.iloc[0] == np.False_


def test_dates_beyond_what_nanoseconds_hold_are_left_to_the_general_parser():
    assert _strict_iso_dates(pd.Series(["2024-03-05", "1500-01-01"], dtype="string")) is None
    assert _strict_iso_dates(pd.Series(["2262-01-01"], dtype="string")) is None
    assert _strict_iso_dates(pd.Series(["2261-12-31", "1678-01-01"], dtype="string")) is not None


def test_integers_from_typed_numbers_are_exact():
    numbers, failed = parse_integers(pd.Series([35.0, 35.5, np.nan, 2.0**53, -0.0, -7.0]))
    assert numbers.dtype == "Int64"
    assert numbers.tolist() == [35, pd.NA, pd.NA, pd.NA, 0, -7]
    assert failed.tolist() == [False, True, False, True, False, False]


def _customers(aum_cells: list[str]) -> bytes:
    lines = ["客户号,网点,年龄,开户日期,金融资产,信用卡"]
    lines += [f"C{i:03d},西湖支行,{30 + i},2020-01-{i + 1:02d},{cell},Y" for i, cell in enumerate(aum_cells)]
    return _csv(lines)


def test_a_numeric_column_arrow_typed_gives_the_same_frame_as_the_text_rules():
    plain = ["1234.5", "0", "-12", "1e3", "NA", ""]
    typed = _customers(plain)
    text = _customers([*plain, "12.5万"])  # one 万 value: the whole column goes through the text rules
    for data, dtype in ((typed, "float64"), (text, "string")):
        preview = file_preview("c.csv", data)
        raw = read_rows(preview, numeric_fields_of(suggested_mapping_for(preview)))
        assert raw.frame["金融资产"].dtype == dtype
    fast, fast_report = load_table("c.csv", typed)
    slow, slow_report = load_table("c.csv", text)
    pd.testing.assert_frame_equal(fast, slow.iloc[: len(fast)])
    assert slow["aum"].iloc[-1] == 125000.0

    def rejected(report):  # an example shows the cell as read: "NA" in text, empty once Arrow typed it
        return [
            (report_text(issue.subject), issue.count, [row.row for row in issue.examples])
            for issue in report.rejections
        ]

    assert rejected(fast_report) == rejected(slow_report) == [("missing aum", 2, [6, 7])]


@pytest.mark.parametrize(
    ("ids", "duplicates", "loaded"),
    [
        (["C1", "C2", "C3", "C4"], 0, 4),  # sorted: neighbours compared
        (["C3", "C1", "C4", "C2"], 0, 4),  # unsorted: hashed
        (["C1", "C2", "C2", "C3"], 1, 3),  # sorted with a repeat
        (["C2", "C1", "C3", "C1"], 1, 3),
    ],
)
def test_duplicate_ids_are_found_in_sorted_and_unsorted_extracts(ids, duplicates, loaded):
    data = _csv(["客户号,金融资产", *(f"{customer},100" for customer in ids)])
    frame, report = load_table("c.csv", data)
    assert (report.duplicate_ids, report.rows_loaded, len(frame)) == (duplicates, loaded, loaded)


def _big_extract(tail: str, lead: str = "") -> bytes:
    rows = [f"C{i:06d},鹿城支行{i % 7},{i}.5" for i in range(_HEAD_BYTES // 20)]
    return lead.encode() + _csv(["客户号,网点,金融资产", *rows, tail])


def test_a_large_utf8_file_is_validated_whole_but_decoded_only_at_its_head():
    data = _big_extract("C999999,海曙支行,1")
    assert len(data) > _HEAD_BYTES
    head, encoding, complete = decoded_head(data, None)
    assert (encoding, complete) == ("utf-8", False)
    assert data.startswith(head.encode("utf-8"))
    assert len(data) - 3 <= len(head.encode("utf-8")) + (len(data) - _HEAD_BYTES) <= len(data)
    frame, report = load_table("c.csv", data)
    assert report.encoding == "utf-8"
    assert frame["branch"].iloc[-1] == "海曙支行"
    assert report.rows_read == report.rows_loaded == len(frame) == _HEAD_BYTES // 20 + 1


def test_one_gb18030_character_past_the_head_makes_the_whole_file_gb18030():
    text = _big_extract("C999999,䶮支行,1").decode("utf-8")
    data = text.encode("gb18030")
    assert not is_utf8(data)
    frame, report = load_table("c.csv", data)
    assert report.encoding == "gb18030"
    assert frame["branch"].iloc[-1] == "䶮支行"


def test_a_head_of_blank_lines_is_looked_past():
    data = _big_extract("C999999,海曙支行,1", lead="\n" * (_HEAD_BYTES + 10))
    preview = preview_file("c.csv", data)
    assert preview.columns == ("客户号", "网点", "金融资产")
    assert preview.encoding == "utf-8"
    _, report = load_table("c.csv", data)
    assert report.rows_loaded == _HEAD_BYTES // 20 + 1


_LOG_DATES = st.sampled_from(
    ["2024-01-05", "2024-01-31 23:59:59", "2024-02-01T08:00:00", "1800-01-01", "1900-01-01 12:00", "9999-12-31", ""]
)
_LOG_AMOUNTS = st.sampled_from(["10", "2.5", "-7", "", "nan", "NaN", "NA", "1e3"])


def _both_readings(data: bytes):
    """The log loaded with its date and numbers typed by the reader, and with every column read as text."""
    from crm_core.loading.transactions import transaction_log, transaction_mapping, transaction_rows

    preview = preview_file("log.csv", data)
    mapping = transaction_mapping(preview.columns)
    typed = transaction_log(transaction_rows(preview, mapping), mapping)
    text = transaction_log(read_rows(preview), mapping)
    return typed, text


def _same_log(typed, text) -> None:
    pd.testing.assert_frame_equal(typed.activity, text.activity)
    pd.testing.assert_frame_equal(typed.customers, text.customers)
    assert typed.report == text.report


_LOG_ROWS = st.tuples(st.sampled_from(["A", "B", "nan", ""]), _LOG_DATES, _LOG_AMOUNTS, _LOG_AMOUNTS)


@settings(max_examples=60, deadline=None)
@given(st.lists(_LOG_ROWS, min_size=1, max_size=8))
def test_a_log_typed_by_the_reader_loads_as_the_text_rules_load_it(rows):
    lines = ["customer_id,txn_date,channel,location,amount,balance"]
    lines += [f"{who},{when},Mobile,North,{amount},{balance}" for who, when, amount, balance in rows]
    typed, text = _both_readings(_csv(lines))
    _same_log(typed, text)


def test_the_reader_types_an_iso_log_and_leaves_other_columns_as_text():
    from crm_core.loading.transactions import transaction_mapping, transaction_rows

    lines = ["customer_id,txn_date,channel,amount,balance", "A,2024-01-05 09:00,Mobile,nan,5", "B,,ATM,1.5,inf"]
    preview = preview_file("log.csv", _csv(lines))
    raw = transaction_rows(preview, transaction_mapping(preview.columns))
    types = {column: str(dtype) for column, dtype in raw.frame.dtypes.items()}
    assert types["txn_date"].startswith("datetime64") and types["amount"] == "float64"
    assert types["balance"] == "string" and types["channel"] == "string"  # an inf cell: read as text
    assert raw.nan_cells == (("amount", 1),)
    typed, text = _both_readings(_csv(lines))
    _same_log(typed, text)
    missing_date = typed.report.rejections[0]  # the example is the line as written, not the cells as typed
    assert missing_date.examples[0].text == "B,,ATM,1.5,inf"
    lines[1] = "A,05/01/2024,Mobile,¥1,5"  # not ISO, not a plain number: both as text, as before
    raw = transaction_rows(preview_file("log.csv", _csv(lines)), transaction_mapping(preview.columns))
    assert str(raw.frame["txn_date"].dtype) == str(raw.frame["amount"].dtype) == "string"
    _same_log(*_both_readings(_csv(lines)))


_DATE_SPELLINGS = (
    "2024-03-05", "05-03-2024", "5/3/24", "240305", "13/05/2024", "05/13/2024", "03/04/2024", " 2024-03-05 ",
    "1800-01-01", "1900-01-01", "31/02/2024", "9999-12-31", "nan", "NaN", "", "  ", "n/a", "yesterday", None,
    "2024-03-05 10:15:00", "12/11/23", "991231", "000101",
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(st.sampled_from(_DATE_SPELLINGS), min_size=1, max_size=60),
    order=st.sampled_from(["auto", "DMY", "MDY"]),
)
def test_dates_read_once_per_spelling_equal_dates_read_cell_by_cell(cells, order):
    from dataclasses import fields

    from crm_core.loading.transactions import _text_dates, transaction_dates

    values = pd.Series([*cells, "yesterday"], dtype="string")  # one cell that is no date: the patterns' path
    by_spelling = transaction_dates(values, order, pivot_year=2026)
    nan_literals = int(values.str.strip().str.lower().eq("nan").sum())
    by_cell = _text_dates(values, order, 2026, nan_literals, weights=np.ones(len(values), dtype="int64"))
    for field in fields(by_cell):
        got, expected = getattr(by_spelling, field.name), getattr(by_cell, field.name)
        if isinstance(expected, np.ndarray):
            valid = by_cell.valid
            compared = expected if field.name not in ("seconds", "months") else np.where(valid, expected, 0)
            shown = got if field.name not in ("seconds", "months") else np.where(valid, got, 0)
            assert shown.tolist() == compared.tolist(), field.name
        else:
            assert got == expected, field.name
