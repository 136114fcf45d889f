"""Timing helpers shared by the benchmarks: best-of-N wall time and peak memory of a child process."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_time(action: Callable[[], object], repeat: int = 5) -> float:
    """Best wall time in seconds over ``repeat`` runs (the least disturbed run)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def row(label: str, seconds: float, floor: float | None = None, rows: int | None = None) -> str:
    """One aligned line: time, ratio to the floor, and nanoseconds per row."""
    parts = [f"{label:<46} {seconds * 1e3:10.1f} ms"]
    if floor:
        parts.append(f"{seconds / floor:8.1f}x floor")
    if rows:
        parts.append(f"{seconds / rows * 1e9:8.1f} ns/row")
    return "  ".join(parts)


def median_ms(run, repeats: int) -> float:
    """Median wall time of ``run(i)`` in milliseconds, after one warm-up call (``i`` varies the input)."""
    import statistics

    run(0)
    times = []
    for i in range(repeats):
        started = time.perf_counter()
        run(i + 1)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def status_kib(field: str) -> int:
    """A ``/proc/self/status`` memory field (``VmHWM`` = peak resident, ``VmRSS``) in KiB."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1])
