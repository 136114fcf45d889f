"""How sure a unit's indicators are: bootstrap of its customers and empirical-Bayes shrinkage.

Every scorecard indicator is a ratio of two per-customer sums (numerator over denominator,
then scaled), so resampling customers only needs the unit sums of a few columns under
bootstrap weights. The weights are multinomial counts drawn per unit (each of a unit's
``n`` customers drawn ``n`` times with replacement): one ``bincount`` and one small matrix
product per unit and batch of replicates, never a Python loop over customers.

Shrinkage pulls each unit's value toward the bank's by how noisy it is (the normal–normal
empirical-Bayes estimate, method of moments): a unit of 40 customers with 100% retention
is mostly noise and lands near the bank; a unit of 1,000 keeps most of its difference.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

REPLICATE_CELLS = 4_000_000
"""Largest replicates × customers block drawn at once (32 MB of float64 weights)."""

REPLICATE_WORKERS = 4
"""Most threads counting and summing the draws (fewer on a machine with fewer cores)."""


def unit_sum_replicates(columns: np.ndarray, codes: np.ndarray, n_units: int, replicates: int, seed: int) -> np.ndarray:
    """Return per-unit sums of ``columns`` under ``replicates`` bootstrap resamples of each unit's rows.

    Parameters
    ----------
    columns : numpy.ndarray
        ``float64`` rows × columns, one row per customer (not modified).
    codes : numpy.ndarray
        Unit code per row, ``0 … n_units − 1`` (rows with a negative code are left out).
    n_units : int
        Number of units.
    replicates : int
        Number of resamples.
    seed : int
        Seed of the draws; the same inputs and seed give the same sums.

    Returns
    -------
    numpy.ndarray
        ``float64`` replicates × units × columns. A unit's row count is kept in every
        resample, so a column of ones sums to the unit's size each time.

    Examples
    --------
    >>> sums = unit_sum_replicates(np.ones((3, 1)), np.array([0, 0, 1]), 2, 4, seed=1)
    >>> sums[:, :, 0].tolist()
    [[2.0, 1.0], [2.0, 1.0], [2.0, 1.0], [2.0, 1.0]]
    """
    columns = np.asarray(columns, dtype=np.float64)
    out = np.zeros((replicates, n_units, columns.shape[1]))
    keep = codes >= 0
    order = np.argsort(codes[keep], kind="stable")
    rows = columns[keep][order]
    sizes = np.bincount(codes[keep], minlength=n_units)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rng = np.random.default_rng(seed)

    def summed(unit: int, first: int, uniforms: np.ndarray, block: np.ndarray) -> None:
        count, size = uniforms.shape
        uniforms *= size
        draws = uniforms.astype(np.intp)
        draws += np.arange(0, count * size, size)[:, None]
        weights = np.bincount(draws.ravel(), minlength=count * size).reshape(count, size)
        out[first : first + count, unit] = weights @ block

    # The draws come from one generator in a fixed order (the same sums whatever the threads);
    # counting and summing them runs in worker threads, which numpy lets run side by side.
    # Small per-unit products: BLAS threads only add overhead (and contend on a shared machine).
    workers = max(1, min(REPLICATE_WORKERS, os.cpu_count() or 1))
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        pending: deque = deque()
        for unit in np.flatnonzero(sizes):
            size, block = int(sizes[unit]), rows[starts[unit] : starts[unit] + sizes[unit]]
            batch = max(1, min(replicates, REPLICATE_CELLS // size))
            for first in range(0, replicates, batch):
                count = min(batch, replicates - first)
                pending.append(pool.submit(summed, int(unit), first, rng.random((count, size)), block))
                while len(pending) > 2 * workers:  # at most a few blocks of draws in memory
                    pending.popleft().result()
        for job in pending:
            job.result()
    return out


def pooled_variance(replicate_values: np.ndarray, observations: np.ndarray) -> np.ndarray:
    """Return each unit's sampling variance as ``σ² / observations``, σ² pooled over units.

    A unit's own bootstrap variance is itself noisy, and zero when its few customers happen
    to agree (a unit with no closure shows no retention noise). Pooling the per-observation
    variance (median over units of bootstrap variance × observations) and dividing by the
    unit's observations avoids both.

    Parameters
    ----------
    replicate_values : numpy.ndarray
        Replicates × units values of one indicator (NaN where a resample lacks the data).
    observations : numpy.ndarray
        Customers behind each unit's value (those with a positive denominator).

    Returns
    -------
    numpy.ndarray
        ``float64`` per unit; NaN where the unit has no observation or no variance can be
        pooled.

    Examples
    --------
    >>> values = np.array([[0.0, 1.0], [1.0, 1.0], [0.5, 1.0]])
    >>> pooled_variance(values, np.array([4.0, 1.0])).tolist()
    [0.125, 0.5]
    """
    observations = np.asarray(observations, dtype=float)
    if replicate_values.shape[0] < 2:
        return np.full(len(observations), np.nan)
    with np.errstate(invalid="ignore"):
        enough = (np.sum(~np.isnan(replicate_values), axis=0) >= 2) & (observations > 0)
        spread = np.full(len(observations), np.nan)
        spread[enough] = np.nanvar(replicate_values[:, enough], axis=0, ddof=1) * observations[enough]
    if not enough.any():
        return np.full(len(observations), np.nan)
    sigma2 = float(np.median(spread[enough]))
    with np.errstate(divide="ignore"):
        return np.where(observations > 0, sigma2 / np.where(observations > 0, observations, 1.0), np.nan)


def shrinkage_factors(
    values: np.ndarray, variance: np.ndarray, bank: float, spread_from: np.ndarray | None = None
) -> np.ndarray:
    """Return the empirical-Bayes weight each unit's own value keeps (0 = all bank, 1 = all unit).

    With unit values ``y`` around the bank's ``μ``, sampling variances ``v`` and the spread
    of true values ``τ² = max(0, mean((y − μ)²) − mean(v))`` (method of moments), a unit
    keeps ``τ² / (τ² + v)`` of its difference from the bank. When ``τ²`` is 0 the
    differences are all noise and every unit gets the bank's value; a unit without a
    variance keeps its value. NaN values give NaN. ``spread_from`` (boolean per entry,
    default all) says which entries estimate ``τ²``: an extra entry (the pool of units too
    small to rank) is shrunk by the units' spread without changing it.

    Examples
    --------
    >>> shrinkage_factors(np.array([0.0, 0.6]), np.array([0.03, 0.03]), 0.3).round(4).tolist()
    [0.6667, 0.6667]
    >>> shrinkage_factors(np.array([0.2, 0.4]), np.array([0.03, 0.03]), 0.3).tolist()
    [0.0, 0.0]
    """
    values = np.asarray(values, dtype=float)
    variance = np.asarray(variance, dtype=float)
    out = np.full(len(values), np.nan)
    known = ~np.isnan(values)
    if not known.any() or np.isnan(bank):
        out[known] = 1.0
        return out
    noisy = known & ~np.isnan(variance)
    spread = noisy if spread_from is None else noisy & np.asarray(spread_from, dtype=bool)
    between = (
        max(0.0, float(np.mean((values[spread] - bank) ** 2)) - float(np.mean(variance[spread])))
        if spread.any()
        else 0.0
    )
    out[known] = 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        kept = np.where(between + variance > 0, between / (between + variance), 1.0)
    out[noisy] = kept[noisy]
    return out
