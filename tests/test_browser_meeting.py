"""Real Chromium, the meeting flows of issue 20: filters set once in the sidebar hold on every page and
in both languages, a click drills into a unit and back, and the deck says what it is filtered to."""

from __future__ import annotations

import re

import pytest
from pptx import Presentation

from tests.browser import ARTIFACTS, click_download, settle
from tests.test_browser_settings import choose, css_key, main_text, no_error_box, visit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES_EN = ("Segments", "Visits & channels", "Product gap", "Loyalty & value", "Staff KPIs", "Service quality",
            "Scenarios & export", "Strategy playbook", "Overview")  # fmt: skip
STATEMENT_EN = "Ningbo Haishu · affluent · as of June 2026"
STATEMENT_ZH = "宁波海曙支行 · 富裕客户 · 截至2026年6月"


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1500, "height": 1200}, accept_downloads=True)
    page = context.new_page()
    page.goto(server)  # the Overview is the default page, at the root (/overview is "not found")
    page.get_by_text("Active customers").first.wait_for(timeout=120_000)
    settle(page)
    yield page
    context.close()


def pick(page, key: str, option: str) -> None:
    """Choose an option of a long list by typing it first (the list draws only the options in view)."""
    box = page.locator(f"{css_key(key)} input[role=combobox]")
    chip = page.locator(f"{css_key(key)} [data-tag]").filter(has_text=option)  # the chip of a chosen value
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(3):  # a click or a list lost to a rerun that redraws the box is tried again, as a user would
        settle(page)
        box.click()
        box.fill(option)
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=20_000)
        except PlaywrightTimeout:  # the list closed (a rerun redrew the box) before the option was drawn
            page.keyboard.press("Escape")
            continue
        page.keyboard.press("Escape")
        settle(page)
        if chip.count():
            return
    assert chip.count(), f"{key}: {option!r} not chosen after three clicks"


def tile(page, label: str) -> str:
    metric = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return metric.locator("[data-testid=stMetricValue]").inner_text()


def test_filters_hold_on_every_page_and_in_both_languages(page):
    customers_before = tile(page, "Active customers")
    page.locator("[data-testid=stSidebar] [data-testid=stExpander] summary").filter(has_text="Filters").click()
    pick(page, "filters.branches@en", "Ningbo Haishu")
    pick(page, "filters.tiers@en", "affluent")
    choose(page, "filters.as_of@en", "June 2026")
    # The as-of month prepares the filtered extract: its rerun may start after the choice has settled.
    page.get_by_text(STATEMENT_EN).first.wait_for(timeout=120_000)
    settle(page)
    no_error_box(page)
    assert STATEMENT_EN in main_text(page)
    assert tile(page, "Active customers") != customers_before
    page.screenshot(path=str(ARTIFACTS / "meeting_filtered_overview_en.png"), full_page=True)
    for name in PAGES_EN:
        visit(page, name)
        no_error_box(page)
        assert STATEMENT_EN in main_text(page), name
    # the deck says what it covers
    visit(page, "Scenarios & export")
    deck_button = page.get_by_role("button", name="PowerPoint deck")
    deck = Presentation(click_download(page, deck_button, timeout=120_000).path())
    cover = " ".join(shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame)
    assert f"Filtered: {STATEMENT_EN}" in cover
    # the filter is a setting: the language switch keeps it and names the branch in Chinese
    page.locator("[data-testid=stSidebar]").get_by_text("中文", exact=True).click()
    settle(page)
    no_error_box(page)
    assert STATEMENT_ZH in main_text(page)
    # the scenario picker, shown in English before the switch, names the scenario in Chinese
    picker = page.locator("[data-testid=stSelectbox] input[aria-label=情景]").first.input_value()
    assert "基准（现行做法）" in picker and "Baseline" not in picker, picker
    page.screenshot(path=str(ARTIFACTS / "meeting_filtered_overview_zh.png"), full_page=True)
    # clearing restores the whole bank
    page.locator("[data-testid=stSidebar]").get_by_role("button", name="清除筛选").click()
    settle(page)
    assert STATEMENT_ZH not in main_text(page)
    # count axes are written out: plotly's "30k" is how neither language writes a count
    visit(page, "总览")
    page.locator(".js-plotly-plot g.ytick text").first.wait_for(timeout=60_000)
    ticks = page.locator(".js-plotly-plot g.ytick text, .js-plotly-plot g.xtick text").all_text_contents()
    assert [t for t in ticks if re.fullmatch(r"[\d,]+", t.replace("−", ""))], ticks  # counts drawn, plainly
    assert not [t for t in ticks if re.fullmatch(r"−?[\d.]+[kMG]", t)], ticks


def test_a_click_on_a_branch_drills_into_it_and_back(page):
    visit(page, "Service quality")
    chart = page.locator(".st-key-service_satisfied_chart")
    bar = chart.locator(".barlayer .point path").first.bounding_box()  # plotly's drag layer takes the click, as in use
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    page.get_by_role("button", name="Back to the view before the click").wait_for(timeout=60_000)
    settle(page)
    no_error_box(page)
    text = main_text(page)
    page.screenshot(path=str(ARTIFACTS / "meeting_drilled_service_en.png"), full_page=True)
    assert "Filtered: " in text and "Back to the view before the click" in text
    drilled = text.split("Filtered: ")[1].split(".")[0]
    visit(page, "Loyalty & value")  # the drill holds on every page, like any filter
    assert f"Filtered: {drilled}" in main_text(page)
    page.get_by_text("Customers here by AUM expected to leave").click()
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "meeting_drilled_loyalty_en.png"), full_page=True)
    page.get_by_role("button", name="Back to the view before the click").click()
    settle(page)
    no_error_box(page)
    assert "Filtered: " not in main_text(page)


def test_a_click_on_the_staff_heatmap_opens_the_manager_and_back(page):
    visit(page, "Staff KPIs")
    page.locator(css_key("views.staff_level@en")).get_by_text("Relationship manager", exact=True).click()
    settle(page)
    heat = page.locator(".st-key-staff_scorecard_chart")
    heat.get_by_text(re.compile(r"^RM\d")).first.wait_for(timeout=60_000)  # redrawn at the manager level
    heat.scroll_into_view_if_needed()
    cell = heat.locator("path.point").first.bounding_box()  # the first cell of the first row
    page.mouse.click(cell["x"] + cell["width"] / 2, cell["y"] + cell["height"] / 2)
    page.get_by_role("button", name="Back to the view before the click").wait_for(timeout=60_000)
    settle(page)
    no_error_box(page)
    text = main_text(page)
    assert "Filtered: RM" in text and "Back to the view before the click" in text, text[:600]
    page.screenshot(path=str(ARTIFACTS / "meeting_drilled_staff_en.png"), full_page=True)
    page.get_by_role("button", name="Back to the view before the click").click()
    settle(page)
    assert "Filtered: " not in main_text(page)
