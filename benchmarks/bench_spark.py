"""Spark benchmark: ``prepare`` with the local engine against Spark ``local[2]`` on the same Parquet tables.

Usage: ``python -m benchmarks.bench_spark [--customers 1000000]``.

Each engine runs the real command (``python -m crm_core prepare``) in a child process; the time is
wall time of the whole command (Spark includes JVM start-up), memory is the peak resident size of
the command's process tree sampled from /proc every 0.2 s (the JVM included).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crm_core.sample import SampleConfig, write_sample

ROOT = Path(__file__).resolve().parents[1]


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) * 1024
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, StopIteration):
            continue
        stack += [int(c) for c in children]
    return total


def run(engine: str, tables: dict[str, Path], out: Path) -> dict:
    command = [sys.executable, "-m", "crm_core", "prepare", "--engine", engine]
    command += ["--customers", str(tables["customers"]), "--activity", str(tables["activity"])]
    command += ["--holdings", str(tables["holdings"]), "--out", str(out)]
    if engine == "spark":
        command += ["--master", "local[2]"]
    started, peak = time.perf_counter(), 0
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise RuntimeError(f"{engine} failed: {process.stderr.read()[-2000:]}")
    return {"engine": engine, "seconds": round(seconds, 1), "peak_gb": round(peak / 1e9, 2)}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        tables = write_sample(Path(folder) / "source", SampleConfig(n_customers=args.customers))
        results = [run(engine, tables, Path(folder) / engine) for engine in ("local", "spark")]
    for result in results:
        print(f"{args.customers:>10,} customers  {result['engine']:<6} {result['seconds']:>8.1f} s  "
              f"peak {result['peak_gb']:.2f} GB")  # fmt: skip
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
