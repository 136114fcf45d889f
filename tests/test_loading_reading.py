"""Reading: formats, encodings, delimiters, ragged rows, refusals."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_core.loading import LoadError, LoadOptions, load_table, preview_file, sheet_names
from crm_core.loading.report import report_text
from tests import loading_corpus as corpus
from tests.conftest import warning_texts

EXPECTED_CUSTOMERS = pd.DataFrame(
    {
        "customer_id": pd.array(["C001", "C002", "C003"], dtype="string"),
        "aum": [1234.5, 125000.0, 300.0],
        "branch": pd.array(["东城支行", "西城支行", "东城支行"], dtype="string"),
        "age": pd.array([35, 42, pd.NA], dtype="Int64"),
        "open_date": pd.to_datetime(["2020-01-15", "2019-03-01", "2021-07-01"]).astype("datetime64[ns]"),
        "has_credit_card": pd.array([True, False, True], dtype="boolean"),
    }
)


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030")],
)
def test_encodings_are_detected_and_reported(encoding, reported):
    name, data = corpus.customers_csv(encoding=encoding)
    frame, report = load_table(name, data)
    pd.testing.assert_frame_equal(frame, EXPECTED_CUSTOMERS)
    assert report.encoding == reported
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 3, 0)


def test_rare_characters_survive_gb18030():
    frame, report = load_table(*corpus.rare_character_csv())
    assert frame["branch"].tolist() == ["䶮山支行", "北京分行"]
    assert report.encoding == "gb18030"


def test_windows_1252_is_the_last_resort_and_warned():
    frame, report = load_table(*corpus.latin1_csv())
    assert frame["branch"].tolist() == ["Café Zürich", "São Paulo €"]
    assert report.encoding == "cp1252"
    assert report.delimiter == ";"
    assert any("cp1252" in warning for warning in warning_texts(report.warnings))


def test_encoding_can_be_overridden():
    name, data = corpus.latin1_csv()
    frame, report = load_table(name, data, options=LoadOptions(encoding="latin-1"))
    assert report.encoding == "latin-1"
    assert frame["branch"].tolist() == ["Café Zürich", "São Paulo \x80"]


def test_wrong_forced_encoding_is_a_load_error():
    name, data = corpus.rare_character_csv()
    with pytest.raises(LoadError, match="cannot be read as 'utf-8'"):
        load_table(name, data, options=LoadOptions(encoding="utf-8"))


@pytest.mark.parametrize(("delimiter", "reported"), [(",", ","), (";", ";"), ("\t", "\t"), ("|", "|")])
def test_delimiters_are_sniffed(delimiter, reported):
    name, data = corpus.customers_csv(delimiter=delimiter)
    frame, report = load_table(name, data)
    pd.testing.assert_frame_equal(frame, EXPECTED_CUSTOMERS)
    assert report.delimiter == reported


def test_delimiter_can_be_overridden():
    name, data = corpus.customers_csv(delimiter=";")
    with pytest.raises(LoadError, match="no column is mapped to aum"):
        load_table(name, data, options=LoadOptions(delimiter="|"))


def test_crlf_line_endings():
    frame, _ = load_table(*corpus.customers_csv(newline="\r\n"))
    pd.testing.assert_frame_equal(frame, EXPECTED_CUSTOMERS)


def test_ragged_rows_are_rejected_one_by_one_with_reason_row_and_text():
    frame, report = load_table(*corpus.ragged_csv())
    assert frame["customer_id"].tolist() == ["C1", "C3", "C5"]
    assert frame["branch"].tolist() == ["North", "East, Upper", "West"]
    assert frame["aum"].tolist() == [100.0, 300.0, 500.0]
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (6, 3, 3)
    by_reason = {report_text(issue.subject): [(e.row, e.text) for e in issue.examples] for issue in report.rejections}
    assert by_reason == {
        "too few fields (expected 3)": [(3, "C2,South")],
        "blank line": [(4, ",,")],  # rows refused after parsing show their cells re-joined
        "too many fields (expected 3)": [(6, "C4,West,400,extra")],
    }


@pytest.mark.parametrize("header_too", [True, False])
def test_a_trailing_delimiter_on_every_line_is_dropped(header_too):
    frame, report = load_table(*corpus.trailing_delimiter_csv(header_too))
    assert list(frame.columns) == ["customer_id", "aum"]
    assert frame["aum"].tolist() == [100.0, 200.0]
    assert report.rows_rejected == 0
    assert report.unmapped_columns == ()


def test_excel_first_sheet_by_default_and_names_listed():
    name, data = corpus.xlsx_workbook()
    assert sheet_names(data) == ("说明", "客户")
    frame, report = load_table(name, data)
    assert report.format == "xlsx"
    assert report.sheet == "说明"
    assert frame["customer_id"].tolist() == ["N1"]


def test_excel_sheet_choice_with_typed_cells_and_a_blank_row():
    name, data = corpus.xlsx_workbook()
    frame, report = load_table(name, data, options=LoadOptions(sheet="客户"))
    expected = pd.DataFrame(
        {
            "customer_id": pd.array(["C1", "C2", "C3"], dtype="string"),
            "aum": [1500.5, 2000.0, 30000.0],
            "open_date": pd.to_datetime(["2021-02-03", "2018-11-30", "2020-01-01"]).astype("datetime64[ns]"),
            "churned": pd.array([False, True, False], dtype="boolean"),
        }
    )
    pd.testing.assert_frame_equal(frame, expected)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (4, 3, 1)
    assert [(report_text(i.subject), i.count, i.examples[0].row) for i in report.rejections] == [("blank line", 1, 4)]


def test_excel_sheet_by_position_and_unknown_sheet():
    name, data = corpus.xlsx_workbook()
    _, report = load_table(name, data, options=LoadOptions(sheet=1))
    assert report.sheet == "客户"
    with pytest.raises(LoadError, match="no sheet 'missing'; its sheets are: 说明, 客户"):
        load_table(name, data, options=LoadOptions(sheet="missing"))


def test_parquet_keeps_types():
    frame, report = load_table(*corpus.parquet_file())
    expected = pd.DataFrame(
        {
            "customer_id": pd.array(["P1", "P2"], dtype="string"),
            "aum": [10.0, 20.5],
            "age": pd.array([30, 40], dtype="Int64"),
        }
    )
    pd.testing.assert_frame_equal(frame, expected)
    assert report.format == "parquet"


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("empty", "the file is empty"),
        ("whitespace", "the file is empty"),
        ("header only", "header row .2 columns. but no data rows"),
        ("binary", "binary data"),
        ("gzip", "gzip-compressed"),
        ("zip", "ZIP archive, not an Excel workbook"),
        ("prose", "plain text"),
        ("pdf", "PDF document"),
    ],
)
def test_files_that_are_not_tables_are_refused_with_what_they_look_like(kind, message):
    name, data = corpus.refused_files()[kind]
    with pytest.raises(LoadError, match=message) as caught:
        load_table(name, data)
    assert "expected a table" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_preview_reports_layout_and_header():
    preview = preview_file(*corpus.customers_csv(delimiter="\t"))
    assert (preview.format, preview.encoding, preview.delimiter) == ("text", "utf-8", "\t")
    assert preview.columns == ("客户号", "网点", "金融资产", "年龄", "开户日期", "信用卡")
    assert len(preview.sample) == 3
