"""Deck, HTML and PNG: native charts with the report's numbers, the stamp everywhere, escaped names."""

from __future__ import annotations

import io
import math
import re
import shutil
import time
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from plotly.offline import get_plotlyjs
from pptx import Presentation
from pptx.oxml.ns import qn

from crm_core import palette
from crm_core.dataset import Dataset
from crm_core.exports import FORMULA_PREFIXES
from crm_core.prepare import prepared_dataset
from crm_core.report import ExportError, deck_pptx, figure_png, report_content, report_html, report_stamp
from crm_core.report.deck import LABEL_STEPS, chart_data
from crm_core.report.model import AXIS_COUNT_FORMATS, ChartSpec
from crm_core.scenarios import proposed_scenario
from tests.conftest import bank_fingerprint
from tests.test_report_content import hostile_prepared

WHEN = date(2026, 11, 28)
FINGERPRINT = "0123456789abcdef" * 4
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def reports(small_sample):
    prepared = hostile_prepared(small_sample)
    scenario = proposed_scenario()
    en = report_content(prepared, scenario, "en")
    zh = report_content(prepared, scenario, "zh", churn_risk=None)
    return en, zh


def deck_of(report, template=None):
    data = deck_pptx(report, "Proposed strategy", "Bank A sample", FINGERPRINT, WHEN, template=template)
    return Presentation(io.BytesIO(data))


def quoted(text: str) -> str:
    """A name as spreadsheet exports write it: formula-looking text behind a single quote."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def slide_texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def test_deck_has_title_agenda_and_step_slides_with_native_charts(reports):
    report = reports[0]
    deck = deck_of(report)
    slides = list(deck.slides)
    assert len(slides) == 2 + len(report.steps) == 13
    assert report.title in slide_texts(slides[0])
    assert "\n".join(slide_texts(slides[1])[1:-1]).split("\n") == list(report.agenda)
    for slide, step in zip(slides[2:], report.steps, strict=True):
        assert step.title in slide_texts(slide)
        assert step.headline in slide_texts(slide)
        charts = [shape.chart for shape in slide.shapes if shape.has_chart]
        drawn = step.chart is not None and not step.wide_table
        assert len(charts) == drawn, step.key
        if drawn:
            plot = charts[0].plots[0]
            assert tuple(plot.categories) == tuple(map(quoted, step.chart.categories))
            assert [(s.name, s.values) for plot in charts[0].plots for s in plot.series] == [
                (quoted(name), tuple(None if math.isnan(v) else v for v in values))
                for name, values in step.chart.series
            ]
        tables = [shape.table for shape in slide.shapes if shape.has_table]
        assert len(tables) == (step.table is not None)
        if tables:
            assert [tables[0].cell(0, j).text for j in range(len(tables[0].columns))] == list(step.table.columns)
        assert slide.notes_slide.notes_text_frame.text.startswith(step.notes) and step.notes


@pytest.mark.parametrize("which", [0, 1])
def test_the_channels_slide_draws_its_monthly_line_against_two_axes(reports, which):
    report = reports[which]
    step = report.step("channels")
    slide = list(deck_of(report).slides)[2 + [s.key for s in report.steps].index("channels")]
    chart = next(shape.chart for shape in slide.shapes if shape.has_chart)
    rate, counter = (tuple(None if math.isnan(v) else v for v in values) for _, values in step.chart.series)
    assert [plot.series[0].values for plot in chart.plots] == [rate, counter]  # a line group per axis
    value_axes = chart._chartSpace.findall(".//" + qn("c:valAx"))
    assert [axis.find(qn("c:axPos")).get("val") for axis in value_axes] == ["l", "r"]
    formats = [axis.find(qn("c:numFmt")).get("formatCode") for axis in value_axes]
    assert formats == ["0.0%", AXIS_COUNT_FORMATS[report.lang]]  # 万 / 亿 in Chinese, K / M in English
    right_title = "".join(t.text for t in value_axes[1].iter(qn("a:t")))
    assert right_title == step.chart.secondary_title
    skip = chart._chartSpace.find(".//" + qn("c:tickLblSkip")).get("val")
    assert int(skip) in LABEL_STEPS and len(step.chart.categories) / int(skip) <= 12
    assert str(chart.plots[1].series[0].format.line.color.rgb) == palette.SERIES[1].lstrip("#").upper()
    figure = step.figure  # the HTML page's chart: the same two lines, the count on a right axis
    assert [trace.yaxis for trace in figure.data] == ["y", "y2"] and figure.layout.yaxis2.side == "right"


def test_line_chart_names_are_neutralised_in_the_embedded_workbook():
    spec = ChartSpec(
        "line", "T", ("=HYPERLINK(1)", "+1"), (("=rate", (0.5, 0.6)), ("@counter", (3.0, 4.0))), value_kind="share",
        secondary_kind="count",
    )  # fmt: skip
    data = chart_data(spec)
    assert [c.label for c in data.categories] == ["'=HYPERLINK(1)", "'+1"]
    assert [s.name for s in data] == ["'=rate", "'@counter"]
    with pytest.raises(ValueError, match="second value axis"):
        ChartSpec("bar", "T", ("a",), (("s", (1.0,)), ("t", (2.0,))), secondary_kind="count")


def test_the_fingerprint_is_in_the_notes_not_the_footer(reports):
    footer = report_stamp("Proposed strategy", "Bank A sample", FINGERPRINT, WHEN, with_fingerprint=False)
    stamp = report_stamp("Proposed strategy", "Bank A sample", FINGERPRINT, WHEN)
    assert footer == "Scenario: Proposed strategy | Data: Bank A sample | Date: 28 November 2026"
    assert stamp.endswith("Fingerprint: 0123456789ab | Date: 28 November 2026")
    for slide in deck_of(reports[0]).slides:
        assert footer in slide_texts(slide)
        assert not any(FINGERPRINT[:12] in text for text in slide_texts(slide))
        assert slide.notes_slide.notes_text_frame.text.endswith(stamp)


def test_chinese_deck_names_an_east_asian_font(reports):
    deck = deck_of(reports[1])
    first = list(deck.slides)[2]
    assert CJK.search(first.shapes.title.text_frame.text)
    fonts = {e.get("typeface") for e in first._element.iter(qn("a:ea"))}
    assert fonts == {"Microsoft YaHei"}
    runs = list(first._element.iter(qn("a:r")))
    assert all(run.find(qn("a:rPr")).find(qn("a:ea")) is not None for run in runs)
    assert any("情景：拟议策略" in text for text in slide_texts(first))  # the built-in name, translated
    assert list(deck.slides)[1].shapes.title.text_frame.text == "议程"


def test_charts_and_tables_take_the_shared_palette(reports):
    slide = list(deck_of(reports[0]).slides)[2]  # positioning: two series, a table
    chart = next(shape.chart for shape in slide.shapes if shape.has_chart)
    colours = [str(series.format.fill.fore_color.rgb) for series in chart.plots[0].series]
    assert colours == [c.lstrip("#").upper() for c in palette.SERIES[: len(colours)]]
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    assert str(table.cell(0, 0).fill.fore_color.rgb) == palette.NAVY.lstrip("#").upper()
    page = report_html(reports[0], "Proposed strategy", "Bank A sample", FINGERPRINT, WHEN)
    assert palette.NAVY in page and '"colorway":["#2E75B6"' in page.replace(" ", "")


def test_company_template_layouts_are_used(reports):
    template = Presentation()
    template.slides.add_slide(template.slide_layouts[1])  # an example slide the deck must drop
    buffer = io.BytesIO()
    template.save(buffer)
    deck = deck_of(reports[0], buffer.getvalue())
    assert len(deck.slides) == 2 + len(reports[0].steps)
    assert [slide.slide_layout.name for slide in deck.slides][:3] == ["Title Slide", "Title Only", "Title Only"]
    with pytest.raises(ExportError, match="not a PowerPoint"):
        deck_of(reports[0], b"not a deck")


def test_a_4_3_company_template_deck_fits_its_slides(reports):
    buffer = io.BytesIO()
    Presentation().save(buffer)  # python-pptx's own template: 10 × 7.5 inches
    for report in reports:
        deck = deck_of(report, buffer.getvalue())
        assert (deck.slide_width, deck.slide_height) == (9144000, 6858000)
        for slide in deck.slides:
            for shape in slide.shapes:
                assert shape.left >= 0 and shape.left + shape.width <= deck.slide_width, shape.name
                assert shape.top >= 0 and shape.top + shape.height <= deck.slide_height, shape.name


def test_html_embeds_plotly_once_and_escapes_names(reports):
    report = reports[0]
    page = report_html(report, "<b>scenario</b>", "Bank A sample", FINGERPRINT, WHEN)
    marker = "* plotly.js v"
    assert page.count(marker) == get_plotlyjs().count(marker) >= 1
    assert page.count('class="chart"') == sum(step.figure is not None for step in report.steps) == 9
    for step in report.steps:
        assert (f'id="chart-{step.key}"' in page) == (step.figure is not None)
        assert f'<a href="#step-{step.key}">{step.title}</a>' in page  # the agenda links every section
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # in the ranking table and notes, as text
    assert "\\u0026lt;script\\u0026gt;alert(1)\\u0026lt;" in page  # in the chart JSON, as plotly text
    assert "<b>scenario</b>" not in page and "&lt;b&gt;scenario&lt;/b&gt;" in page
    assert page.count("Fingerprint: 0123456789ab") == 2


def test_png_export_with_system_chromium(reports):
    if not Path("/usr/bin/chromium").exists() and shutil.which("chromium") is None:
        pytest.skip("Chromium is not installed")
    image = figure_png(reports[1].step("positioning").figure, 600, 350, 1)
    assert image.startswith(b"\x89PNG")


def test_png_export_without_browser_says_what_to_install(reports):
    with pytest.raises(ExportError, match="PNG export needs Chromium: install the Debian package chromium"):
        figure_png(reports[0].step("positioning").figure, browser="/nonexistent/chromium")


FORMULA_NAMES = ('=HYPERLINK("https://evil.example/x","Open")', "=cmd|'/C calc'!A0", "+1", "@SUM(A1)")
"""Branch names a spreadsheet would run: a link, DDE, arithmetic, a function."""

FORMULA_TIERS = ('=HYPERLINK("https://e.x","Go")', "=cmd|'/C calc'!A1", "+2", "@SUM(B1)")
"""Tier labels as a shared link could set them (at most 40 characters each)."""


@pytest.fixture(scope="module")
def formula_deck(small_sample):
    """A deck whose branches and tier labels (as from a shared link) are all formula-looking."""
    customers = small_sample.customers.copy()
    names = np.array(FORMULA_NAMES, dtype=object)[np.arange(len(customers)) % len(FORMULA_NAMES)]
    customers["branch"] = pd.array(names, dtype="string")
    dataset = Dataset(
        "formulas", customers, small_sample.activity, small_sample.holdings, fingerprint=bank_fingerprint("formulas")
    )
    scenario = proposed_scenario()
    scenario = replace(scenario, tiers=replace(scenario.tiers, labels=FORMULA_TIERS))
    report = report_content(prepared_dataset(dataset), scenario, "en")
    return Presentation(io.BytesIO(deck_pptx(report, "s", "d", FINGERPRINT, WHEN)))


def test_chart_workbooks_hold_formula_names_as_quoted_text_never_as_formulas(formula_deck):
    texts, formulas, books = [], [], 0
    for slide in formula_deck.slides:
        for shape in slide.shapes:
            if not shape.has_chart:
                continue
            books += 1
            book = load_workbook(io.BytesIO(shape.chart.part.chart_workbook.xlsx_part.blob))
            for cell in (cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row):
                if cell.data_type == "f":
                    formulas.append(f"{cell.coordinate}: {cell.value}")
                elif isinstance(cell.value, str):
                    texts.append(cell.value)
    assert books >= 4
    assert formulas == []
    assert [text for text in texts if text.startswith(FORMULA_PREFIXES)] == []
    assert {quoted(name) for name in FORMULA_NAMES + FORMULA_TIERS} <= set(texts)  # in the data, quoted


def pptx_with_part(name: str, content: bytes) -> bytes:
    """The default deck with one more part, as a forged company template."""
    buffer = io.BytesIO()
    Presentation().save(buffer)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_bomb_template_is_refused_before_it_is_opened(reports):
    bomb = pptx_with_part("ppt/slides/slide99.xml", b" " * 20_000_000)  # 20 MB of XML in 20 kB
    assert len(bomb) < 100_000
    started = time.perf_counter()
    with pytest.raises(ExportError, match=r"template is refused before it is opened: its part ppt/slides/slide99"):
        deck_of(reports[0], bomb)
    assert time.perf_counter() - started < 2
    many = pptx_with_part("ppt/media/x.bin", b"")
    with zipfile.ZipFile(io.BytesIO(many)) as archive:
        assert len(archive.infolist()) < 5_000  # the default deck itself is well within the limits
    assert len(deck_of(reports[0], many).slides) == 2 + len(reports[0].steps)
