"""Real Chromium: what a manager sets holds when pages change, across languages, saved, reloaded and linked.

AppTest keeps the widgets of a page the user left; a browser does not (Streamlit drops a widget's
state when it is not drawn in a run). These flows are why the active scenario, not the widgets,
stores every setting.
"""

from __future__ import annotations

import io
import json
import re

import pytest

from crm_core import catalog
from tests.browser import ARTIFACTS, click_download, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def zh(key: str) -> str:
    """A label as the Chinese screens show it (from the one catalog)."""
    return catalog.text(key, "zh")


def css_key(key: str) -> str:
    """The class Streamlit gives a keyed widget's container."""
    return ".st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key)


def visit(page, name: str) -> None:
    """Open a page through the sidebar, as a user does (a page.goto would start a new session)."""
    page.locator("[data-testid=stSidebarNav]").get_by_role("link", name=name, exact=True).click()
    settle(page)


def no_error_box(page) -> None:
    assert page.locator("[data-testid=stException]").count() == 0, page.locator(
        "[data-testid=stException]"
    ).first.inner_text()


def set_number(page, key: str, value: str) -> None:
    field = page.locator(f"{css_key(key)} input")
    field.fill(value)
    field.press("Enter")
    settle(page)


def choose(page, key: str, option: str) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # A rerun that lands while the list is open redraws the box closed (the option is gone: open it again), or
    # between Playwright finding the option and clicking it (the click lands elsewhere: the box does not show
    # the option). Either way the user clicks again; the box must show the option at the end.
    for attempt in range(3):
        page.locator(f"{css_key(key)} input[role=combobox]").click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=10_000)
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            settle(page)
            continue
        settle(page)
        if chosen(page, key) == option:
            return
    assert chosen(page, key) == option, f"{key}: {chosen(page, key)!r}, not {option!r}, after three clicks"


def chosen(page, key: str) -> str:
    return page.locator(f"{css_key(key)} input[role=combobox]").input_value()


def nudge(page, key: str, presses: int) -> None:
    thumb = page.locator(f"{css_key(key)} input[type=range]")
    for _ in range(abs(presses)):  # one key at a time, each rerun finished before the next
        thumb.focus()
        before = thumb.input_value()
        thumb.press("ArrowRight" if presses > 0 else "ArrowLeft")
        page.wait_for_function(
            "([selector, before]) => document.querySelector(selector)?.value !== before",
            arg=[f"{css_key(key)} input[type=range]", before],
            timeout=60_000,
        )
        settle(page)


def slider_value(page, key: str) -> str:
    return page.locator(f"{css_key(key)} input[type=range]").input_value()


def first_table_text(page) -> str:
    """The text of the page's first table (tables are canvases: read what the grid exposes)."""
    frame = page.locator("[data-testid=stDataFrame]").first
    frame.wait_for(timeout=60_000)
    return frame.inner_text()


CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stPlotlyChart]')]
    .every(chart => chart.querySelector('.main-svg')) && !document.querySelector('[data-testid=stSkeleton]')"""
"""Every chart of the main area has drawn its SVG (its axis and legend text is part of the page's text)."""


def main_text(page) -> str:
    """The main area's text once its charts have drawn (read while one draws, the text lacks its labels)."""
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
    return page.locator("[data-testid=stMain]").inner_text()


def sidebar_scenario(page) -> str:
    return page.locator("[data-testid=stSidebar]").inner_text()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1500, "height": 1200}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server}/segments")
    page.get_by_text("Which customer groups do we serve").wait_for(timeout=120_000)
    settle(page)
    yield page
    context.close()


def test_every_view_keeps_its_setting_across_pages_then_saves_reloads_and_links(page, browser, server, tmp_path):
    # Segments: the first bound (where affluent starts) from ¥50K to ¥100K (typed in ¥K in English).
    label = page.locator(f"{css_key('tiers.thresholds.0@en')} input").get_attribute("aria-label")
    assert label.startswith("affluent from")  # the bound is labelled by the tier it starts
    set_number(page, "tiers.thresholds.0@en", "100")
    segments_figures = main_text(page)
    assert "(modified)" in sidebar_scenario(page)
    # Staff KPIs: the customer-centric preset, then one weight.
    visit(page, "Staff KPIs")
    choose(page, "staff.preset@en", "Customer-centric balanced scorecard")
    nudge(page, "staff_weights.retention", 3)
    retention = slider_value(page, "staff_weights.retention")
    staff_figures = first_table_text(page)
    # Loyalty: churn definition and the discount rate.
    visit(page, "Loyalty & value")
    choose(page, "churn.kind@en", "no transactions for N months")
    nudge(page, "clv.discount_rate", 4)
    discount = slider_value(page, "clv.discount_rate")
    # Visits: the digital-adoption what-if.
    visit(page, "Visits & channels")
    nudge(page, "visits_what_if.adoption_increase_pp", 5)
    adoption = slider_value(page, "visits_what_if.adoption_increase_pp")
    # Products: the benchmark.
    visit(page, "Product gap")
    choose(page, "product_benchmark.kind@en", "bank average")

    # Back to each view after two other pages: the value and the figures it drives are unchanged.
    visit(page, "Overview")
    visit(page, "Segments")
    assert page.locator(f"{css_key('tiers.thresholds.0@en')} input").input_value() == "100.00"
    assert main_text(page) == segments_figures
    visit(page, "Staff KPIs")
    assert slider_value(page, "staff_weights.retention") == retention
    assert first_table_text(page) == staff_figures
    visit(page, "Loyalty & value")
    assert slider_value(page, "clv.discount_rate") == discount
    assert chosen(page, "churn.kind@en") == "no transactions for N months"
    visit(page, "Visits & channels")
    assert slider_value(page, "visits_what_if.adoption_increase_pp") == adoption
    visit(page, "Product gap")
    assert chosen(page, "product_benchmark.kind@en") == "bank average"
    no_error_box(page)

    # Segments again: another scheme and one of its weights, then two pages away and back.
    visit(page, "Segments")
    page.locator(css_key("views.segment_scheme@en")).get_by_text("Value score", exact=True).click()
    settle(page)
    nudge(page, "value.weights.aum", 6)
    aum_weight = slider_value(page, "value.weights.aum")
    value_figures = first_table_text(page)
    visit(page, "Visits & channels")
    visit(page, "Loyalty & value")
    visit(page, "Segments")
    assert slider_value(page, "value.weights.aum") == aum_weight
    assert first_table_text(page) == value_figures
    no_error_box(page)

    # Save it, download its JSON and its link.
    visit(page, "Scenarios & export")
    page.locator(f"{css_key('scenarios_new_name')} input").fill("Meeting what-if")
    page.locator(f"{css_key('scenarios_new_name')} input").press("Enter")
    settle(page)
    page.get_by_role("button", name="Save scenario").click()
    settle(page)
    assert "Meeting what-if" in sidebar_scenario(page) and "(modified)" not in sidebar_scenario(page)
    download = click_download(page, page.get_by_role("button", name="Download JSON"))
    saved_json = tmp_path / "what-if.scenario.json"
    download.save_as(saved_json)
    saved = json.loads(saved_json.read_text())
    assert saved["tiers"]["thresholds"][0] == 100000.0
    assert dict(saved["staff_weights"])["retention"] == int(retention)
    link = page.locator("[data-testid=stCode]").first.inner_text().strip()
    assert "tiers=10,50,600" in link and "churn.kind=inactive" in link
    assert len(link) < 600, link  # seven changed settings, two of them sets of custom weights

    # The deck exported from it carries the change.
    deck_path = tmp_path / "deck.pptx"
    click_download(page, page.get_by_role("button", name="PowerPoint deck"), timeout=120_000).save_as(deck_path)
    from pptx import Presentation

    text = " ".join(
        shape.text_frame.text
        for slide in Presentation(io.BytesIO(deck_path.read_bytes())).slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert "Meeting what-if" in text
    assert "nobody changes tier" not in text and "no rank changes" not in text
    assert "raising the affluent threshold to 100K moves" in text  # the tier-migration slide shows the change
    assert " rises " in text and " falls " in text  # and the rank-change slide the new assessment

    # A fresh session from its link, and another from its JSON: same values.
    other = browser.new_context(viewport={"width": 1500, "height": 1200})
    linked = other.new_page()
    linked.goto(link.replace("http://localhost:8501", server))
    settle(linked)
    visit(linked, "Segments")
    assert slider_value(linked, "value.weights.aum") == aum_weight  # the Value score scheme, as saved
    assert first_table_text(linked) == value_figures
    visit(linked, "Staff KPIs")
    assert slider_value(linked, "staff_weights.retention") == retention
    other.close()
    third = browser.new_context(viewport={"width": 1500, "height": 1200})
    uploaded = third.new_page()
    uploaded.goto(f"{server}/scenarios")
    settle(uploaded)
    uploaded.locator(f"{css_key('scenarios_upload')} input[type=file]").set_input_files(str(saved_json))
    from playwright.sync_api import expect

    # The upload goes to the server before its rerun starts: on a loaded machine the page can look idle
    # in between, so wait for the scenario's name itself (a minute at most) before reading the page.
    expect(uploaded.locator("[data-testid=stSidebar]")).to_contain_text("Meeting what-if", timeout=60_000)
    settle(uploaded)
    assert "Meeting what-if" in sidebar_scenario(uploaded)
    visit(uploaded, "Loyalty & value")
    assert slider_value(uploaded, "clv.discount_rate") == discount
    third.close()


CHINESE_CONTROLS = [
    (
        zh("page_segments"),
        [
            ("tiers.preset@zh", zh("preset_cmb"), zh("preset_default")),
            ("tiers.basis@zh", zh("basis_3m"), zh("basis_current")),
        ],
        [],
    ),
    (
        zh("page_staff_kpis"),
        [
            ("staff.preset@zh", "以客户为中心的平衡计分卡", "存款与销售导向"),
            ("staff_baseline@zh", "以客户为中心的平衡计分卡", "存款与销售导向"),
        ],
        [],
    ),
    (
        zh("page_loyalty"),
        [("churn.kind@zh", zh("churn_kind_inactive"), zh("churn_kind_flag"))],
        ["clv.discount_rate", "retention.retained_share"],
    ),
    (
        zh("page_products"),
        [("product_benchmark.kind@zh", zh("benchmark_bank"), zh("benchmark_best_branch"))],
        ["product_targets.closure_share"],
    ),
    (
        zh("page_visits"),
        [("views.visits_group_by@zh", zh("scheme_value"), zh("scheme_tiers"))],
        ["visits_what_if.adoption_increase_pp"],
    ),
]
"""Per page (its Chinese name): select boxes (key, another option, the option it had) and sliders to nudge."""


def test_chinese_then_touching_the_controls_raises_nothing_and_changes_nothing(page):
    # One session through the five pages, as a manager goes: each page's controls changed and restored leave
    # the scenario unmodified on that page and on the next (one set-up and one language switch for all five).
    page.get_by_text("中文", exact=True).click()
    settle(page)
    for page_name, selects, sliders in CHINESE_CONTROLS:
        visit(page, page_name)
        for key, other, back in selects:
            choose(page, key, other)
            no_error_box(page)
            assert chosen(page, key) == other
            choose(page, key, back)
            no_error_box(page)
            assert chosen(page, key) == back  # restored (a missed click reads as "modified" below)
        for key in sliders:
            before = slider_value(page, key)
            nudge(page, key, 1)
            no_error_box(page)
            nudge(page, key, -1)
            assert slider_value(page, key) == before, (page_name, key)
        assert "已修改" not in sidebar_scenario(page), f"touching and restoring the controls of {page_name} modified it"
        assert page.locator(f"{css_key('data_source__zh')} input[type=radio]").first.is_checked()  # the source stays
        page.screenshot(path=str(ARTIFACTS / f"settings-{page_name}-zh.png"), full_page=True)
