"""Filters: what a filter change costs on the open page, against an unfiltered rerun of it.

Usage: ``python -m benchmarks.bench_filters --customers 20000 1000000`` (20,000 = the bundled sample;
other sizes are generated), or ``--artefact DIR`` for a prepared artefact, opened as the Data page
opens it. The Overview runs under AppTest in this process. A filter makes the
filtered extract and prepares it (``crm_core.filters``): the first visit of a filter pays that,
once per (dataset, filter); returning to a filter already seen, or rerunning the page, reads the
caches. Printed: unfiltered rerun, first filtered run (the median of the first visits of the five
largest branches, each a filter not seen before: one visit alone swings with the machine's load),
filtered rerun, back to unfiltered, a filter already seen, each with its ratio to the unfiltered
rerun; and the process CPU time of the medians (steadier than the wall clock on a shared machine).
A dataset large enough to be warmed in the background (``ui.background``) is timed once its warming
has finished, as a manager applies a filter after reading the first page.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 5
"""Runs behind each median: reruns, and first visits (of the five largest branches, each a new filter)."""


def bench(n_customers: int, timeout: float, artefact: Path | None = None) -> dict:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from benchmarks.bench_scenarios import _dataset
    from crm_core.filters import Filters
    from crm_core.sample import read_sample
    from ui.settings import ACTIVE_KEY, ORIGIN_KEY

    PagesManager.uses_pages_directory = False
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if artefact is not None:  # an opened artefact, as "Open a prepared dataset" leaves the session
        from crm_core.artefact import read_artefact

        prepared = read_artefact(artefact)
        dataset, n_customers = prepared.dataset, len(prepared.customers)
        at.session_state["uploaded_prepared"] = prepared
    else:
        dataset = _dataset(n_customers)
    if dataset is not None:
        at.session_state["uploaded_dataset"] = dataset
        at.session_state["data_source"] = "upload"
    at.run()
    from ui import background

    background.trainer().wait_idle()  # a large dataset's warming (ui.background) ends before anything is timed

    def run() -> tuple[float, float]:
        if dataset is not None:
            at.session_state["data_source"] = "upload"
        started, cpu = time.perf_counter(), time.process_time()
        at.run()
        if at.exception:
            raise RuntimeError([e.stack_trace for e in at.exception])
        return time.perf_counter() - started, time.process_time() - cpu

    def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
        walls, cpus = zip(*runs, strict=True)
        return sorted(walls)[len(walls) // 2], sorted(cpus)[len(cpus) // 2]

    def use(filters: Filters) -> None:
        scenario = replace(at.session_state[ACTIVE_KEY], filters=filters)
        at.session_state[ACTIVE_KEY] = scenario
        at.session_state[ORIGIN_KEY] = scenario

    unfiltered, unfiltered_cpu = median([run() for _ in range(REPEATS)])
    customers = dataset.customers if dataset is not None else read_sample().customers
    largest = [str(name) for name in customers["branch"].value_counts().index[:REPEATS]]
    firsts = []
    for name in reversed(largest):  # the largest branch last: the reruns below are of it
        use(Filters(branches=(name,)))
        firsts.append(run())
    first, first_cpu = median(firsts)
    branch = largest[0]
    again, again_cpu = median([run() for _ in range(REPEATS)])
    use(Filters())
    back, _ = run()
    use(Filters(branches=(branch,)))
    seen, _ = run()
    result = {
        "customers": n_customers,
        "unfiltered_rerun_s": round(unfiltered, 3),
        "first_filtered_s": round(first, 3),
        "filtered_rerun_s": round(again, 3),
        "back_to_unfiltered_s": round(back, 3),
        "filter_seen_before_s": round(seen, 3),
        "unfiltered_rerun_cpu_s": round(unfiltered_cpu, 3),
        "first_filtered_cpu_s": round(first_cpu, 3),
        "filtered_rerun_cpu_s": round(again_cpu, 3),
    }
    print(
        f"{n_customers:>10,}  unfiltered rerun {unfiltered:6.3f} s  first filter {first:6.3f} s "
        f"({first / unfiltered:.1f}x)  filtered rerun {again:6.3f} s ({again / unfiltered:.1f}x)  "
        f"back {back:6.3f} s  filter seen before {seen:6.3f} s ({seen / unfiltered:.1f}x);  CPU: unfiltered "
        f"rerun {unfiltered_cpu:6.3f} s  first filter {first_cpu:6.3f} s  filtered rerun {again_cpu:6.3f} s",
        flush=True,
    )
    return result


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[20_000, 1_000_000])
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds one run may take")
    parser.add_argument("--artefact", type=Path, help="an artefact folder to open instead (``--customers`` ignored)")
    args = parser.parse_args(argv)
    if args.artefact is not None:
        results = [bench(0, args.timeout, args.artefact.resolve())]
    else:
        results = [bench(n, args.timeout) for n in args.customers]
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
