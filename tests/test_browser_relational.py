"""Real Chromium: a relational extract (accounts, clients, dispositions, districts, cards, loans, dated
transactions; the Czech "Berka" bank's shape) uploaded on the Data page, its join plan confirmed, loaded
with every row reconciled, used by the whole app, and every page opened in English and in 中文.

Issue 19. The fixture is ``tests/fixtures/extracts/relational_long`` (``relational/make_relational.py``): 30
clients, 24 accounts, 30 months of transactions (enough for the Visits page's trend by branch), 432 rows read,
430 loaded, 2 rejected with their reason.
"""

from __future__ import annotations

import pytest

from crm_core import catalog
from tests.browser import ARTIFACTS, streamlit_server
from tests.test_browser_hostile import settle
from tests.test_loading_relations import HERE

LONG = HERE / "fixtures" / "extracts" / "relational_long"

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ("overview", "segments", "visits", "products", "loyalty", "staff_kpis", "service", "scenarios", "playbook")


def _metric(page, label: str) -> str:
    """The value of the metric tile labelled ``label``."""
    tile = page.locator("[data-testid=stMetric]", has_text=label).first
    return tile.locator("[data-testid=stMetricValue]").inner_text().strip()


def _open_every_page(page, lang: str) -> None:
    for key in PAGES:
        name = catalog.text(f"page_{key}", lang)
        page.get_by_role("link", name=name, exact=True).click()  # in-app navigation keeps the session's upload
        page.locator("h1", has_text=name).first.wait_for(timeout=90_000)
        settle(page)
        assert page.locator("[data-testid=stException]").count() == 0, (lang, key)
        if lang == "zh":  # a figure the data cannot give reads 暂无, not the English "n/a"
            assert "n/a" not in page.locator("[data-testid=stMain]").inner_text(), key
        if key == "visits":  # the proof issue 19 asks for: dated transactions give a trend by branch
            title = catalog.text("decline_ranking_title", lang)
            page.locator(".js-plotly-plot", has_text=title).first.wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / f"relational-{key}-{lang}.png"), full_page=True)


def test_a_relational_extract_loads_once_its_plan_is_confirmed_and_every_page_opens_in_both_languages(browser):
    uploads = [{"name": p.name, "mimeType": "text/csv", "buffer": p.read_bytes()} for p in sorted(LONG.glob("*.csv"))]
    with streamlit_server() as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(f"{server}/data")
        page.get_by_text("Upload one or more files").wait_for(timeout=60_000)
        page.locator("input[type=file]").first.set_input_files(uploads)
        page.get_by_role("button", name=catalog.text("relations_confirm", "en")).wait_for(timeout=90_000)
        settle(page)
        # nothing loads before a person confirms how the files link
        assert page.get_by_role("button", name=catalog.text("load_validate", "en")).count() == 0
        assert page.get_by_text(catalog.text("relations_heading", "en")).count() >= 1
        page.get_by_role("button", name=catalog.text("relations_confirm", "en")).click()
        page.get_by_role("button", name=catalog.text("load_validate", "en")).click()
        page.get_by_role("button", name=catalog.text("use_dataset", "en")).wait_for(timeout=90_000)
        settle(page)
        # rows read = loaded + rejected, and the unmatched disposition is named
        read, loaded, rejected = (
            _metric(page, catalog.text(k, "en")) for k in ("rows_read", "rows_loaded", "rows_rejected")
        )
        assert (read, loaded, rejected) == ("432", "430", "2")
        assert page.get_by_text("29 of 30 rows matched, 1 unmatched").count() >= 1
        page.screenshot(path=str(ARTIFACTS / "relational-data-en.png"), full_page=True)
        page.get_by_role("button", name=catalog.text("use_dataset", "en")).click()
        page.get_by_text(catalog.text("dataset_in_use", "en")).wait_for(timeout=60_000)
        _open_every_page(page, "en")
        page.get_by_text("中文", exact=True).first.click()  # the language switch keeps the upload
        settle(page)
        _open_every_page(page, "zh")
        page.close()
