"""Real Chromium: the Overview renders, the language switch works, screenshots are saved as artefacts."""

import pytest

from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, require_chromium, streamlit_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server():
    with streamlit_server() as url:
        yield url


def test_overview_then_chinese(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/overview")
    page.get_by_text("Active customers", exact=True).wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    assert page.get_by_text("Bank A sample").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "overview-en.png"), full_page=True)

    page.get_by_text("中文", exact=True).click()
    page.get_by_text("有效客户数", exact=True).wait_for(timeout=30_000)
    assert "lang=%E4%B8%AD%E6%96%87" in page.url  # ?lang=中文: a shared link keeps the language
    body = page.locator("[data-testid=stMain]").inner_text()
    assert "亿" in body and "Active customers" not in body
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "overview-zh.png"), full_page=True)

    # The sidebar frame stays on another page, in the chosen language.
    page.get_by_role("link", name="客群分层").click()
    page.get_by_text("我们服务哪些客群").wait_for(timeout=30_000)
    assert page.get_by_text("A银行样本数据").first.is_visible()
    page.close()
