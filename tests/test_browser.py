"""Real Chromium: the Overview renders, the language switch works, screenshots are saved as artefacts."""

import pytest

from tests.browser import ARTIFACTS, click_download, settle, streamlit_server

pytestmark = pytest.mark.browser


def test_deep_link_on_a_fresh_server_opens_the_page_inside_the_frame(browser):
    with streamlit_server() as fresh:  # a server no session has used yet: Streamlit's legacy pages/ mode
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{fresh}/visits")
        page.get_by_text("How fast are branch visits falling").wait_for(timeout=60_000)
        assert page.get_by_text("Language / 语言").is_visible()  # the sidebar frame is there
        assert page.url.endswith("/visits")
        page.close()


def test_overview_then_chinese(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/")
    page.get_by_text("Active customers", exact=True).wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    assert page.get_by_text("Bank A sample").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "overview-en.png"), full_page=True)

    page.get_by_text("中文", exact=True).click()
    page.get_by_text("有效客户数", exact=True).wait_for(timeout=30_000)
    page.wait_for_url("**lang=%E4%B8%AD%E6%96%87**", timeout=30_000)  # ?lang=中文: a shared link keeps the language
    body = page.locator("[data-testid=stMain]").inner_text()
    assert "亿" in body and "Active customers" not in body
    # A keyed choice keeps its labels in the browser: the data source, chosen in English, is still chosen.
    source = page.locator("[data-testid=stSidebar] [data-testid=stRadio]").filter(has_text="A银行样本数据")
    assert source.locator("input[type=radio]").first.is_checked()
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "overview-zh.png"), full_page=True)

    # The sidebar frame stays on another page, in the chosen language.
    page.get_by_role("link", name="客群分层").click()
    page.get_by_text("我们服务哪些客群").wait_for(timeout=30_000)
    assert page.get_by_text("A银行样本数据").first.is_visible()
    page.close()


def test_upload_mapping_and_report_in_the_browser(browser, server, tmp_path):
    from tests.test_data_page import GBK_CSV

    extract = tmp_path / "客户.csv"
    extract.write_bytes(GBK_CSV)
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(f"{server}/data")
    page.get_by_text("Upload one or more files").wait_for(timeout=60_000)
    page.locator("input[type=file]").first.set_input_files(str(extract))
    page.get_by_text("encoding gb18030").wait_for(timeout=30_000)
    page.locator("[data-testid=stDataFrame]").first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "data-mapping-en.png"), full_page=True)

    page.get_by_role("button", name="Load and validate").click()
    page.get_by_text("Validation report").wait_for(timeout=30_000)
    page.get_by_role("button", name="Use this dataset").wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "data-report-en.png"), full_page=True)

    page.get_by_role("button", name="Use this dataset").click()
    page.get_by_text("The whole app now uses this dataset.").wait_for(timeout=30_000)
    page.get_by_text("中文", exact=True).click()
    page.get_by_text("校验报告", exact=True).wait_for(timeout=30_000)
    page.get_by_text("aum 无法读取").first.wait_for(state="attached", timeout=30_000)
    assert "invalid aum" not in page.content()  # the report re-renders in the new language
    page.screenshot(path=str(ARTIFACTS / "data-report-zh.png"), full_page=True)
    page.get_by_role("link", name="总览").click()
    page.get_by_text("有效客户数", exact=True).wait_for(timeout=30_000)
    assert "客户.csv" in page.locator("h1").first.inner_text()
    page.close()


PAGE_PATHS = ("", "data", "segments", "visits", "products", "loyalty", "staff_kpis", "service", "scenarios", "playbook")


@pytest.mark.parametrize("lang", ["EN", "中文"])
def test_every_page_renders_without_an_error_box(browser, server, lang):
    """Each page opened through the sidebar of one session, as a manager moves. A ``page.goto`` per page would load
    the whole frontend ten times (about 9 s of browser CPU each here); other flows open deep links (/data, /visits,
    /segments, /scenarios, a scenario link), and AppTest opens every page in a fresh session."""
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(f"{server}/?lang={lang}")
    for path in PAGE_PATHS:
        if path:
            page.locator(f'[data-testid=stSidebarNav] a[href$="/{path}"]').click()
            page.wait_for_url(f"**/{path}*", timeout=60_000)
        page.locator("h1").first.wait_for(timeout=60_000)
        page.locator("[data-testid=stStatusWidget]").wait_for(state="hidden", timeout=60_000)
        # The status widget hides before a long first run ends (the churn model's training): wait for the script
        # to be idle twice a moment apart. Charts and tiles load their code on first use and show a skeleton until
        # then: wait them out too, or the screenshot shows a spinner or grey boxes.
        settle(page)
        page.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton]')", timeout=60_000)
        assert page.locator("[data-testid=stException]").count() == 0, f"error box on /{path}"
        page.screenshot(
            path=str(ARTIFACTS / f"page-{path or 'overview'}-{'en' if lang == 'EN' else 'zh'}.png"), full_page=True
        )
    page.close()


@pytest.mark.parametrize("lang", ["EN", "中文"])
def test_meeting_mode_storyline_screenshots(browser, server, lang):
    suffix = "en" if lang == "EN" else "zh"
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(f"{server}/scenarios?lang={lang}")
    page.locator("h1").first.wait_for(timeout=60_000)
    page.get_by_text("Meeting mode" if lang == "EN" else "会议模式", exact=True).click()
    page.get_by_text("Step 1 of 11" if lang == "EN" else "第 1 步，共 11 步").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / f"meeting-1-{suffix}.png"), full_page=True)
    page.get_by_role("button", name="Next →" if lang == "EN" else "下一步 →").click()
    page.get_by_text("Step 2 of 11" if lang == "EN" else "第 2 步，共 11 步").wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / f"meeting-2-{suffix}.png"), full_page=True)
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()


def test_hostile_names_never_run_in_the_browser(browser, server, tmp_path):
    hostile = tmp_path / "[x](evil.example) <img src=x onerror=alert(1)>.csv"
    rows = ["customer_id,branch,aum"] + [
        f"H{i},{name},{1000 + i}"
        for i, name in enumerate(
            ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "[click](http://evil.example)",
             "=cmd|' /C calc'!A0", "**bold** $x$ :smile:"] * 4
        )
    ]  # fmt: skip
    hostile.write_text("\n".join(rows), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{server}/data")
    page.get_by_text("Upload one or more files").wait_for(timeout=60_000)
    page.locator("input[type=file]").first.set_input_files(str(hostile))
    page.get_by_role("button", name="Load and validate").click()
    page.get_by_role("button", name="Use this dataset").click()
    page.get_by_text("The whole app now uses this dataset.").wait_for(timeout=30_000)
    for link in ("Overview", "Segments", "Staff KPIs", "Loyalty & value"):
        page.get_by_role("link", name=link).click()  # in-app navigation keeps the session and its upload
        page.locator("h1", has_text=link.split(" ")[0]).first.wait_for(timeout=60_000)
        page.locator("[data-testid=stStatusWidget]").wait_for(state="hidden", timeout=60_000)
        assert page.get_by_text("Uploaded:").count() >= 1
        main = page.locator("[data-testid=stMain]")
        assert main.locator("img[src=x]").count() == 0
        assert main.locator("a[href*='evil.example']").count() == 0
        assert page.locator("[data-testid=stException]").count() == 0
    page.screenshot(path=str(ARTIFACTS / "hostile-names.png"), full_page=True)
    assert dialogs == []
    page.close()


def test_two_browser_contexts_never_see_each_others_upload(browser, server, tmp_path):
    from tests.test_data_page import GBK_CSV

    extract = tmp_path / "客户.csv"
    extract.write_bytes(GBK_CSV)
    # Two users: separate cookies, so separate Streamlit sessions.
    first = browser.new_context(viewport={"width": 1400, "height": 1400})
    second = browser.new_context(viewport={"width": 1400, "height": 1000})
    a, b = first.new_page(), second.new_page()
    a.goto(f"{server}/data")
    b.goto(f"{server}/")
    a.get_by_text("Upload one or more files").wait_for(timeout=60_000)
    a.locator("input[type=file]").first.set_input_files(str(extract))
    a.get_by_role("button", name="Load and validate").click()
    a.get_by_role("button", name="Use this dataset").click()
    a.get_by_text("The whole app now uses this dataset.").wait_for(timeout=30_000)
    a.get_by_role("link", name="Overview").click()
    a.get_by_text("Active customers", exact=True).wait_for(timeout=30_000)
    assert "客户.csv" in a.locator("h1").first.inner_text()

    b.reload()  # the other user's next run, after the upload
    b.get_by_text("Active customers", exact=True).wait_for(timeout=60_000)
    assert "客户.csv" not in b.locator("h1").first.inner_text()
    assert b.get_by_text("Bank A sample").first.is_visible()
    b.get_by_role("link", name="Data").click()
    b.get_by_text("Upload one or more files").wait_for(timeout=30_000)
    assert "客户.csv" not in b.locator("body").inner_text()
    first.close()
    second.close()


def test_excel_export_is_built_when_clicked(browser, server, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(f"{server}/visits")
    button = page.get_by_role("button", name="Download Excel")
    button.wait_for(timeout=90_000)
    # Click once the script has finished (the app root says "notRunning" twice, 1 s apart: the first
    # run may be followed by the frame's rerun): a click while the page is still being drawn can land
    # on an element Streamlit is about to replace.
    settle(page, 1_000)
    download = click_download(page, button)
    saved = tmp_path / "silent_attrition.xlsx"
    download.save_as(saved)
    assert download.suggested_filename == "silent_attrition.xlsx"
    assert saved.read_bytes()[:2] == b"PK" and saved.stat().st_size > 5_000
    page.close()
