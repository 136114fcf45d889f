"""An upload is prepared and its models trained in the background from the moment it is chosen."""

import os
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.sample import SampleConfig, sample_tables
from ui import background
from ui.background import STEPS, Trainer

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_a_job_runs_its_steps_in_order_once_per_fingerprint():
    trainer, ran, gate = Trainer(), [], threading.Event()
    steps = (lambda: gate.wait(5) and ran.append("prepare"), lambda: ran.append("churn"), lambda: ran.append("p"))
    blocker = trainer.start("f0", (lambda: gate.wait(5), lambda: None, lambda: None))
    job = trainer.start("f1", steps)
    assert job.pending("prepare") and job.pending("propensity")
    assert not job.running  # queued behind f0: one worker per server
    assert trainer.start("f1", (None, None, None)) is job  # asked again (another session): the same job
    gate.set()
    assert blocker.finished.wait(5) and job.finished.wait(5) and job.running
    assert ran == ["prepare", "churn", "p"] and job.done == len(STEPS) and job.failed is None
    assert not job.pending("churn") and trainer.job("f1") is job and trainer.job("f2") is None


def test_a_failed_step_stops_the_job_and_leaves_the_step_to_the_page():
    trainer = Trainer()

    def broken():
        raise ValueError("no customers")

    job = trainer.start("f", (lambda: None, broken, lambda: pytest.fail("ran after a failure")))
    assert job.finished.wait(5)
    assert (job.done, job.failed) == (1, "churn")
    assert not job.pending("churn") and not job.pending("propensity")  # the page computes them itself


def test_a_warming_job_runs_two_steps_at_once_in_page_order():
    """Two threads take the steps in order: the first two meet at a barrier (one thread would wait forever)."""
    trainer, started, meet = Trainer(), [], threading.Barrier(2, timeout=5)

    def step(name, wait=False):
        def run():
            started.append(name)
            if wait:
                meet.wait()

        return run

    def broken():
        raise ValueError("no products")

    names = background.WARM_STEPS
    steps = (step(names[0], wait=True), step(names[1], wait=True), broken, *(step(n) for n in names[3:]))
    job = trainer.start("warm:w", steps, names, workers=2)
    assert job.finished.wait(10)
    assert started[:2] == list(names[:2]) or started[:2] == list(reversed(names[:2]))
    assert set(started) == set(names) - {names[2]}  # a failed step stops none of the others
    assert (job.done, job.failed) == (len(names) - 1, names[2])
    assert not job.pending(names[2]) and names[3] in job.completed
    assert background.warm_workers() == min(background.WARM_WORKERS, os.cpu_count() or 1)


def test_finished_jobs_are_forgotten_beyond_the_kept_number():
    trainer = Trainer()
    jobs = [trainer.start(f"f{i}", (lambda: None,) * 3) for i in range(background.KEPT_JOBS + 5)]
    for job in jobs:
        assert job.finished.wait(5)
    trainer.start("last", (lambda: None,) * 3).finished.wait(5)
    assert trainer.job("last") is not None and trainer.job("f0") is None
    assert sum(trainer.job(f"f{i}") is not None for i in range(len(jobs))) < background.KEPT_JOBS


@pytest.mark.slow
def test_choosing_an_upload_trains_its_models_in_the_background_and_the_pages_reuse_them(fits):
    tables = sample_tables(SampleConfig(n_customers=1_500, seed=11))
    files = [
        ("customers.csv", tables.customers.to_csv(index=False).encode()),
        ("activity.csv", tables.activity.to_csv(index=False).encode()),
        ("holdings.csv", tables.holdings.to_csv(index=False).encode()),
    ]
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="data_upload").set_value([(n, d, "text/csv") for n, d in files]).run()
    at.button(key="data_load").click().run()
    assert not at.exception, at.exception
    at.button(key="data_use").click().run()
    fingerprint = at.session_state["uploaded_dataset"].fingerprint
    job = background.trainer().job(fingerprint)
    assert job is not None, "choosing the upload queued no background job"
    assert job.finished.wait(180)
    assert (job.done, job.failed) == (len(STEPS), None)
    assert fits["churn"] == 1 and fits["propensity"] == 1
    for page in ("pages/loyalty.py", "pages/products.py", "pages/overview.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    assert fits == {"churn": 1, "propensity": 1}  # the pages read what the background trained


def test_a_large_opened_artefact_is_warmed_and_its_pages_read_the_warmed_views(tmp_path, monkeypatch):
    import crm_core.loyalty
    import crm_core.playbook
    import crm_core.products
    import crm_core.segments
    import crm_core.visits
    import ui.comparison
    from crm_core.artefact import write_artefact
    from crm_core.dataset import Dataset
    from crm_core.prepare import prepared_dataset
    from crm_core.visits.cube import store_visit_cube
    from tests.conftest import resident_bytes_under

    tables = sample_tables(SampleConfig(n_customers=2_000, seed=5))
    prepared = prepared_dataset(Dataset("warm-bank", tables.customers, tables.activity, tables.holdings, "w" * 64))
    write_artefact(prepared, tmp_path / "warm_bank", source="generated for the test")
    store_visit_cube(tmp_path / "warm_bank")  # memory-mapped when opened
    monkeypatch.setenv("CRM_ARTEFACT_ROOT", str(tmp_path))
    monkeypatch.setenv(background.WARM_ENV, "1000")  # 2,000 customers count as large here
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/data.py").run()
    at.button(key="data_artefact_open").click().run()
    assert not at.exception, at.exception
    job = background.trainer().job("warm:" + "w" * 64)
    assert job is not None, "opening a large artefact queued no warming"
    assert job.finished.wait(180)
    assert (job.done, job.failed) == (len(background.WARM_STEPS), None)
    # Each step hands back the mapped cube's pages it read (crm_core.mapped).
    assert resident_bytes_under(tmp_path / "warm_bank") == 0

    def refuse(*args, **kwargs):
        raise AssertionError("a page computed a view the warming had computed")

    for module, name in (
        (crm_core.segments, "segments_view"),
        (crm_core.visits, "visits_view"),
        (crm_core.products, "products_view"),
        (crm_core.products, "next_best_products"),
        (crm_core.products, "lead_list"),
        (crm_core.loyalty, "loyalty_view"),
        (crm_core.loyalty, "customer_value"),
        (crm_core.loyalty, "stickiness_matrix"),
        (crm_core.loyalty, "at_risk_customers"),
        (ui.comparison, "scenario_summary"),
        (crm_core.playbook, "executive_findings"),
        (crm_core.playbook, "segment_playbook"),
    ):
        monkeypatch.setattr(module, name, refuse)
    for page in ("segments", "visits", "products", "loyalty", "playbook", "scenarios"):
        at.session_state["data_source"] = "upload"
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
    assert background.trainer().start("warm:" + "w" * 64, ()) is job  # warmed once per fingerprint


def test_a_small_dataset_is_not_warmed(monkeypatch):
    from crm_core.prepare import prepared_dataset
    from crm_core.sample import read_sample
    from crm_core.scenarios import Scenario

    monkeypatch.delenv(background.WARM_ENV, raising=False)
    assert background.warm_threshold() == background.WARM_MIN_CUSTOMERS
    assert background.start_warming(prepared_dataset(read_sample()), Scenario()) is None
    monkeypatch.setenv(background.WARM_ENV, "not a number")
    assert background.warm_threshold() == background.WARM_MIN_CUSTOMERS


def test_wait_idle_returns_when_every_queued_job_has_finished():
    trainer, gate = Trainer(), threading.Event()
    trainer.start("a", (lambda: gate.wait(5), lambda: None, lambda: None))
    trainer.start("b", (lambda: None,) * 3)
    assert not trainer.wait_idle(0.05)
    gate.set()
    assert trainer.wait_idle(5)
    assert trainer.job("a").finished.is_set() and trainer.job("b").finished.is_set()


def test_a_filtered_bank_is_not_warmed(monkeypatch):
    from crm_core.filters import Filters
    from crm_core.scenarios import Scenario

    queued = []

    class Recorder:  # the server's queue, recording instead of running
        def start(self, key, steps, names=background.STEPS, workers=1):
            queued.append(key)

        def job(self, key):
            return None

    monkeypatch.setenv(background.WARM_ENV, "0")  # the sample counts as large here
    monkeypatch.setattr(background, "trainer", Recorder)
    at = AppTest.from_file(APP, default_timeout=180).run()
    whole = {m.label: m.value for m in at.metric}["Active customers"]
    assert queued, "an unfiltered dataset is warmed"
    queued.clear()
    filtered = Scenario(filters=Filters(branches=("Hangzhou Xihu",)))
    at.session_state["scenario_active"] = filtered
    at.session_state["scenario_origin"] = filtered
    at.run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Active customers"] != whole  # the branch's customers
    assert not queued
