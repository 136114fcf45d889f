"""Models at preparation time: first visits of Loyalty and Product gap from an artefact with and without stored models.

Usage: ``python -m benchmarks.bench_models [--customers 200000] [--keep DIR]``.

Generates a bank (``crm_core.sample``), prepares it once with ``python -m crm_core prepare --no-models``
(timed), copies the artefact and stores the models in the copy (``crm_core.artefact.store_models``,
timed: the cost moved to preparation). Then, for each artefact, a fresh process opens it as the Data
page's button does (``read_artefact`` into the session) and visits Loyalty then Product gap under
Streamlit's AppTest: each visit's wall time is its first render, caches cold. Prints one line per
step, the ratios, and a JSON summary (``--json PATH`` writes it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("loyalty", "products")


def visit(folder: Path) -> dict:
    """Open ``folder`` in a new session and time the first visit of each of ``PAGES`` (in this process)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from crm_core.artefact import read_artefact
    from ui import data

    PagesManager.uses_pages_directory = False  # as on a server where st.navigation has run (tests/conftest.py)
    started = time.perf_counter()
    prepared = read_artefact(folder)
    seconds = {"open": time.perf_counter() - started}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=1800)
    at.session_state[data.UPLOADED_KEY] = prepared.dataset  # as ui.data.open_artefact leaves the session
    at.session_state[data.UPLOADED_PREPARED_KEY] = prepared
    at.session_state[data.SOURCE_KEY] = "upload"
    at.run()
    for page in PAGES:
        at.session_state[data.SOURCE_KEY] = "upload"  # AppTest drops the sidebar radio's value on reruns
        started = time.perf_counter()
        at.switch_page(f"pages/{page}.py").run()
        seconds[page] = time.perf_counter() - started
        if at.exception:
            raise RuntimeError(f"{page} failed: {at.exception}")
    return {step: round(value, 2) for step, value in seconds.items()}


def _visit_in_child(folder: Path) -> dict:
    command = [sys.executable, "-m", "benchmarks.bench_models", "--visit", str(folder)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="folder to leave the tables and both artefacts in")
    parser.add_argument("--json", type=Path, help="write the summary here")
    parser.add_argument("--visit", type=Path, help=argparse.SUPPRESS)  # the child process's job
    args = parser.parse_args(argv)
    if args.visit:
        result = visit(args.visit)
        print(json.dumps(result))
        return result

    from crm_core.artefact import store_models
    from crm_core.prepare_cli import prepare_main
    from crm_core.sample import SampleConfig, write_sample

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_models_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        write_sample(work / "tables", SampleConfig(n_customers=args.customers))
        print(f"  generated {args.customers:,} customers in {time.perf_counter() - started:.1f} s", flush=True)
        tables = work / "tables"
        without, with_models = work / "without_models", work / "with_models"
        argv = ["--customers", str(tables / "customers.parquet"), "--activity", str(tables / "activity.parquet")]
        argv += ["--holdings", str(tables / "holdings.parquet"), "--no-models", "--out", str(without)]
        started = time.perf_counter()
        if prepare_main(argv):
            raise RuntimeError("prepare failed")
        prepare_seconds = time.perf_counter() - started
        shutil.copytree(without, with_models)
        started = time.perf_counter()
        store_models(with_models)
        models_seconds = time.perf_counter() - started
        size = sum(f.stat().st_size for f in (with_models / "models").iterdir()) / 1e6
        print(f"  prepare {prepare_seconds:.1f} s; models trained and stored {models_seconds:.1f} s ({size:.0f} MB)")
        runs = {"without_models": _visit_in_child(without), "with_models": _visit_in_child(with_models)}
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    for name, seconds in runs.items():
        steps = "   ".join(f"{step} {value:6.2f} s" for step, value in seconds.items())
        print(f"  {name:<15} {steps}")
    ratios = {page: round(runs["without_models"][page] / runs["with_models"][page], 1) for page in PAGES}
    print("  first visit without / with stored models: " + ", ".join(f"{p} {r}x" for p, r in ratios.items()))
    result = {
        "customers": args.customers,
        "prepare_s": round(prepare_seconds, 1),
        "models_at_preparation_s": round(models_seconds, 1),
        "models_mb": round(size, 1),
        **runs,
        "ratio": ratios,
    }
    print(json.dumps(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
