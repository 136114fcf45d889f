"""Timing helpers shared by the benchmarks: best-of-N wall time and peak memory of a child process."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence


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


def process_status_kib(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` memory field of another process (``VmHWM``, ``VmRSS``) in KiB; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            line = next((line for line in status if line.startswith(field + ":")), None)
    except OSError:
        return 0
    return int(line.split()[1]) if line else 0


def _stat_fields(pid: int | str) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (which may hold spaces and brackets)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process, its live descendants and the children it reaped.

    Fields after the name: ``ppid`` is the 2nd, ``utime stime cutime cstime`` the 12th to 15th, in clock ticks.
    """
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat_fields(entry)) is not None:
            parents[int(entry)] = int(fields[1])
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, its_parent in parents.items() if its_parent == parent and child not in tree]
        tree.update(children)
        frontier.extend(children)
    ticks = 0
    for member in tree:
        fields = _stat_fields(member)
        if fields is not None:
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine spent busy so far (``/proc/stat``: all but idle and iowait)."""
    with open("/proc/stat") as stat:
        values = [int(value) for value in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile (0.95 = p95) by linear interpolation between the nearest ranks.

    Examples
    --------
    >>> percentile([1, 2, 3, 4, 5], 0.5), percentile([1, 2, 3, 4, 5], 0.95)
    (3.0, 4.8)
    """
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
