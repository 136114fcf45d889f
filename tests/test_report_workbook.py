"""The report's Excel workbook reads like a manager's file in English and in Chinese.

Built once per language on the bundled sample: a cover (scenario, data, month, definitions), then
one sheet per table with translated names and headers, number formats, a frozen and filterable
header row, and money whose cells sum to the report's own figures.
"""

from __future__ import annotations

import io
import math
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook

from crm_core.catalog import text
from crm_core.exports import TableSheet, display_width, formatted_workbook, sheet_title
from crm_core.prepare import prepared_dataset
from crm_core.report import report_content, report_workbook
from crm_core.report.workbook import sheet_names, table_sheet
from crm_core.sample import read_sample
from crm_core.scenarios import baseline_scenario
from tests.conftest import tiny_dataset
from tests.test_catalog import LATIN_ALLOWED, latin_words

WHEN = date(2030, 5, 17)


@pytest.fixture(scope="module")
def sample():
    dataset = read_sample()
    return dataset, prepared_dataset(dataset)


@pytest.fixture(scope="module")
def books(sample):
    """Language → (report, opened workbook), each built once."""
    dataset, prepared = sample
    scenario = baseline_scenario()
    built = {}
    for lang in ("en", "zh"):
        report = report_content(prepared, scenario, lang)
        data = report_workbook(report, scenario.name, dataset.name, dataset.fingerprint, WHEN, as_of=prepared.as_of)
        built[lang] = report, load_workbook(io.BytesIO(data))
    return built


@pytest.fixture(params=["en", "zh"])
def built(request, books):
    return books[request.param]


def table(book, name: str) -> pd.DataFrame:
    rows = list(book[name].values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def cover(book, lang: str) -> dict[str, str]:
    return {row[0]: row[1] for row in book[text("xlsx_sheet_cover", lang)].values if row[0]}


def key_number(report, step: str, label_key: str) -> float:
    label = text(label_key, report.lang)
    return next(n.value for n in report.step(step).numbers if n.label == label)


def test_sheets_are_named_in_the_reports_language(built):
    report, book = built
    expected = {
        "en": ["Cover", "Tier profiles", "Product gaps", "Cross-sell opportunities", "Churn risk", "Staff ranking"],
        "zh": ["封面", "客户分层画像", "产品缺口", "交叉销售机会", "流失风险", "员工考核排名"],
    }[report.lang]
    assert book.sheetnames == expected == list(sheet_names(report.lang))


def test_headers_are_translated_and_money_headers_state_the_unit(built):
    report, book = built
    headers = {sheet.title: [c.value for c in sheet[1]] for sheet in book.worksheets[1:]}
    names = sheet_names(report.lang)
    if report.lang == "zh":
        assert headers[names[3]][:2] == ["层级", "产品"]
        assert "机会价值（元/年）" in headers[names[3]]
        assert "金融资产（元）" in headers[names[1]]
        assert "户均产品数" in headers[names[1]]
    else:
        assert headers[names[3]][:2] == ["Tier", "Product"]
        assert "Opportunity value (¥ a year)" in headers[names[3]]
        assert "AUM (¥)" in headers[names[1]]
    snake_case = [h for row in headers.values() for h in row if "_" in str(h)]
    assert not snake_case  # no column is left under its code
    assert all("code" not in str(h).lower() for row in headers.values() for h in row)


def test_every_table_sheet_freezes_and_filters_its_header_row(built):
    _, book = built
    for sheet in book.worksheets[1:]:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert all(cell.font.bold for cell in sheet[1])


def test_numbers_carry_their_formats_by_kind(built):
    report, book = built
    names = sheet_names(report.lang)
    opportunities, segments = book[names[3]], book[names[1]]

    def formats(sheet, header) -> set[str]:
        column = [c.value for c in sheet[1]].index(header) + 1
        # an empty cell (a measure hidden for the suppressed row) carries no number format
        cells = (sheet.cell(row, column) for row in range(2, sheet.max_row + 1))
        return {cell.number_format for cell in cells if cell.value is not None}

    money = text("xlsx_header_yuan_year", report.lang, label=text("col_opportunity_value", report.lang))
    assert formats(opportunities, money) == {"#,##0"}
    assert formats(opportunities, text("col_conversion_rate", report.lang)) == {"0.0%"}
    assert formats(opportunities, text("col_lacking", report.lang)) == {"#,##0"}
    assert formats(segments, text("profile_products_per_customer", report.lang)) == {"0.00"}
    assert formats(segments, text("profile_customer_share", report.lang)) == {"0.0%"}


def test_money_cells_hold_the_reports_figures(built):
    report, book = built
    names = sheet_names(report.lang)
    opportunities = table(book, names[3])
    money = text("xlsx_header_yuan_year", report.lang, label=text("col_opportunity_value", report.lang))
    total = key_number(report, "value_mining", "report_opportunity_total")
    assert total > 0 and math.isclose(opportunities[money].sum(), total, rel_tol=1e-9)
    segments = table(book, names[1])
    aum = text("xlsx_header_yuan", report.lang, label=text("profile_aum", report.lang))
    assert math.isclose(segments[aum].sum(), key_number(report, "positioning", "report_total_aum"), rel_tol=1e-9)
    customers = segments[text("profile_customers", report.lang)].sum()
    assert customers == key_number(report, "positioning", "report_active_customers")


def test_flags_read_as_words_and_tiers_and_products_as_the_report_labels_them(built):
    report, book = built
    names = sheet_names(report.lang)
    ranking = table(book, names[5])
    assert set(ranking[text("col_small_unit", report.lang)]) <= {
        text("xlsx_yes", report.lang),
        text("xlsx_no", report.lang),
    }
    gaps = table(book, names[2])
    expected = dict(report.tables)["gaps"]
    assert list(gaps[text("col_product_name", report.lang)]) == list(expected["product_name"])
    assert list(gaps[text("col_tier", report.lang)]) == list(expected["group"])


def test_cover_names_the_scenario_the_data_and_the_definitions(built, sample):
    report, book = built
    dataset, _ = sample
    lines = cover(book, report.lang)
    lang = report.lang
    assert book.worksheets[0].cell(1, 1).value == report.title
    assert lines[text("report_stamp_scenario", lang)] == text("scenario_name_baseline", lang)
    assert lines[text("xlsx_cover_source", lang)] == dataset.name
    assert lines[text("report_stamp_fingerprint", lang)] == dataset.fingerprint[:12]
    month, day = {"en": ("October 2026", "17 May 2030"), "zh": ("2026年10月", "2030年5月17日")}[lang]
    assert lines[text("xlsx_cover_as_of", lang)] == month
    assert lines[text("xlsx_cover_generated", lang)] == day
    assert lines[text("profile_churn_rate", lang)] == text("xlsx_definition_churn_rate", lang)
    assert ("closures" in lines["Churn rate"]) if lang == "en" else ("销户" in lines["流失率"])


def test_chinese_workbook_has_no_english_words(books, sample):
    """Every text cell of the Chinese workbook is Chinese, bar the glossary's allowed words.

    Excepted by construction are the values the bank's own data supplies, shown as the bank wrote
    them: a cell whose whole text is one of the dataset's branch or relationship-manager names (the
    ranking's units, a best-branch benchmark; the sample's are in pinyin), the dataset's name or its
    fingerprint. They are taken from the data itself, so a Latin word inside a sentence still counts.
    """
    dataset, _ = sample
    _, book = books["zh"]
    customers = dataset.customers
    units = [customers[c].dropna().astype(str) for c in ("branch", "relationship_manager") if c in customers]
    data_values = {*(name for column in units for name in column.unique()), dataset.name, dataset.fingerprint[:12]}
    leftovers = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or cell.value in data_values:
                    continue
                words = latin_words(cell.value) - LATIN_ALLOWED
                if words:
                    leftovers[f"{sheet.title}!{cell.coordinate}"] = (sorted(words), cell.value)
    assert not leftovers, leftovers
    assert len(data_values) > 2  # the exception is the data's own names, not an empty set


def test_a_table_the_data_cannot_support_keeps_a_translated_note():
    prepared = prepared_dataset(tiny_dataset())
    report = report_content(prepared, baseline_scenario(), "zh")
    book = load_workbook(io.BytesIO(report_workbook(report)))
    risk = book[sheet_names("zh")[4]]
    assert [[c.value for c in row] for row in risk.iter_rows()] == [["说明"], [text("report_table_missing", "zh")]]
    lines = cover(book, "zh")
    assert lines[text("xlsx_cover_source", "zh")] == text("not_available", "zh")  # no stamp given


def test_the_input_frame_is_not_modified_and_unknown_columns_keep_their_code():
    frame = pd.DataFrame({"code": [0], "group": ["mass"], "scored": [3], "new_measure": [1.5], "flagged": [True]})
    before = frame.copy()
    sheet = table_sheet("risk", frame, "en")
    pd.testing.assert_frame_equal(frame, before)
    assert list(sheet.frame.columns) == ["Tier", "Customers scored", "new_measure", "flagged"]


def test_hostile_text_is_escaped_and_no_cell_is_a_formula():
    frame = pd.DataFrame({"unit": ["=cmd|' /C calc'!A0", "@SUM(A1)", "North"], "rank": [1, 2, 3]})
    data = formatted_workbook([table_sheet("ranking", frame, "en")])
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet["A"]][1:] == ["'=cmd|' /C calc'!A0", "'@SUM(A1)", "North"]
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_missing_and_infinite_numbers_are_empty_cells():
    frame = pd.DataFrame({"AUM": [1.0, math.nan, math.inf], "n": pd.array([1, None, 3], dtype="Int64")})
    sheet = load_workbook(io.BytesIO(formatted_workbook([TableSheet("t", frame, {"AUM": "#,##0"})]))).active
    assert [c.value for c in sheet["A"]] == ["AUM", 1, None, None]
    assert [c.value for c in sheet["B"]] == ["n", 1, None, 3]


def test_sheet_titles_and_widths():
    assert sheet_title("a/b\\c[d]:e*f?g") == "abcdefg"
    assert sheet_title("x" * 40) == "x" * 31
    assert sheet_title("Risk", ["risk"]) == "Risk (2)"
    assert display_width("客户数") == 6 and display_width("Customers") == 9
    sheet = load_workbook(
        io.BytesIO(formatted_workbook([TableSheet("t", pd.DataFrame({"客户": ["金融资产金融资产"], "id": ["a"]}))]))
    ).active
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["B"].width >= 8
