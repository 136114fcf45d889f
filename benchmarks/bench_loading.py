"""Loading benchmark: load + validate a 1M-row customers CSV against ``pyarrow.csv.read_csv`` on the same bytes.

Usage: ``python -m benchmarks.bench_loading [--rows 1000000] [--profile]``.

Time is best of three in this process. Peak memory is measured in fresh child processes
(``ru_maxrss`` after the read minus before it), for the loader and for pyarrow, and stated
as a multiple of the file size. Goals from the loading issue: ≤ 2x pyarrow's time, ≤ 4x the
file size in memory. ``--profile`` also prints where one load spends its time (cProfile,
the loader's own functions by cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.csv as pa_csv

from benchmarks.common import best_time


def extract_csv(rows: int, seed: int = 0) -> bytes:
    """A core-banking style customers extract: Chinese headers, 万-free money, yes/no words, dates."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "客户号": np.char.add("C", np.char.zfill(np.arange(rows).astype(str), 8)),
            "网点": rng.choice(["西湖支行", "滨江支行", "海曙支行", "鹿城支行"], rows),
            "城市": rng.choice(["杭州", "宁波", "温州"], rows),
            "客户经理": rng.choice([f"RM{i:03d}" for i in range(200)], rows),
            "年龄": rng.integers(18, 90, rows),
            "性别": rng.choice(["F", "M"], rows),
            "开户日期": (np.datetime64("2010-01-01") + rng.integers(0, 5000, rows)).astype(str),
            "金融资产": rng.lognormal(9.5, 1.9, rows).round(2),
            "存款余额": rng.lognormal(9, 1.8, rows).round(2),
            "贷款余额": rng.lognormal(9, 1.5, rows).round(2),
            "风险等级": rng.integers(1, 6, rows),
            "信用卡": rng.choice(["Y", "N"], rows),
            "理财": rng.choice(["是", "否"], rows),
            "基金": rng.integers(0, 2, rows),
            "房贷": rng.choice(["Y", "N"], rows),
        }
    )
    return frame.to_csv(index=False).encode("utf-8")


def _child_peak(kind: str, path: str) -> int:
    """Peak RSS growth in bytes of one read in a fresh interpreter."""
    # VmHWM (the high-water mark of this process's own memory) rather than ru_maxrss, which
    # Linux carries over from the parent across exec.
    code = (
        "import sys, io\n"
        "def hwm():\n"
        "    line = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "    return int(line.split()[1]) * 1024\n"
        "data = open(sys.argv[2], 'rb').read()\n"
        "import pyarrow.csv as c; from crm_core.loading import load_table\n"
        "before = hwm()\n"
        "if sys.argv[1] == 'arrow':\n    c.read_csv(io.BytesIO(data))\n"
        "else:\n    load_table('extract.csv', data)\n"
        "print(hwm() - before)\n"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code, kind, path], cwd=root, capture_output=True, text=True, check=True
    )
    return int(result.stdout.strip())


def profile_breakdown(data: bytes, top: int = 12) -> list[tuple[str, float]]:
    """Return the loader's functions with the most cumulative seconds in one ``load_table`` of ``data``."""
    from crm_core.loading import load_table

    profiler = cProfile.Profile()
    profiler.runcall(load_table, "extract.csv", data)
    stats = pstats.Stats(profiler).stats
    rows = [
        (f"{Path(file).stem}.{function}", cumulative)
        for (file, _, function), (_, _, _, cumulative, _) in stats.items()
        if "crm_core/loading" in file
    ]
    return sorted(rows, key=lambda row: -row[1])[:top]


def main(argv: list[str] | None = None) -> dict:
    from crm_core.loading import load_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--profile", action="store_true", help="print where one load spends its time")
    args = parser.parse_args(argv)
    data = extract_csv(args.rows)
    arrow = best_time(lambda: pa_csv.read_csv(io.BytesIO(data)), repeat=3)
    ours = best_time(lambda: load_table("extract.csv", data), repeat=3)
    _, report = load_table("extract.csv", data)
    assert report.rows_read == report.rows_loaded + report.rows_rejected == args.rows
    path = Path("/tmp") / f"crm-bench-extract-{args.rows}.csv"
    path.write_bytes(data)
    peak_arrow, peak_ours = _child_peak("arrow", str(path)), _child_peak("loader", str(path))
    path.unlink()
    result = {
        "rows": args.rows,
        "file_mb": round(len(data) / 1e6, 1),
        "pyarrow_read_csv_s": round(arrow, 3),
        "load_and_validate_s": round(ours, 3),
        "time_ratio": round(ours / arrow, 2),
        "peak_memory_pyarrow_x_file": round(peak_arrow / len(data), 2),
        "peak_memory_loader_x_file": round(peak_ours / len(data), 2),
    }
    print(json.dumps(result, indent=2))
    if args.profile:
        for name, seconds in profile_breakdown(data):
            print(f"{seconds:8.3f} s  {name}")
    return result


if __name__ == "__main__":
    main()
