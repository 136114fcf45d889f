"""Scenarios page: first visit, a rerun, saving a scenario, and the length of its shareable link.

Usage: ``python -m benchmarks.bench_scenarios --customers 20000 1000000`` (20,000 = the bundled
sample; other sizes are generated). The app runs under Streamlit's AppTest in this process, as
``bench_open`` does. Before the single-store settings, a rerun of this page rebuilt the deck, the
HTML report and the Excel tables (1.7–3.6 s on the sample) and saving took 2.7–4.6 s; the link was
a ~3,000-character token. Now exports are built when clicked and the storyline is cached per
scenario, so a rerun is a fraction of the first visit (the ratio printed).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]


def _dataset(n_customers: int):
    from crm_core.dataset import Dataset
    from crm_core.sample import SampleConfig, sample_tables

    if n_customers == 20_000:
        return None  # the bundled sample, the app's default source
    tables = sample_tables(SampleConfig(n_customers=n_customers))
    return Dataset(f"bench-{n_customers}", tables.customers, tables.activity, tables.holdings, f"bench-{n_customers}")


def _timed(step) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def bench(n_customers: int, timeout: float) -> dict:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from crm_core import scenario_links as links
    from crm_core import scenarios as sc
    from crm_core.segments.config import TierConfig
    from crm_core.staff.config import CUSTOMER_CENTRIC

    PagesManager.uses_pages_directory = False  # as on a server where st.navigation has run (see tests/conftest.py)
    dataset = _dataset(n_customers)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if dataset is not None:
        at.session_state["uploaded_dataset"] = dataset
        at.session_state["data_source"] = "upload"
    at.run()

    def page(path: str):
        if dataset is not None:
            at.session_state["data_source"] = "upload"  # AppTest drops the sidebar radio on reruns; a browser keeps it
        at.switch_page(path).run()
        if at.exception:
            raise RuntimeError(f"{path} failed: {[e.stack_trace for e in at.exception]}")

    first = _timed(lambda: page("pages/scenarios.py"))
    reruns = [_timed(lambda: page("pages/scenarios.py")) for _ in range(3)]
    at.text_input(key="scenarios_new_name").set_value("Bench what-if")
    save = _timed(lambda: at.button(key="scenarios_save").click().run())
    if at.exception:
        raise RuntimeError(f"saving failed: {at.exception}")
    typical = replace(
        sc.baseline_scenario(),
        name="Affluent from 10万",
        tiers=TierConfig((1e5, 5e5, 6e6)),
        staff_weights=CUSTOMER_CENTRIC.weights,
    )
    link = f"http://localhost:8501/?{urlencode(links.scenario_query(typical), safe=':,')}"
    old_link = f"http://localhost:8501/?scenario={sc.scenario_token(typical)}"
    rerun = sorted(reruns)[1]
    result = {
        "customers": n_customers,
        "first_visit_s": round(first, 2),
        "rerun_s": round(rerun, 3),
        "rerun_vs_first_visit": round(rerun / first, 3),
        "save_s": round(save, 3),
        "typical_link_characters": len(link),
        "old_link_characters": len(old_link),
    }
    print(
        f"{n_customers:>10,}  first visit {first:6.2f} s  rerun {rerun:6.3f} s ({rerun / first:.2f}x first)  "
        f"save {save:6.3f} s  link {len(link)} chars (old form {len(old_link)})",
        flush=True,
    )
    return result


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[20_000, 1_000_000])
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds one run may take")
    args = parser.parse_args(argv)
    results = [bench(n, args.timeout) for n in args.customers]
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
