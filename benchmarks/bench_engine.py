"""Engine benchmark: the activity step of preparation in numpy against Narwhals on DuckDB, same Parquet tables.

Usage: ``python -m benchmarks.bench_engine [--customers 100000 1000000] [--data DIR] [--repeats 1]``.
``--data`` keeps the generated banks in ``DIR/<customers>/`` and reuses them on the next run.

The step measured is what ``crm_core.engine_prepare`` computes: the per-customer activity
features, the orphan count and the month × channel × branch grid. Three ways, each in a fresh
child process (best of ``--repeats`` inside it; peak memory is the child's ``VmHWM``):

- ``numpy``: ``prepare._activity_features`` on frames in memory; the Parquet read (dictionary
  columns, as an artefact's activity is read: pandas' fastest) is timed apart, and the total is
  both; ``numpy-cli-read`` is the same with the read ``prepare --engine local`` does today
  (string columns recoded to categories row by row);
- ``duckdb``: ``engine_prepare`` on DuckDB straight from the Parquet files (read included);
- ``duckdb-memory``: ``engine_prepare`` on DuckDB over the same pandas frames already in memory
  (an upload's case; the read is not counted).

Ratios are to the numpy total (read + compute) of the same bank, in the same run. Sizes use
``write_sample`` (one Parquet file per table); ``prepare --engine duckdb`` also reads the
sharded generator's folders of part files.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WAYS = ("numpy", "numpy-cli-read", "duckdb", "duckdb-memory")


def _read_frames(folder: Path, as_the_command: bool = False):
    """Customers and activity in memory: read as an artefact's activity is (dictionary columns, the
    fastest pandas read), or as ``prepare --engine local`` reads canonical Parquet today."""
    import pandas as pd

    from crm_core.artefact import _restored_activity
    from crm_core.dataset import channel_dtype

    customers = pd.read_parquet(folder / "customers.parquet")
    if not as_the_command:
        read = pd.read_parquet(folder / "activity.parquet", read_dictionary=["customer_id", "channel"])
        return customers, _restored_activity(read)
    activity = pd.read_parquet(folder / "activity.parquet")
    activity["channel"] = activity["channel"].astype("object").astype(channel_dtype())
    activity["customer_id"] = activity["customer_id"].astype("category")
    return customers, activity


def _numpy_step(customers, activity) -> None:
    from crm_core.dataset import Dataset
    from crm_core.prepare import NO_UNIT, _activity_features, reference_month

    dataset = Dataset("bench", customers, activity, None, "bench")
    as_of = reference_month(dataset)
    customers = customers.assign(branch=customers["branch"].astype("string").fillna(NO_UNIT))
    _activity_features(dataset, customers, as_of)


def _engine_step(customers, activity) -> None:
    from crm_core import engine_prepare

    as_of = engine_prepare.activity_as_of(activity)
    per_customer = engine_prepare.customer_activity(activity, as_of)
    engine_prepare.features_frame(
        engine_prepare.activity_features(customers.select("customer_id"), per_customer, as_of), activity
    )
    engine_prepare.monthly_channels(customers, activity, as_of)


def measure(way: str, folder: Path, repeats: int) -> dict:
    """Time one way on one bank in this process; returns seconds and peak resident GB."""
    import narwhals.stable.v2 as nw

    from benchmarks.common import status_kib
    from crm_core import engine_prepare

    read = compute = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        if way == "duckdb":
            connection = engine_prepare.duckdb_connection()
            customers = engine_prepare.duckdb_table(connection, folder / "customers.parquet")
            activity = engine_prepare.duckdb_table(connection, folder / "activity.parquet")
            read = 0.0
            _engine_step(customers, activity)
        else:
            customers, activity = _read_frames(folder, as_the_command=way == "numpy-cli-read")
            read = min(read, time.perf_counter() - started)
            started = time.perf_counter()
            if way.startswith("numpy"):
                _numpy_step(customers, activity)
            else:
                connection = engine_prepare.duckdb_connection()
                _engine_step(
                    nw.from_native(connection.from_df(customers)), nw.from_native(connection.from_df(activity))
                )
        compute = min(compute, time.perf_counter() - started)
    total = compute + (read if way.startswith("numpy") else 0.0)
    return {"way": way, "read_s": round(read, 2), "compute_s": round(compute, 2), "total_s": round(total, 2),
            "peak_gb": round(status_kib("VmHWM") / 1e6, 2)}  # fmt: skip


def _child(way: str, folder: Path, repeats: int) -> dict:
    command = [sys.executable, "-m", "benchmarks.bench_engine", "--measure", way, "--data", str(folder)]
    done = subprocess.run([*command, "--repeats", str(repeats)], cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{way} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _bank(folder: Path, customers: int) -> Path:
    from crm_core.sample import SampleConfig, write_sample

    bank = folder / str(customers)
    if not (bank / "activity.parquet").exists():
        write_sample(bank, SampleConfig(n_customers=customers))
    return bank


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--data", type=Path, help="folder for the generated banks (kept and reused)")
    parser.add_argument("--repeats", type=int, default=1, help="best of N inside each child process")
    parser.add_argument("--ways", nargs="+", choices=WAYS, default=list(WAYS))
    parser.add_argument("--measure", choices=WAYS, help=argparse.SUPPRESS)  # the child process's mode
    args = parser.parse_args(argv)
    if args.measure:
        result = measure(args.measure, args.data, args.repeats)
        print(json.dumps(result))
        return [result]
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.data or Path(scratch)
        for customers in args.customers:
            bank = _bank(folder, customers)
            rows = _activity_rows(bank)
            measured = {way: _child(way, bank, args.repeats) for way in args.ways}
            floor = measured["numpy"]["total_s"] if "numpy" in measured else None
            for way, result in measured.items():
                result.update(customers=customers, activity_rows=rows)
                result["x_numpy"] = round(result["total_s"] / floor, 2) if floor else None
                result["ns_per_row"] = round(result["total_s"] / rows * 1e9, 1)
                results.append(result)
                ratio = f"{result['x_numpy']:.2f}x numpy" if floor else ""
                print(f"{customers:>10,} customers  {way:<14} read {result['read_s']:6.2f} s  compute "
                      f"{result['compute_s']:6.2f} s  total {result['total_s']:6.2f} s  {ratio:>12}  "
                      f"{result['ns_per_row']:6.1f} ns/row  peak {result['peak_gb']:.2f} GB")  # fmt: skip
    print(json.dumps(results))
    return results


def _activity_rows(bank: Path) -> int:
    import pyarrow.parquet as pq

    return pq.read_metadata(bank / "activity.parquet").num_rows


if __name__ == "__main__":
    main()
