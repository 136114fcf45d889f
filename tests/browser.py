"""Helpers for browser tests: a Streamlit server on a free port and Debian's Chromium via Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip without Chromium locally; in CI (CI=true) a missing browser is a failure."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing in CI: dev.sh test should have installed Debian's chromium package")
    pytest.skip("Chromium not installed (bash dev.sh test installs it when it can)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_log(url: str) -> Path:
    """The log file of the server ``streamlit_server`` started at ``url``."""
    return ARTIFACTS / f"streamlit-{url.rsplit(':', 1)[1]}.log"


@contextlib.contextmanager
def streamlit_server(script: Path | None = None, env: dict[str, str] | None = None):
    """Start ``streamlit run <script>`` (``app.py`` by default) on a free loopback port; yield its base URL; stop it.

    ``env`` adds to the environment (e.g. ``STREAMLIT_SECRETS_FILES``); the repo's ``.streamlit`` config applies.
    """
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script or ROOT / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    log = ARTIFACTS / f"streamlit-{port}.log"
    ARTIFACTS.mkdir(exist_ok=True)
    with log.open("wb") as out:
        environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=environment)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"streamlit did not start; see {log}") from None
                    time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


IDLE = "document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') === 'notRunning'"
"""True in the page when no script run is under way (the app root's state)."""


def settle(page, pause_ms: int = 600) -> None:
    """Wait until the script has finished, twice ``pause_ms`` apart: a run may be followed by another (the frame's
    rerun, a callback), and a click while the page is still being drawn can land on an element about to go."""
    page.wait_for_function(IDLE, timeout=120_000)
    page.wait_for_timeout(pause_ms)
    page.wait_for_function(IDLE, timeout=120_000)


def click_download(page, button, attempts: int = 3, timeout: int = 45_000):
    """Click a download button (a locator) and return the download, clicked again when none starts.

    The app's download buttons do not rerun the app (``on_click="ignore"``), so a click cannot be lost to
    the rerun after an earlier download; a click that lands while a loaded CI machine still draws the page
    can, as a user's click would be."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        settle(page)
        try:
            with page.expect_download(timeout=timeout) as download:
                button.click()
            return download.value
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
