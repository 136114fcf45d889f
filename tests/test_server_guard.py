"""The production server (``streamlit run serve.py``): metrics closed, cache clearing refused, and before
sign-in no page list; measured against real servers on loopback ports."""

from __future__ import annotations

import asyncio
import contextlib
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, require_chromium, server_log, streamlit_server
from ui.auth import hash_password
from ui.server_guard import ServerGuard, is_clear_cache

PROBE = """
import uuid
import streamlit as st

@st.cache_resource
def born() -> str:
    return uuid.uuid4().hex

st.markdown(f"cache-born-{born()}")
"""
GUARDED_PROBE = """
from pathlib import Path
import streamlit as st
from starlette.middleware import Middleware
from ui.server_guard import ServerGuard

app = st.App(Path(__file__).resolve().parent / "probe.py", middleware=[Middleware(ServerGuard)])
"""


@contextlib.contextmanager
def running(script: Path, *, env: dict[str, str] | None = None):
    """``streamlit run <script>`` on a free loopback port with the repo's config; yield its URL and log."""
    with streamlit_server(script, env) as url:
        yield url, server_log(url)


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


async def _rerun_and_read(socket) -> str:
    """Run the script once over an open WebSocket; return the text of its markdown elements."""
    await socket.send(BackMsg(rerun_script={"query_string": "", "page_script_hash": ""}).SerializeToString())
    texts = []
    while True:
        message = ForwardMsg()
        message.ParseFromString(await asyncio.wait_for(socket.recv(), timeout=60))
        if message.WhichOneof("type") == "delta" and message.delta.new_element.WhichOneof("type") == "markdown":
            texts.append(message.delta.new_element.markdown.body)
        if message.WhichOneof("type") == "script_finished":
            return " ".join(texts)


async def _cache_before_and_after_a_clear_cache_message(url: str) -> tuple[str, str]:
    stream = url.replace("http", "ws") + "/_stcore/stream"
    async with websockets.connect(stream, subprotocols=["streamlit"]) as attacker:
        before = await _rerun_and_read(attacker)
        await attacker.send(BackMsg(clear_cache=True).SerializeToString())
    async with websockets.connect(stream, subprotocols=["streamlit"]) as someone_else:
        after = await _rerun_and_read(someone_else)
    return before, after


# --- the guard's pieces ---


def test_clear_cache_frames_are_recognised_even_behind_other_fields():
    rerun_then_clear = (
        BackMsg(rerun_script={"query_string": "a=1"}).SerializeToString()
        + BackMsg(clear_cache=True).SerializeToString()
    )  # the last member of a protobuf oneof wins: Streamlit would read this as clear_cache
    assert is_clear_cache(rerun_then_clear)
    assert not is_clear_cache(BackMsg(rerun_script={"query_string": "a=1"}).SerializeToString())


def test_guard_drops_clear_cache_and_passes_everything_else():
    frames = [BackMsg(clear_cache=True).SerializeToString(), BackMsg(app_heartbeat=True).SerializeToString()]
    incoming = [{"type": "websocket.connect"}] + [{"type": "websocket.receive", "bytes": f} for f in frames]
    seen = []

    async def streamlit(scope, receive, send):
        for _ in range(2):
            seen.append(await receive())

    async def receive():
        return incoming.pop(0)

    asyncio.run(ServerGuard(streamlit)({"type": "websocket", "path": "/_stcore/stream"}, receive, None))
    assert seen == [{"type": "websocket.connect"}, {"type": "websocket.receive", "bytes": frames[1]}]


def test_production_config_hides_the_developer_menu():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == "minimal"  # no "Clear cache" item; serve.py refuses the message


def test_production_config_skips_the_full_collection_after_every_rerun():
    # A full gc.collect() after each rerun walked every object of the warm caches: 0.18 s of the 0.41 s of
    # server CPU per page visit (README, "Load"). Python's generational collector still runs.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


# --- real servers ---


@pytest.mark.slow
@pytest.mark.parametrize("guarded", [True, False], ids=["serve.py guard", "plain streamlit run"])
def test_a_clear_cache_message_over_the_websocket_leaves_the_caches(tmp_path, guarded):
    (tmp_path / "probe.py").write_text(PROBE)
    (tmp_path / "serve_probe.py").write_text(GUARDED_PROBE)
    with running(tmp_path / ("serve_probe.py" if guarded else "probe.py")) as (url, log):
        before, after = asyncio.run(_cache_before_and_after_a_clear_cache_message(url))
        assert before.startswith("cache-born-")
        if guarded:
            assert after == before, "the cached value survived"
            assert "Dropped a clear_cache message" in log.read_text()
        else:  # the hole the guard closes: without it one message empties every cache for everyone
            assert after != before


@pytest.mark.slow
def test_metrics_are_closed_and_the_app_answers_on_the_production_entrypoint():
    with running(ROOT / "serve.py") as (url, _log):
        assert _status(f"{url}/_stcore/health") == 200
        assert _status(f"{url}/") == 200
        assert _status(f"{url}/_stcore/metrics") == 404
        assert _status(f"{url}/_stcore/metrics?families=cache_memory_bytes") == 404


# --- before sign-in, in real Chromium ---


@pytest.fixture
def password_secrets(tmp_path):
    """A secrets file outside the repo, handed to the server through STREAMLIT_SECRETS_FILES."""
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'app_password_hash = "{hash_password("meeting-room-7", n=2**10)}"\n')
    return {"STREAMLIT_SECRETS_FILES": str(secrets)}


@pytest.mark.browser
@pytest.mark.slow
def test_before_sign_in_there_is_no_page_list_and_deep_links_gate(password_secrets):
    require_chromium()
    from playwright.sync_api import sync_playwright

    with running(ROOT / "serve.py", env=password_secrets) as (url, _log), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for path in ("/", "/visits", "/staff_kpis"):  # the first visit meets Streamlit's legacy pages/ mode
            page.goto(f"{url}{path}")
            page.get_by_label("Password", exact=True).wait_for(timeout=60_000)
            page.wait_for_function("document.querySelector('.stApp')?.dataset.testScriptState === 'notRunning'")
            assert page.locator("[data-testid=stSidebarNav]").count() == 0, f"page list shown at {path}"
            links = page.locator("a").evaluate_all("links => links.map(link => link.getAttribute('href') || '')")
            assert all(link.startswith("#") for link in links), f"links to pages before sign-in at {path}: {links}"
            assert not page.get_by_text("How fast are branch visits falling").count()
            assert not page.get_by_text("Page not found").count(), "the deep link keeps its page"
        page.screenshot(path=str(ARTIFACTS / "sign-in.png"), full_page=True)
        page.get_by_label("Password", exact=True).fill("meeting-room-7")
        page.get_by_label("Password", exact=True).press("Enter")
        page.get_by_role("heading", name="Staff KPIs").wait_for(timeout=60_000)  # the deep link, now open
        assert page.url.endswith("/staff_kpis")
        assert page.locator("[data-testid=stSidebarNav]").count() == 1, "the page list after sign-in"
        browser.close()
