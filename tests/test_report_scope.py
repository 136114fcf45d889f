"""The deck, HTML and Excel say what they cover (issue 20): the filter and its caveats, the synthetic
sample, and the manager's meeting notes on their slides."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from pptx import Presentation

from crm_core import scenarios as sc
from crm_core.filters import Filters, filtered_dataset
from crm_core.notes import MeetingNotes
from crm_core.prepare import prepared_dataset
from crm_core.report import deck_pptx, report_content, report_html
from crm_core.report.workbook import cover_sheet
from crm_core.sample import read_sample


@pytest.fixture(scope="module")
def filtered():
    filters = Filters(branches=("Ningbo Haishu",), as_of="2026-06")
    notes = MeetingNotes((("step:staff", "Pilot the scorecard in two branches first."),))
    scenario = replace(sc.baseline_scenario(), filters=filters, meeting_notes=notes)
    prepared = prepared_dataset(filtered_dataset(read_sample(), filters))
    return {lang: report_content(prepared, scenario, lang) for lang in ("en", "zh")}


def test_the_report_states_the_filter_its_caveat_and_the_sample(filtered):
    assert filtered["en"].scope == (
        "Filtered: Ningbo Haishu · as of June 2026. Every figure covers these customers only.",
        "Balances and holdings are the extract's snapshot, not as of June 2026: the file has no balance history.",
        "Sample data: Bank A is a synthetic bank of 20,000 customers. Its patterns were built in to show the method; "
        "they are not findings about a real bank.",
    )
    assert filtered["zh"].scope[0] == "已筛选：宁波海曙支行 · 截至2026年6月。所有指标仅覆盖这些客户。"


def test_the_deck_html_and_workbook_carry_the_scope_and_the_note(filtered):
    report = filtered["en"]
    deck = Presentation(io.BytesIO(deck_pptx(report, "Baseline", "Bank A sample", "f" * 64, date(2026, 11, 29))))
    cover = " ".join(shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame)
    assert "Filtered: Ningbo Haishu · as of June 2026" in cover and "synthetic bank" in cover
    steps = list(deck.slides)[2:]  # after the cover and the agenda
    staff_slide = next(s for s in steps if any("Staff assessment" in sh.text_frame.text
                                               for sh in s.shapes if sh.has_text_frame))  # fmt: skip
    texts = " ".join(sh.text_frame.text for sh in staff_slide.shapes if sh.has_text_frame)
    assert "Note: Pilot the scorecard in two branches first." in texts
    assert "Pilot the scorecard" in staff_slide.notes_slide.notes_text_frame.text
    page = report_html(report, "Baseline", "Bank A sample", "f" * 64, date(2026, 11, 29))
    assert "Filtered: Ningbo Haishu · as of June 2026" in page and "Pilot the scorecard in two branches" in page
    rows = dict(cover_sheet(report, "Baseline", "Bank A sample").rows)
    assert rows["Covers"].startswith("Filtered: Ningbo Haishu")


def test_an_unfiltered_real_extract_has_no_scope():
    from tests.conftest import tiny_dataset

    report = report_content(prepared_dataset(tiny_dataset()), sc.baseline_scenario(), "en")
    assert report.scope == ()
