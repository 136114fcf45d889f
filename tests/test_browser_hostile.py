"""Real Chromium: hostile names from an upload never become links, styling, remote images or requests.

Issue 22, item 5. The fixture is ``tests/hostile_names.py``: HTML links and 60 px spans for
plotly, Markdown links and images, bare URLs and ``www.`` addresses for GFM autolinks, and a
right-to-left override, in branch, city, RM and product names and in the upload's file name.
"""

from __future__ import annotations

import pytest

from tests import hostile_names as hostile
from tests.browser import ARTIFACTS, settle, streamlit_server

pytestmark = pytest.mark.browser

PAGES = ("Overview", "Segments", "Visits", "Staff KPIs", "Loyalty & value", "Product gap", "Scenarios", "Playbook")

# Links and images by any attribute that loads or navigates (HTML href/src, SVG xlink:href), inline
# 60 px styling, and bidi controls in the rendered text.
FIND_HOSTILE = """
() => {
  const found = [];
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const loads = attribute.name.endsWith('href') || attribute.name === 'src';
      if (loads && attribute.value.includes('evil.example')) {
        found.push(`${element.tagName} ${attribute.name}=${attribute.value}`);
      }
    }
    const style = element.getAttribute('style') || '';
    if (/font-size:\\s*60px/.test(style)) found.push(`${element.tagName} style=${style}`);
  }
  const bidi = /[\\u202a-\\u202e\\u2066-\\u2069\\u200e\\u200f\\u061c]/;
  if (bidi.test(document.body.innerText)) found.push('bidi control in text');
  return found;
}
"""


@pytest.mark.slow
def test_hostile_names_are_text_on_every_page_and_nothing_is_fetched(browser):
    # Given as payloads: the hostile file name holds "/", which no file on disk can.
    files = [{"name": name, "mimeType": "text/csv", "buffer": content} for name, content in hostile.hostile_files(400)]
    requests: list[str] = []
    with streamlit_server() as server:
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.on("request", lambda request: requests.append(request.url))
        page.route(lambda url: "evil.example" in url, lambda route: route.abort())
        page.goto(f"{server}/data")
        page.get_by_text("Upload one or more files").wait_for(timeout=60_000)
        page.locator("input[type=file]").first.set_input_files(files)
        page.get_by_role("button", name="Load and validate").click()
        page.get_by_role("button", name="Use this dataset").wait_for(timeout=90_000)
        settle(page, 1_000)
        found = {"Data": page.evaluate(FIND_HOSTILE)}
        assert page.get_by_text("Save mapping of").count() >= 1
        page.get_by_role("button", name="Use this dataset").click()
        page.get_by_text("The whole app now uses this dataset.").wait_for(timeout=60_000)
        for link in PAGES:
            page.get_by_role("link", name=link).click()  # in-app navigation keeps the session and its upload
            page.locator("h1", has_text=link.split(" ")[0]).first.wait_for(timeout=90_000)
            settle(page, 1_000)
            found[link] = page.evaluate(FIND_HOSTILE)
            assert page.locator("[data-testid=stException]").count() == 0, link
        page.get_by_role("link", name="Staff KPIs").click()
        settle(page, 1_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "hostile-names-staff.png"), full_page=True)
        assert page.locator(".js-plotly-plot").count() >= 2
        assert page.locator(".js-plotly-plot text", has_text="<a href=").count() >= 1  # names shown, as text
        page.close()
    assert {page: problems for page, problems in found.items() if problems} == {}
    assert [url for url in requests if "evil.example" in url] == []
