"""A prepared artefact opens in the dashboard (every page renders from it) and in the report CLI."""

import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.artefact import write_artefact
from crm_core.dataset import Dataset
from crm_core.prepare import prepared_dataset
from crm_core.sample import SampleConfig, sample_tables
from crm_core.visits.cube import store_visit_cube
from tests.conftest import bank_fingerprint, resident_bytes_under

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))


@pytest.fixture(scope="module")
def artefact_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("artefacts")
    tables = sample_tables(SampleConfig(n_customers=2_500, seed=11))
    prepared = prepared_dataset(
        Dataset("spark-bank", tables.customers, tables.activity, tables.holdings, bank_fingerprint("spark-bank"))
    )
    write_artefact(prepared, root / "bank_2026_10", source="generated for the test")
    store_visit_cube(root / "bank_2026_10")  # memory-mapped when opened, as `prepare` stores it
    (root / "not_an_artefact").mkdir()
    return root


def test_every_page_renders_from_an_opened_artefact(artefact_root, monkeypatch):
    monkeypatch.setenv("CRM_ARTEFACT_ROOT", str(artefact_root))
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/data.py").run()
    assert at.selectbox(key="data_artefact").options == ["bank_2026_10"]  # only real artefacts are offered
    at.button(key="data_artefact_open").click().run()
    assert not at.exception
    assert at.session_state["data_source"] == "upload"
    for page in PAGES:
        # AppTest drops the sidebar (and the data-source radio's value) on reruns of an st.navigation
        # app; a browser keeps it. Set it as the radio would, so each page runs on the artefact.
        at.session_state["data_source"] = "upload"
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        if page == "visits":  # read from the artefact's activity file, not the sample's -15.7% a year
            assert {m.label: m.value for m in at.metric}["Counter trend a year"] != "-15.7%"
    at.session_state["data_source"] = "upload"
    at.switch_page("pages/overview.py").run()
    assert {m.label: m.value for m in at.metric}["Active customers"] != "14,596"  # not the bundled sample
    # The stored cube's pages the pages read are handed back after each run (crm_core.mapped).
    assert resident_bytes_under(artefact_root / "bank_2026_10") == 0


def test_without_a_configured_root_nothing_is_offered(monkeypatch):
    monkeypatch.delenv("CRM_ARTEFACT_ROOT", raising=False)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    assert not [s for s in at.selectbox if s.key == "data_artefact"]


def test_report_cli_reads_an_artefact(artefact_root, tmp_path):
    out = tmp_path / "tables.xlsx"
    result = subprocess.run(
        [sys.executable, "-m", "crm_core", "report", "--data", str(artefact_root / "bank_2026_10"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:2] == b"PK"
