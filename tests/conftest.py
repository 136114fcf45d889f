"""Shared fixtures: a tiny hand-built bank whose every derived number is known, and a small generated one."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crm_core.dataset import Dataset, channel_dtype  # noqa: E402
from crm_core.sample import SampleConfig, sample_tables  # noqa: E402


def warning_texts(warnings) -> list[str]:
    """A load report's warnings as the CLI writes them (English; catalog messages rendered)."""
    from crm_core.loading.report import report_text

    return [report_text(w) for w in warnings]


def app_on(dataset: Dataset, lang: str = "EN", page: str | None = None, timeout: int = 120):
    """AppTest of the app with ``dataset`` in use as an upload, in ``lang``, run; on ``page`` (``pages/<page>.py``)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=timeout)
    at.session_state["lang"] = lang
    at.session_state["uploaded_dataset"] = dataset
    at.session_state["data_source"] = "upload"
    at.run()
    if page is not None:
        at.switch_page(f"pages/{page}.py").run()
    return at


def resident_bytes_under(folder: Path) -> int:
    """This process's resident bytes of mapped files inside ``folder`` (``/proc/self/smaps``; Linux)."""
    root, inside, total = os.path.join(os.path.realpath(folder), ""), False, 0
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            parts = line.split()
            if parts and "-" in parts[0] and len(parts) >= 5 and ":" in parts[3]:  # a mapping's header line
                inside = len(parts) >= 6 and parts[5].startswith(root)
            elif inside and parts[0] == "Rss:":
                total += int(parts[1]) * 1024
    return total


def bank_fingerprint(name: str) -> str:
    """A fingerprint of a hand-built test bank's own (the app's caches are per process and keyed by it)."""
    import hashlib

    return hashlib.sha256(f"test bank: {name}".encode()).hexdigest()


def tiny_dataset() -> Dataset:
    """Four customers, as of March 2026.

    A: active since 2020, AUM 50 -> 100, counter 4 -> 2, mobile user.
    B: opened Sep 2025, AUM 300, one online month.
    C: closed Dec 2025 (last 12 months), AUM 200 a year ago.
    D: closed Aug 2024 (the 12 months before), no activity.
    One activity row names an unknown customer E.
    """
    customers = pd.DataFrame(
        {
            "customer_id": pd.array(["A", "B", "C", "D"], dtype="string"),
            "aum": [100.0, 300.0, 0.0, 0.0],
            "aum_12m_ago": [50.0, 300.0, 200.0, 0.0],
            "branch": pd.array(["North", "North", "South", "South"], dtype="string"),
            "age": pd.array([34, 61, 75, 29], dtype="Int64"),
            "open_date": pd.to_datetime(["2020-01-01", "2025-09-10", "2019-05-01", "2018-02-01"]),
            "closed_date": pd.to_datetime([None, None, "2025-12-05", "2024-08-01"]),
        }
    )
    activity = pd.DataFrame(
        {
            "customer_id": pd.array(["A", "A", "A", "B", "C", "E"], dtype="string"),
            "month": pd.to_datetime(
                ["2025-03-01", "2026-03-01", "2026-02-01", "2025-04-01", "2024-03-01", "2026-01-01"]
            ),
            "channel": pd.Categorical(
                ["counter", "counter", "mobile", "online", "counter", "counter"], dtype=channel_dtype()
            ),
            "transactions": [4, 2, 5, 3, 7, 1],
        }
    )
    holdings = pd.DataFrame(
        {
            "customer_id": pd.array(["A", "A", "B", "C"], dtype="string"),
            "product": pd.array(
                ["savings_deposit", "credit_card", "savings_deposit", "savings_deposit"], dtype="string"
            ),
            "open_date": pd.to_datetime(["2020-01-01", "2025-06-01", "2025-09-10", "2019-05-01"]),
        }
    )
    return Dataset("tiny", customers, activity, holdings, fingerprint="tiny")


@pytest.fixture
def tiny() -> Dataset:
    return tiny_dataset()


@pytest.fixture(scope="session")
def small_sample():
    """A 3,000-customer generated bank (fixed seed)."""
    return sample_tables(SampleConfig(n_customers=3_000, seed=7))


@pytest.fixture
def fits(monkeypatch):
    """Counts every training of a churn model and of propensity models, wherever (and in whichever thread) it runs."""
    from crm_core.loyalty.estimator import ChurnClassifier
    from crm_core.products.propensity import PropensityModels

    counted = {"churn": 0, "propensity": 0}
    for kind, owner in (("churn", ChurnClassifier), ("propensity", PropensityModels)):
        original = owner.fit

        def counting(self, *args, kind=kind, original=original, **kwargs):
            counted[kind] += 1
            return original(self, *args, **kwargs)

        monkeypatch.setattr(owner, "fit", counting)
    return counted


@pytest.fixture(autouse=True)
def streamlit_after_first_navigation(monkeypatch):
    """Run AppTest as a warmed-up server runs the app.

    AppTest resets ``PagesManager.uses_pages_directory`` before every run, so with a ``pages/``
    folder beside ``app.py`` each run would take Streamlit's legacy multipage path (widget state
    lost on the re-route, sidebar dropped). A real server leaves that path for good once any
    session has called ``st.navigation``; the first-request case is covered by ``ui/frame.py``
    and the browser tests.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (browser tests only)."""
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server():
    """The dashboard served on a free loopback port for one test module."""
    from tests.browser import streamlit_server

    with streamlit_server() as url:
        yield url


IN_CI = os.environ.get("CI", "").lower() == "true"


def _spark_missing_reason() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no java on PATH (Spark needs a JVM)"
    return None


@pytest.fixture(scope="session")
def spark():
    """A Spark ``local[2]`` session in UTC; skipped without pyspark or a JVM (a failure in CI)."""
    reason = _spark_missing_reason()
    if reason:
        if IN_CI:
            pytest.fail(f"Spark tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("crm-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.bindAddress", "127.0.0.1")
        # Executors fetch large task results (a broadcast join's table) from the driver's host.
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def pytest_collection_modifyitems(config, items):
    """Under ``pytest -n`` (pytest-xdist, ``--dist loadgroup``): the browser flows run one after another on one
    worker (each starts a server and a Chromium; two at once on two cores time out), and the Spark tests
    share one worker and so one JVM; every other test goes to whichever worker is free."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))
        elif "spark" in getattr(item, "fixturenames", ()) or _spark_parameter(item):
            item.add_marker(pytest.mark.xdist_group("spark"))


def _spark_parameter(item) -> bool:
    """A test parametrised by engine asks for the Spark session itself (``request.getfixturevalue``) when its
    engine is "spark": it belongs with the other Spark tests (on another worker it started a second JVM)."""
    callspec = getattr(item, "callspec", None)
    return callspec is not None and any(isinstance(v, str) and v == "spark" for v in callspec.params.values())
