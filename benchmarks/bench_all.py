"""Every benchmark of the dashboard in one command, per bank size, with a JSON record.

Usage: ``python -m benchmarks.bench_all [--customers 100000 1000000 5000000] [--pages 100000]
[--artefact 5000000=DIR]``.

For each size (36 months of generated activity, ``crm_core.sample.sample_tables``), in a fresh
child process so each size's peak memory (``VmHWM``) is its own:

* **load + validate**: ``crm_core.loading.load_table`` on the customers table written once as CSV,
  as a ratio to ``pyarrow.csv.read_csv`` on the same bytes;
* **preparation**: ``prepared_dataset`` and the per-dataset setups each control relies on
  (profile inputs, value matrix, visit cube and fits, staff scorecard);
* **refresh of each interactive control**, median of several changes, next to a numpy floor
  (one pass with precomputed integer codes) and DuckDB (the same aggregation as SQL on a
  registered frame; only the query is timed), with time per customer row: tier threshold
  (``tier_codes_of`` + ``group_profiles``), value weights (``value_scores`` + ``value_classes``),
  visits what-if (``what_if_staffing``), KPI weights (``unit_scores`` + ``unit_ranks``, and
  ``ranking_table``; its floor is the weighted sum plus one ``argsort``, since a ranking sorts).

Goals: refresh ≤ 10x floor, ≤ 1.5x DuckDB, ≤ 150 ms at 1M customers; time per row within
1.5x from the smallest to the largest size. A size whose generation would exceed
``MEMORY_BUDGET_GB`` (estimated from the largest size run so far) is skipped with a message;
a child whose resident memory passes ``MEMORY_STOP_GB`` stops itself.

``--pages N [M ...]`` also times each page's AppTest rerun on N- (and M-) customer uploads and the largest
browser message per page (the serialised size of the biggest element proto: a dataframe's
Arrow bytes or a chart's JSON).

Results are printed as tables and written to ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks.common import median_ms, status_kib

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
MEMORY_BUDGET_GB = 16.0
MEMORY_STOP_GB = 18.0
GOAL_FLOOR_RATIO = 10.0
GOAL_DUCKDB_RATIO = 1.5
GOAL_MS_AT_1M = 150.0
GOAL_PER_ROW_SPREAD = 1.5


def memory_watchdog(limit_gb: float) -> None:
    """Stop this process (exit 3) as soon as its resident memory passes ``limit_gb``."""

    def watch() -> None:
        while True:
            if status_kib("VmRSS") > limit_gb * 2**20:
                print(f"resident memory above {limit_gb:.0f} GB: stopping", file=sys.stderr, flush=True)
                os._exit(3)
            threading.Event().wait(0.2)

    threading.Thread(target=watch, daemon=True).start()


def once_s(action: Callable[[], object]) -> tuple[float, object]:
    """Wall time in seconds of one call, and its result."""
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


# --- one size (child process) -------------------------------------------------------------------


def loading_figures(customers, repeats: int) -> dict:
    """load_table vs pyarrow.csv.read_csv on the customers table written once as CSV."""
    import pyarrow.csv as pa_csv

    from crm_core.loading import load_table

    data = customers.to_csv(index=False, date_format="%Y-%m-%d").encode()
    arrow = min(once_s(lambda: pa_csv.read_csv(io.BytesIO(data)))[0] for _ in range(repeats))
    load = min(once_s(lambda: load_table("customers.csv", data))[0] for _ in range(max(1, repeats - 1)))
    return {"csv_mb": len(data) / 1e6, "load_s": load, "pyarrow_s": arrow, "ratio": load / arrow}


def tier_threshold_figures(prepared, con, repeats: int) -> dict:
    """Tier threshold change: re-cut cached basis values, refresh group profiles."""
    import pandas as pd

    from benchmarks.bench_segments import THRESHOLD_STEPS, profile_sql
    from crm_core.segments import (
        TierConfig,
        aum_tiers,
        group_profiles,
        profile_inputs,
        tier_basis_values,
        tier_codes_of,
    )

    customers = prepared.customers
    setup_s, inputs = once_s(lambda: profile_inputs(prepared))
    configs = [TierConfig(thresholds=t) for t in THRESHOLD_STEPS]
    basis, _ = tier_basis_values(customers, configs[0])

    def refresh(i: int) -> pd.DataFrame:
        config = configs[i % len(configs)]
        return group_profiles(inputs, tier_codes_of(basis, config.thresholds), config.labels)

    fixed = aum_tiers(customers, configs[0]).codes.astype(np.intp)
    aum = inputs.aum
    columns = ["aum", "aum_12m_ago", "is_active", "products_held", "digital_active", "counter_txn_12m"]
    columns += ["counter_txn_prev_12m", "age", "is_payroll", "alive_12m_ago", "closed_last_12m"]
    frame = customers[columns].copy()
    frame["basis"] = np.where(frame["is_active"], frame["aum"], frame["aum_12m_ago"])
    con.register("profile_frame", frame)
    return {
        "setup_s": setup_s,
        "ms": median_ms(refresh, repeats),
        "floor_ms": median_ms(lambda i: np.bincount(fixed, weights=aum, minlength=4), repeats),
        "duckdb_ms": median_ms(
            lambda i: con.execute(profile_sql(THRESHOLD_STEPS[i % len(THRESHOLD_STEPS)])).fetchall(), repeats
        ),
    }


def value_weight_figures(prepared, con, repeats: int) -> dict:
    """Value weight change: value_scores (matrix-vector product) + value_classes (cut), with counts."""
    import pandas as pd

    from benchmarks.bench_segments import WEIGHT_STEPS, value_sql
    from crm_core.segments import ValueConfig, value_classes, value_matrix, value_scores

    setup_s, matrix = once_s(lambda: value_matrix(prepared))
    configs = [ValueConfig(weights=w) for w in WEIGHT_STEPS]

    def refresh(i: int) -> np.ndarray:
        config = configs[i % len(configs)]
        return value_classes(value_scores(matrix, config.weight_map), config).counts()

    fixed = value_classes(value_scores(matrix, configs[0].weight_map), configs[0]).codes
    fixed = np.where(fixed < 0, 4, fixed).astype(np.intp)
    frame = pd.DataFrame(matrix.matrix, columns=list(matrix.indicators))
    frame["is_active"] = matrix.assignable
    con.register("value_frame", frame)
    return {
        "setup_s": setup_s,
        "ms": median_ms(refresh, repeats),
        "floor_ms": median_ms(lambda i: np.bincount(fixed, minlength=5), repeats),
        "duckdb_ms": median_ms(
            lambda i: con.execute(
                value_sql(configs[i % len(configs)].weight_map, matrix.indicators, configs[0].cutoffs)
            ).fetchall(),
            repeats,
        ),
    }


def visits_what_if_figures(prepared, con, repeats: int) -> dict:
    """Visits what-if change: what_if_staffing on the cached per-branch base (never the activity)."""
    import pandas as pd

    from crm_core.visits import WhatIfInputs, branch_declines, visit_cube, what_if_base, what_if_staffing

    cube_s, cube = once_s(lambda: visit_cube(prepared))
    fits_s, (_, fits) = once_s(lambda: branch_declines(cube))
    aum = prepared.customers["aum"].to_numpy(dtype=float)
    codes = np.searchsorted(np.array([5e4, 5e5, 6e6]), aum, side="right").astype(np.int8)
    labels = ["mass", "affluent", "hnw", "private"]
    base_s, base = once_s(lambda: what_if_base(cube, codes, labels, fits))
    steps = [
        WhatIfInputs(segments=(0, 1), adoption_increase_pp=pp, transactions_per_teller_month=y)
        for pp, y in ((5, 1500), (10, 1500), (20, 1200), (30, 1800))
    ]
    branch = cube.branch_codes.astype(np.intp)
    volume = cube.counter_12m.astype(np.float64)
    frame = pd.DataFrame(
        {"branch": branch, "segment": codes, "counter": volume, "digital": cube.digital_active, "open": cube.is_active}
    )
    con.register("visit_customers", frame)
    sql = """
        SELECT branch, sum(counter) FILTER (WHERE segment IN (0, 1) AND NOT digital) AS in_scope, sum(counter) AS total
        FROM visit_customers WHERE open GROUP BY branch
    """
    return {
        "setup_s": cube_s + fits_s + base_s,
        "cube_mib": cube.nbytes / 2**20,
        "ms": median_ms(lambda i: what_if_staffing(base, steps[i % len(steps)]), repeats * 4),
        "floor_ms": median_ms(
            lambda i: np.bincount(branch, weights=volume, minlength=len(cube.branch_labels)), repeats
        ),
        "duckdb_ms": median_ms(lambda i: con.execute(sql).fetchnumpy(), repeats),
    }


def kpi_weight_figures(prepared, con, repeats: int) -> dict:
    """KPI weight change: unit_scores + unit_ranks per relationship manager (and the full ranking_table)."""
    from benchmarks.bench_staff import duckdb_query, weight_steps
    from crm_core.staff import DEPOSIT_SALES, ranking_table, scorecard_weights, staff_scorecard, unit_ranks, unit_scores

    setup_s, card = once_s(lambda: staff_scorecard(prepared, "relationship_manager"))
    steps = weight_steps(card, repeats + 2)
    baseline = scorecard_weights(card, DEPOSIT_SALES)
    vectors = [np.array([w.get(n, 0) for n in card.indicators], dtype=np.float64) / 100 for w in steps]
    import pandas as pd

    frame = pd.DataFrame(card.matrix, columns=[f"m{j}" for j in range(card.matrix.shape[1])])
    for j in range(card.matrix.shape[1]):
        frame[f"p{j}"] = card.present[:, j]
    frame["unit"] = list(card.units)
    frame["customers"] = card.customers
    con.register("scorecard", frame)
    return {
        "setup_s": setup_s,
        "units": len(card.units),
        "ms": median_ms(lambda i: unit_ranks(card, unit_scores(card, steps[i])), repeats),
        "ranking_table_ms": median_ms(lambda i: ranking_table(card, steps[i], baseline), max(3, repeats // 3)),
        # A ranking needs the weighted sum and a sort: the floor is both (the bare product is kept for reference).
        "floor_ms": median_ms(lambda i: np.argsort(-(card.matrix @ vectors[i]), kind="stable"), repeats),
        "product_ms": median_ms(lambda i: card.matrix @ vectors[i], repeats),
        "duckdb_ms": median_ms(lambda i: con.execute(duckdb_query(card, steps[i])).fetchnumpy(), repeats),
    }


def size_figures(n_customers: int, repeats: int, artefact: str | None = None) -> dict:
    """Every figure of one bank size; with ``artefact``, the size's prepared artefact is opened instead.

    A 5M-customer bank has about 300M activity rows: more than this machine's memory to prepare in
    one process, so it is prepared once with ``python -m crm_core prepare`` (``bench_spark --keep``)
    and the dashboard side (open, per-dataset setups, every control) is measured on the artefact.
    """
    import duckdb

    from crm_core.dataset import Dataset, fingerprint_of
    from crm_core.prepare import prepared_dataset
    from crm_core.sample import SampleConfig, sample_tables

    if artefact:
        from crm_core.artefact import read_artefact

        open_s, prepared = once_s(lambda: read_artefact(artefact))
        if len(prepared.customers) != n_customers:
            raise SystemExit(f"{artefact} holds {len(prepared.customers):,} customers, not {n_customers:,}")
        result = {"customers": n_customers, "activity_rows": prepared.dataset.activity_row_count, "artefact": artefact}
        result["open_artefact_s"] = open_s
        result["loading"] = loading_figures(prepared.dataset.customers, 2)
    else:
        generate_s, tables = once_s(lambda: sample_tables(SampleConfig(n_customers=n_customers)))
        result = {"customers": n_customers, "activity_rows": len(tables.activity), "generate_s": generate_s}
        result["loading"] = loading_figures(tables.customers, 3 if n_customers <= 1_000_000 else 2)
        dataset = Dataset("bench", tables.customers, tables.activity, tables.holdings, fingerprint_of([b"bench"]))
        del tables
        result["prepare_s"], prepared = once_s(lambda: prepared_dataset(dataset))
    con = duckdb.connect()
    result["controls"] = {
        "tier_threshold": tier_threshold_figures(prepared, con, repeats),
        "value_weights": value_weight_figures(prepared, con, repeats),
        "visits_what_if": visits_what_if_figures(prepared, con, repeats),
        "kpi_weights": kpi_weight_figures(prepared, con, repeats),
    }
    for figures in result["controls"].values():
        figures["ns_per_row"] = figures["ms"] * 1e6 / n_customers
        figures["x_floor"] = figures["ms"] / figures["floor_ms"]
        figures["x_duckdb"] = figures["ms"] / figures["duckdb_ms"]
    result["peak_rss_gb"] = status_kib("VmHWM") / 2**20
    return result


# --- pages (child process) ------------------------------------------------------------------------


def element_sizes(node) -> list[tuple[str, int]]:
    """``(element type, serialised proto bytes)`` of every element under an AppTest tree node."""
    sizes = []
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            sizes.extend(element_sizes(child))
    elif getattr(node, "proto", None) is not None:
        sizes.append((getattr(node, "type", "?"), node.proto.ByteSize()))
    return sizes


def page_figures(n_customers: int) -> dict:
    """AppTest first run, rerun time and largest element message of every page on an upload."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from crm_core.dataset import Dataset, fingerprint_of
    from crm_core.sample import SampleConfig, sample_tables

    # As tests/conftest.py: run AppTest as a warmed-up server does (st.navigation, no pages/ legacy path).
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    tables = sample_tables(SampleConfig(n_customers=n_customers))
    dataset = Dataset("bench.csv", tables.customers, tables.activity, tables.holdings, fingerprint_of([b"pages"]))
    figures = {}
    for page in sorted(p.stem for p in (ROOT / "pages").glob("*.py")):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.session_state["uploaded_dataset"] = dataset

        def on_upload(action, at=at):
            # AppTest drops the sidebar's data-source radio on reruns of an st.navigation app (a
            # browser keeps it): set it before every run, or the reruns time the bundled sample.
            at.session_state["data_source"] = "upload"
            return action()

        on_upload(at.run)
        first_s, _ = once_s(lambda: on_upload(at.switch_page(f"pages/{page}.py").run))  # noqa: B023
        reruns = [once_s(lambda: on_upload(at.run))[0] for _ in range(3)]  # noqa: B023
        sizes = element_sizes(at._tree)
        largest = max(sizes, key=lambda s: s[1], default=("none", 0))
        figures[page] = {
            "first_run_s": first_s,
            "rerun_s": statistics.median(reruns),
            "exception": [e.message for e in at.exception],
            "largest_element": largest[0],
            "largest_element_kb": largest[1] / 1e3,
            "total_kb": sum(s for _, s in sizes) / 1e3,
        }
    figures["peak_rss_gb"] = status_kib("VmHWM") / 2**20
    return figures


# --- parent: orchestration and report ------------------------------------------------------------


def child(args: list[str]) -> dict | None:
    """Run this module in a fresh interpreter; its figures, or None (with the reason printed) on failure."""
    command = [sys.executable, "-m", "benchmarks.bench_all", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"  {' '.join(args)} failed (exit {done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_size(result: dict) -> None:
    n = result["customers"]
    loading = result["loading"]
    origin = (
        f"opened artefact in {result['open_artefact_s']:.1f} s"
        if "artefact" in result
        else f"generated in {result['generate_s']:.1f} s"
    )
    print(
        f"\n{n:,} customers, {result['activity_rows']:,} activity rows "
        f"({origin}, peak RSS {result['peak_rss_gb']:.2f} GB)"
    )
    print(
        f"  load + validate {loading['csv_mb']:.0f} MB CSV: {loading['load_s']:.2f} s vs pyarrow "
        f"{loading['pyarrow_s']:.2f} s = {loading['ratio']:.1f}x"
    )
    if "prepare_s" in result:
        print(f"  prepare dataset: {result['prepare_s']:.2f} s")
    else:
        print("  prepare dataset: see bench_spark (prepared outside this process)")
    print(
        f"  {'control':<16}{'setup s':>9}{'ms':>9}{'floor ms':>10}{'x floor':>9}{'DuckDB ms':>11}"
        f"{'x DuckDB':>10}{'ns/row':>9}  goals"
    )
    for name, c in result["controls"].items():
        checks = [c["x_floor"] <= GOAL_FLOOR_RATIO, c["x_duckdb"] <= GOAL_DUCKDB_RATIO]
        if n >= 1_000_000:
            checks.append(c["ms"] <= GOAL_MS_AT_1M)
        marks = " ".join("ok" if ok else "MISS" for ok in checks)
        print(
            f"  {name:<16}{c['setup_s']:9.2f}{c['ms']:9.2f}{c['floor_ms']:10.2f}{c['x_floor']:9.1f}"
            f"{c['duckdb_ms']:11.2f}{c['x_duckdb']:10.2f}{c['ns_per_row']:9.1f}  {marks}"
        )
    staff = result["controls"]["kpi_weights"]
    print(f"  (kpi_weights over {staff['units']:,} managers; full ranking_table {staff['ranking_table_ms']:.1f} ms)")


def per_row_spread(results: list[dict]) -> dict:
    """Time per row at the largest size over the smallest, per control (below 1: better than linear).

    The what-if and KPI refreshes work on per-branch and per-manager aggregates, so their time
    hardly depends on the number of customers and their time per row falls with size.
    """
    return {
        name: results[-1]["controls"][name]["ns_per_row"] / results[0]["controls"][name]["ns_per_row"]
        for name in results[0]["controls"]
    }


def print_pages(pages: dict, n: int) -> None:
    print(f"\nAppTest pages on a {n:,}-customer upload (peak RSS {pages['peak_rss_gb']:.2f} GB)")
    print(f"  {'page':<12}{'first s':>9}{'rerun s':>9}{'largest element':>22}{'KB':>10}{'page KB':>10}")
    for page, p in pages.items():
        if page == "peak_rss_gb":
            continue
        flag = "  EXCEPTION" if p["exception"] else ""
        print(
            f"  {page:<12}{p['first_run_s']:9.2f}{p['rerun_s']:9.2f}{p['largest_element']:>22}"
            f"{p['largest_element_kb']:10.1f}{p['total_kb']:10.1f}{flag}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--pages", type=int, nargs="+", default=[100_000], help="upload sizes of the page timings (0 = skip)"
    )
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument(
        "--artefact",
        action="append",
        default=[],
        metavar="N=DIR",
        help="open the prepared artefact DIR for size N instead of generating and preparing it",
    )
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--one-artefact", help=argparse.SUPPRESS)
    parser.add_argument("--one-pages", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one_size or args.one_pages:
        memory_watchdog(MEMORY_STOP_GB)
        if args.one_size:
            figures = size_figures(args.one_size, args.repeats, args.one_artefact)
        else:
            figures = page_figures(args.one_pages)
        print(json.dumps(figures))
        return 0

    artefacts = {int(n): folder for n, folder in (item.split("=", 1) for item in args.artefact)}
    results, skipped = [], []
    for n in sorted(set(args.customers) | set(artefacts)):
        if results and n not in artefacts:
            largest = results[-1]
            estimate = largest["peak_rss_gb"] * n / largest["customers"]
            if estimate > MEMORY_BUDGET_GB:
                message = (
                    f"{n:,} customers skipped: estimated peak {estimate:.1f} GB "
                    f"(from {largest['peak_rss_gb']:.2f} GB at {largest['customers']:,}) > {MEMORY_BUDGET_GB:.0f} GB"
                )
                print(f"\n{message}")
                skipped.append({"customers": n, "reason": message})
                continue
        print(f"\nrunning {n:,} customers ...", flush=True)
        extra = ["--one-artefact", artefacts[n]] if n in artefacts else []
        result = child(["--one-size", str(n), "--repeats", str(args.repeats), *extra])
        if result is None:
            skipped.append({"customers": n, "reason": "child process failed or exceeded memory"})
            continue
        results.append(result)
        print_size(result)

    summary: dict = {"sizes": results, "skipped": skipped}
    if len(results) > 1:
        summary["per_row_spread"] = per_row_spread(results)
        sizes = f"{results[0]['customers']:,} -> {results[-1]['customers']:,}"
        print(f"\ntime per row, largest / smallest ({sizes}); goal <= {GOAL_PER_ROW_SPREAD}x")
        for name, ratio in summary["per_row_spread"].items():
            print(f"  {name:<16}{ratio:6.2f}x  {'ok' if ratio <= GOAL_PER_ROW_SPREAD else 'MISS'}")
    summary["pages"] = []
    for n in (n for n in args.pages if n):
        print(f"\nrunning pages at {n:,} customers ...", flush=True)
        pages = child(["--one-pages", str(n)])
        if pages is not None:
            summary["pages"].append({"customers": n, **pages})
            print_pages(pages, n)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2))
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
