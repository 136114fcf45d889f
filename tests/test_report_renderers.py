"""Deck, HTML and PNG: native charts with the report's numbers, the stamp everywhere, escaped names."""

from __future__ import annotations

import io
import math
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs
from pptx import Presentation
from pptx.oxml.ns import qn

from crm_core.report import ExportError, deck_pptx, figure_png, report_content, report_html, report_stamp
from crm_core.scenarios import proposed_scenario
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


def slide_texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def test_deck_has_title_and_step_slides_with_native_charts(reports):
    report = reports[0]
    deck = deck_of(report)
    slides = list(deck.slides)
    assert len(slides) == 1 + len(report.steps) == 8
    assert report.title in slide_texts(slides[0])
    for slide, step in zip(slides[1:], report.steps, strict=True):
        assert step.title in slide_texts(slide)
        assert step.headline in slide_texts(slide)
        charts = [shape.chart for shape in slide.shapes if shape.has_chart]
        assert len(charts) == 1
        plot = charts[0].plots[0]
        assert tuple(plot.categories) == step.chart.categories
        assert [(s.name, s.values) for s in plot.series] == [
            (name, tuple(None if math.isnan(v) else v for v in values)) for name, values in step.chart.series
        ]
        tables = [shape.table for shape in slide.shapes if shape.has_table]
        assert len(tables) == 1
        assert [tables[0].cell(0, j).text for j in range(len(tables[0].columns))] == list(step.table.columns)
        assert slide.notes_slide.notes_text_frame.text == step.notes != ""


def test_every_slide_is_stamped(reports):
    stamp = report_stamp("Proposed strategy", "Bank A sample", FINGERPRINT, WHEN)
    assert stamp.endswith("Fingerprint: 0123456789ab | Date: 2026-11-28")
    for slide in deck_of(reports[0]).slides:
        assert stamp in slide_texts(slide)
        assert slide.notes_slide.notes_text_frame.text


def test_chinese_deck_names_an_east_asian_font(reports):
    deck = deck_of(reports[1])
    first = list(deck.slides)[1]
    assert CJK.search(first.shapes.title.text_frame.text)
    fonts = {e.get("typeface") for e in first._element.iter(qn("a:ea"))}
    assert fonts == {"Microsoft YaHei"}
    runs = list(first._element.iter(qn("a:r")))
    assert all(run.find(qn("a:rPr")).find(qn("a:ea")) is not None for run in runs)
    assert any("方案：Proposed strategy" in text for text in slide_texts(first))


def test_company_template_layouts_are_used(reports):
    template = Presentation()
    template.slides.add_slide(template.slide_layouts[1])  # an example slide the deck must drop
    buffer = io.BytesIO()
    template.save(buffer)
    deck = deck_of(reports[0], buffer.getvalue())
    assert len(deck.slides) == 8
    assert [slide.slide_layout.name for slide in deck.slides][:2] == ["Title Slide", "Title Only"]
    with pytest.raises(ExportError, match="not a PowerPoint"):
        deck_of(reports[0], b"not a deck")


def test_html_embeds_plotly_once_and_escapes_names(reports):
    report = reports[0]
    page = report_html(report, "<b>scenario</b>", "Bank A sample", FINGERPRINT, WHEN)
    marker = "* plotly.js v"
    assert page.count(marker) == get_plotlyjs().count(marker) >= 1
    assert page.count('class="chart"') == sum(step.figure is not None for step in report.steps) == 7
    for step in report.steps:
        assert f'id="chart-{step.key}"' in page
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
