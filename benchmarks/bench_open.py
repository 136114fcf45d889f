"""Opening a prepared artefact in the dashboard: time to first page, every page's first render, peak memory.

Usage: ``python -m benchmarks.bench_open --artefact DIR`` (an artefact written by ``python -m crm_core
prepare``, e.g. the one ``bench_spark --keep`` leaves). The app runs in this process under Streamlit's
AppTest, as a user would drive it: Data page, "Open a prepared dataset", then every page in the
sidebar's order (``--read-seconds`` apart: large datasets are warmed in the background meanwhile,
``ui.background``), each first visit followed by ``--reruns`` reruns of the same page (the median is
reported: what a widget move or a page switch back costs once the caches hold the page's results).
Memory is this process's peak resident size (``VmHWM``) after each step, so it includes Python,
Streamlit and every cache the pages fill. Resident pages of mapped files (the stored visit cube and
models) count in it though the system can drop them again; the anonymous part, which it cannot
(``RssAnon``: arrays, the customers table, the caches), is sampled every 20 ms for its own peak.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from pathlib import Path

from benchmarks.common import status_kib

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("overview", "segments", "visits", "products", "loyalty", "staff_kpis", "playbook", "scenarios", "data")


def _peak_gb() -> float:
    return status_kib("VmHWM") * 1024 / 1e9


def _resident_gb() -> float:
    """Resident now: what the caches hold after a step (the peak also counts a step's transient arrays)."""
    return status_kib("VmRSS") * 1024 / 1e9


def _mapped_gb() -> float:
    """Resident pages of mapped files (the stored visit cube, memory-mapped models): the system can drop them."""
    return status_kib("RssFile") * 1024 / 1e9


class _AnonymousPeak:
    """Peak anonymous resident memory (``RssAnon``), sampled on a thread every ``interval`` seconds."""

    def __init__(self, interval: float = 0.02) -> None:
        self.peak_kib = status_kib("RssAnon")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(interval,), daemon=True)
        self._thread.start()

    def _sample(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.peak_kib = max(self.peak_kib, status_kib("RssAnon"))

    @property
    def gb(self) -> float:
        self.peak_kib = max(self.peak_kib, status_kib("RssAnon"))
        return self.peak_kib * 1024 / 1e9

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artefact", type=Path, required=True)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds one page may take")
    parser.add_argument("--reruns", type=int, default=3, help="reruns of each page after its first visit")
    parser.add_argument(
        "--read-seconds",
        type=float,
        default=0.0,
        help="pause before each page, not counted (a manager reading the previous one; 0: back to back)",
    )
    args = parser.parse_args(argv)
    folder = args.artefact.resolve()
    os.environ["CRM_ARTEFACT_ROOT"] = str(folder.parent)

    from ui.allocator import limit_malloc_arenas

    limit_malloc_arenas()  # as serve.py does for the server, before any thread starts
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    PagesManager.uses_pages_directory = False  # as on a server where st.navigation has run (see tests/conftest.py)
    manifest = json.loads((folder / "manifest.json").read_text())
    steps = []
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=args.timeout).run()
    at.switch_page("pages/data.py").run()
    baseline = _peak_gb()
    anonymous = _AnonymousPeak()
    started = time.perf_counter()
    at.selectbox(key="data_artefact").set_value(folder.name).run()
    at.button(key="data_artefact_open").click().run()
    opened = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"opening failed: {at.exception}")
    steps.append({"step": "open artefact", "seconds": round(opened, 2), "peak_gb": round(_peak_gb(), 2)})
    print(f"  {'open artefact':<14} {opened:>8.2f} s   peak {_peak_gb():.2f} GB", flush=True)
    for page in PAGES:
        # AppTest drops the sidebar on reruns of an st.navigation app, and with it the data-source
        # radio's value; a browser keeps it. Set it as the radio would.
        at.session_state["data_source"] = "upload"
        time.sleep(args.read_seconds)
        started = time.perf_counter()
        at.switch_page(f"pages/{page}.py").run()
        seconds = time.perf_counter() - started
        if at.exception:
            raise RuntimeError(f"{page} failed: {at.exception}")
        reruns = []
        for _ in range(args.reruns):
            at.session_state["data_source"] = "upload"
            started = time.perf_counter()
            at.switch_page(f"pages/{page}.py").run()
            reruns.append(time.perf_counter() - started)
        rerun = round(statistics.median(reruns), 3) if reruns else None
        steps.append(
            {
                "step": page,
                "seconds": round(seconds, 2),
                "rerun_s": rerun,
                "peak_gb": round(_peak_gb(), 2),
                "resident_gb": round(_resident_gb(), 2),
                "mapped_gb": round(_mapped_gb(), 2),
                "peak_anonymous_gb": round(anonymous.gb, 2),
            }
        )
        shown = f"   rerun {rerun:.2f} s" if rerun is not None else ""
        print(
            f"  {page:<14} {seconds:>8.2f} s{shown}   peak {_peak_gb():.2f} GB   resident {_resident_gb():.2f} GB"
            f" (mapped files {_mapped_gb():.2f} GB)   peak anonymous {anonymous.gb:.2f} GB",
            flush=True,
        )
    result = {
        "customers": manifest["rows"]["customers.parquet"],
        "activity_rows": manifest["rows"].get("activity.parquet", 0),
        "engine": manifest.get("engine"),
        "read_seconds": args.read_seconds,
        "peak_gb_before_opening": round(baseline, 2),
        "time_to_first_page_s": round(steps[0]["seconds"] + steps[1]["seconds"], 2),
        "steps": steps,
        "peak_gb": round(_peak_gb(), 2),
        "peak_anonymous_gb": round(anonymous.gb, 2),
    }
    anonymous.stop()
    print(f"{result['customers']:,} customers, {result['activity_rows']:,} activity rows ({result['engine']})")
    print(
        f"time to first page {result['time_to_first_page_s']:.1f} s; peak {result['peak_gb']:.2f} GB"
        f" (anonymous {result['peak_anonymous_gb']:.2f} GB)"
    )
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
