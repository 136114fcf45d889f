"""Model training for an uploaded dataset, started in the background the moment it is chosen.

Choosing an upload ("Use this dataset") queues one job per dataset fingerprint: prepare the
dataset, train the churn model for the scenario's definition, train the propensity models. The
job calls the pages' own cached functions (``ui.data._prepared``, ``ui.loyalty._risk``,
``ui.products._models``), so its results land in the caches the pages read, and a page that asks
while a step is still running waits on Streamlit's per-key compute lock instead of training a
second time. Meanwhile the page shows the job's progress (step k of 3 and seconds since it
started, ``wait_for``); every other page stays usable. An opened artefact carries its models and
needs no job; a filtered bank trains on demand, as before.

The queue is one worker thread per server (``st.cache_resource``), so two uploads train one after
the other rather than both at half speed on a small machine; a job's steps never touch
``st.session_state`` or any widget (they run without a script context).

A large dataset (``WARM_MIN_CUSTOMERS`` customers or more: an opened artefact or a large upload,
unfiltered) is also *warmed* once per fingerprint, in the same queue after its training:
the tier views of Segments, Visits, Product gap (with its next-best offers) and Loyalty under the
scenario in use when it became active, the playbook's findings and plays, then the comparison of
the two preset scenarios the Scenarios page opens with (``start_warming``). The pages read those
views from the same caches, so a page the manager opens after reading the previous one finds its
results ready; a page opened while its step still runs waits on the cache's per-key lock rather
than computing twice. A what-if move does not warm again (the key is the fingerprint).

A warming job runs its steps on ``warm_workers()`` threads (two on this two-core machine), taken
in page order as a thread frees up: Segments and Visits at once, then the Product gap view, the
customers' values (which Loyalty waits for longest), the next-best offers and stickiness, then
Loyalty, the playbook and the comparison. Most of a view's time is in numpy, which runs without
Python's lock, so two steps take about the time of the longer one: a manager going from page to
page without reading catches up with one thread's queue, not with two.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import streamlit as st

from crm_core.dataset import Dataset

STEPS: tuple[str, ...] = ("prepare", "churn", "propensity")
"""The training job's steps, in order (catalog keys ``background_step_<step>``)."""

WARM_STEPS: tuple[str, ...] = (
    "segments",
    "visits",
    "products",
    "customer_values",
    "next_best",
    "stickiness",
    "loyalty",
    "playbook",
    "scenarios",
)
"""The warming job's steps, in the sidebar's page order (a page's view and the per-dataset inputs it
reads are separate steps, so that two threads compute them at the same time; the customers' values
come before the next-best offers: back to back at 5M that keeps both Product gap and Loyalty within
about 4 s, where the other order gave Product gap 2 s and Loyalty 4.5 s)."""

WARM_MIN_CUSTOMERS = 200_000
"""Customers from which a dataset is warmed (smaller ones open every page in well under a second;
``CRM_WARM_MIN_CUSTOMERS`` overrides it, 0 warms every dataset)."""

WARM_ENV = "CRM_WARM_MIN_CUSTOMERS"

WARM_WORKERS = 2
"""Threads a warming job's steps run on at most (never more than the machine's cores)."""

KEPT_JOBS = 16
"""Finished jobs remembered per server (their results live in the page caches, not here)."""

log = logging.getLogger(__name__)


@dataclass
class Job:
    """Progress of one dataset's background training.

    Attributes
    ----------
    fingerprint : str
        The dataset's fingerprint.
    steps : tuple of str
        Names of the job's steps, in order (``STEPS`` or ``WARM_STEPS``).
    started : float
        ``time.monotonic()`` when the job was queued.
    running : bool
        Whether the worker has taken the job (False while it waits behind another dataset's).
    done : int
        Steps finished (``steps[:done]``).
    failed : str or None
        The step that raised (its page then computes it itself and reports the error).
    finished : threading.Event
        Set when every step has run or one failed.
    workers : int
        Threads the steps run on: 1 runs them one after the other and stops at a failure; more
        take them in order as a thread frees up (a failure stops none of the others).
    completed : set of str
        Steps finished without error.
    """

    fingerprint: str
    steps: tuple[str, ...] = STEPS
    started: float = field(default_factory=time.monotonic)
    running: bool = False
    done: int = 0
    failed: str | None = None
    finished: threading.Event = field(default_factory=threading.Event)
    workers: int = 1
    completed: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def pending(self, step: str) -> bool:
        """Whether ``step`` is still to run (queued or running) in this job."""
        if step not in self.steps:
            return False
        return not self.finished.is_set() and step not in self.completed and self.failed is None

    def _record(self, name: str, error: bool) -> None:
        with self._lock:
            if error:
                self.failed = self.failed or name
            else:
                self.completed.add(name)
                self.done += 1


class Trainer:
    """One worker thread and the jobs it ran or will run, by fingerprint (one per server)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crm-background")

    def start(
        self,
        fingerprint: str,
        steps: tuple[Callable[[], object], ...],
        names: tuple[str, ...] = STEPS,
        workers: int = 1,
    ) -> Job:
        """Queue ``steps`` (one callable per entry of ``names``) under the key ``fingerprint``, once; return its job.

        The job waits for the ones queued before it; its steps then run on ``workers`` threads.
        """
        with self._lock:
            job = self._jobs.get(fingerprint)
            if job is not None:
                return job
            finished = [k for k, j in self._jobs.items() if j.finished.is_set()]
            for key in finished[: max(0, len(self._jobs) - KEPT_JOBS + 1)]:
                del self._jobs[key]
            job = self._jobs[fingerprint] = Job(fingerprint, names, workers=max(1, workers))
        self._pool.submit(_run, job, steps)
        return job

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every job queued so far has finished (benchmarks measure after it); False on timeout."""
        with self._lock:
            jobs = list(self._jobs.values())
        deadline = None if timeout is None else time.monotonic() + timeout
        for job in jobs:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not job.finished.wait(left):
                return False
        return True

    def job(self, fingerprint: str) -> Job | None:
        """The job of a fingerprint, if one was started."""
        with self._lock:
            return self._jobs.get(fingerprint)


def _run_step(job: Job, name: str, step: Callable[[], object]) -> bool:
    try:
        step()
    except Exception:  # the page computes the step itself and reports what went wrong
        log.warning("background %s for dataset %s failed", name, job.fingerprint[:12], exc_info=True)
        job._record(name, error=True)
        return False
    job._record(name, error=False)
    return True


def _run(job: Job, steps: tuple[Callable[[], object], ...]) -> None:
    job.running = True
    try:
        if job.workers == 1:
            for name, step in zip(job.steps, steps, strict=True):
                if not _run_step(job, name, step):
                    return
            return
        with ThreadPoolExecutor(max_workers=job.workers, thread_name_prefix="crm-warm") as pool:
            for name, step in zip(job.steps, steps, strict=True):  # submitted in order: taken in order
                pool.submit(_run_step, job, name, step)
    finally:
        job.finished.set()


@st.cache_resource(show_spinner=False)
def trainer() -> Trainer:
    """The server's trainer (one queue for every session)."""
    return Trainer()


def start_training(dataset: Dataset, churn_definition) -> Job:
    """Queue the preparation and model training of ``dataset`` (idempotent per fingerprint)."""
    from ui import data
    from ui import loyalty as ui_loy
    from ui import products as ui_prod

    fingerprint = dataset.fingerprint
    prepared: list = []

    def prepare() -> None:
        prepared.append(data._prepared(fingerprint, dataset))

    def churn() -> None:
        ui_loy._risk(fingerprint, churn_definition, prepared[0])

    def propensity() -> None:
        if prepared[0].products:
            ui_prod._models(fingerprint, prepared[0])

    return trainer().start(fingerprint, (prepare, churn, propensity))


def warm_workers() -> int:
    """Threads a warming job runs on: ``WARM_WORKERS``, at most one per core."""
    return max(1, min(WARM_WORKERS, os.cpu_count() or 1))


def warm_threshold() -> int:
    """Customers from which a dataset is warmed (``WARM_MIN_CUSTOMERS`` unless the environment says otherwise)."""
    try:
        return max(0, int(os.environ.get(WARM_ENV, WARM_MIN_CUSTOMERS)))
    except ValueError:
        return WARM_MIN_CUSTOMERS


def start_warming(prepared, scenario) -> Job | None:
    """Queue the warming of a large dataset's page views under ``scenario`` (once per fingerprint).

    Returns the job, or None when the dataset is below ``warm_threshold()`` or the scenario filters
    it (a manager trying several branches or cities would queue a warming per filter, each for views
    perhaps never shown). Each step calls the pages' own cached functions with the arguments the
    pages pass for the scenario's tiers, so the pages find the results (see the module's docstring).
    """
    if scenario.filters.is_active or len(prepared.customers) < warm_threshold():
        return None
    from crm_core import products as prod
    from crm_core.mapped import mapped_folders, release_mapped_pages
    from ui import loyalty as ui_loy
    from ui import products as ui_prod
    from ui import segments as ui_seg
    from ui import visits as ui_vis

    def segments() -> None:
        ui_seg.view(prepared, scenario)

    def visits() -> None:
        ui_vis.tier_view(prepared, scenario)

    def products() -> None:
        if prepared.products:
            ui_prod.tier_view(prepared, scenario)

    def next_best() -> None:  # with the page's unfiltered lead list and its filters' choices
        if prepared.products:
            settings = prod.ProductSettings.of(scenario)
            ui_prod.next_best_of(prepared, settings.sizing, settings.offered)
            ui_prod.leads(prepared, settings.sizing, settings.offered, prod.LeadFilter(max_rows=ui_prod.LEAD_ROWS))
            for column in ("branch", "relationship_manager"):
                ui_prod.choices(prepared, column)

    def customer_values() -> None:
        ui_loy.customer_values_of(prepared, scenario)

    def stickiness() -> None:
        ui_loy.stickiness_of(prepared, scenario)

    def loyalty() -> None:  # with the page's at-risk list of the whole bank
        view = ui_loy.tier_view(prepared, scenario)
        ui_loy.at_risk(prepared, view, ui_loy.churn_risk_of(prepared, scenario.churn), None, ui_loy.AT_RISK_ROWS)

    def playbook() -> None:
        from ui import playbook as ui_pb

        ui_pb.raw_findings(prepared, scenario)
        ui_pb.raw_plays(prepared, scenario)
        ui_pb.guarantees(prepared, scenario)

    def scenarios() -> None:  # the comparison the Scenarios page opens with: the two presets
        from crm_core.scenarios import baseline_scenario, proposed_scenario
        from ui import comparison

        for preset in (baseline_scenario(), proposed_scenario()):
            comparison.summary_of(prepared, preset)

    folders = mapped_folders(prepared)

    def released(step: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:  # the mapped cube's and models' pages the step read go back (crm_core.mapped)
            try:
                step()
            finally:
                release_mapped_pages(folders)

        return run

    steps = (segments, visits, products, customer_values, next_best, stickiness, loyalty, playbook, scenarios)
    steps = tuple(released(step) for step in steps)
    return trainer().start(f"warm:{prepared.fingerprint}", steps, WARM_STEPS, workers=warm_workers())


def wait_for(fingerprint: str, step: str, poll_seconds: float = 0.5) -> None:
    """While ``step`` of the dataset's background job is pending, show its progress (returns when it is not).

    Without a job for the fingerprint (the sample, an opened artefact, a filtered bank) it returns
    at once and the caller computes as before.
    """
    from ui.i18n import t

    job = trainer().job(fingerprint)
    if job is None or not job.pending(step):
        return
    bar = st.progress(0.0)
    while job.pending(step):
        position, seconds = min(job.done, len(STEPS) - 1), int(time.monotonic() - job.started)
        step_name = t(f"background_step_{STEPS[position]}")
        text = (
            t("background_progress", step=step_name, k=position + 1, n=len(STEPS), seconds=seconds)
            if job.running
            else t("background_queued", seconds=seconds)
        )
        bar.progress(job.done / len(STEPS), text=text)
        job.finished.wait(poll_seconds)
    bar.empty()
