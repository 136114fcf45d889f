"""Intervals for service figures: a share (Wilson), a count per customer (Poisson), a mean (t), a rate ratio.

Vectorised over units: each function takes arrays (one entry per branch or group) and returns
``(low, high)`` arrays, NaN where the data cannot say (no customers, no answers).
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson_interval(successes, trials, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a share ``successes / trials``.

    Examples
    --------
    >>> low, high = wilson_interval([8, 0], [10, 0])
    >>> [round(float(v), 4) for v in (low[0], high[0])], bool(np.isnan(low[1]))
    ([0.4902, 0.9433], True)
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    low, high = centre - half, centre + half
    empty = n <= 0
    return np.where(empty, np.nan, np.clip(low, 0, 1)), np.where(empty, np.nan, np.clip(high, 0, 1))


def poisson_rate_interval(events, exposure, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) interval of a rate ``events / exposure``, e.g. complaints per customer.

    Examples
    --------
    >>> low, high = poisson_rate_interval([0, 10], [100, 100])
    >>> [round(float(v), 4) for v in (low[0], high[0], low[1], high[1])]
    [0.0, 0.0369, 0.048, 0.1839]
    """
    k = np.asarray(events, dtype=float)
    n = np.asarray(exposure, dtype=float)
    alpha = 1 - confidence
    lower = np.where(k > 0, stats.chi2.ppf(alpha / 2, 2 * np.maximum(k, 1)) / 2, 0.0)
    upper = stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, lower / n, np.nan), np.where(n > 0, upper / n, np.nan)


def mean_interval(total, total_squares, count, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval of a mean from its sum, sum of squares and count (NaN below two values).

    Examples
    --------
    >>> low, high = mean_interval([12.0], [56.0], [3])  # values 2, 4, 6
    >>> [round(float(v), 3) for v in (low[0], high[0])]
    [-0.968, 8.968]
    """
    s = np.asarray(total, dtype=float)
    q = np.asarray(total_squares, dtype=float)
    n = np.asarray(count, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s / n
        variance = np.maximum(q - n * mean**2, 0.0) / (n - 1)
        half = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1)) * np.sqrt(variance / n)
    enough = n >= 2
    return np.where(enough, mean - half, np.nan), np.where(enough, mean + half, np.nan)


def rate_ratio_interval(
    events_a: int, base_a: int, events_b: int, base_b: int, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Ratio of two proportions (a over b) with its log-normal (Katz) interval.

    A zero cell adds one half to every cell (Haldane), so the interval stays finite.

    Examples
    --------
    >>> [round(v, 3) for v in rate_ratio_interval(20, 100, 10, 200)]
    [4.0, 1.947, 8.219]
    """
    if min(base_a, base_b) <= 0:
        return float("nan"), float("nan"), float("nan")
    a, n1, b, n2 = float(events_a), float(base_a), float(events_b), float(base_b)
    if a == 0 or b == 0:
        a, b, n1, n2 = a + 0.5, b + 0.5, n1 + 1.0, n2 + 1.0
    ratio = (float(events_a) / base_a) / (float(events_b) / base_b) if events_b else float("inf")
    log_ratio = np.log((a / n1) / (b / n2))
    half = _z(confidence) * np.sqrt(1 / a - 1 / n1 + 1 / b - 1 / n2)
    return ratio, float(np.exp(log_ratio - half)), float(np.exp(log_ratio + half))
