"""Penetration gaps against a chosen benchmark, in percentage points and in customers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crm_core.products.config import DEFAULT_BENCHMARK, BenchmarkConfig
from crm_core.products.penetration import HoldingMatrix, SegmentHoldings, _share, bank_penetration, segment_holdings

GAP_COLUMNS: tuple[str, ...] = (
    "group",
    "product",
    "customers",
    "holders",
    "penetration",
    "benchmark",
    "benchmark_source",
    "gap_points",
    "gap_customers",
)
"""Columns of ``penetration_gaps`` in order."""


def best_branch_penetration(
    holdings: HoldingMatrix, codes: np.ndarray, labels: Sequence[str], min_customers: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Return, per segment × product, the best branch penetration and that branch's code.

    Only branches with at least ``min_customers`` active customers in the segment compete;
    where none does, the share is NaN and the branch ``-1``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``float64`` (k × p) shares and ``int64`` (k × p) branch codes.
    """
    k, p = len(labels), len(holdings.products)
    n_branches = max(len(holdings.branch_labels), 1)
    codes = np.asarray(codes)
    known = (codes >= 0) & (holdings.branch_codes >= 0)
    combined = np.where(known, holdings.branch_codes * k + codes, -1)
    cells = segment_holdings(holdings, combined, [str(i) for i in range(n_branches * k)])
    customers = cells.customers.reshape(n_branches, k)
    share = _share(cells.holders.reshape(n_branches, k, p), customers[:, :, None])
    eligible = (customers >= min_customers)[:, :, None] & ~np.isnan(share)
    ranked = np.where(eligible, share, -np.inf)
    best = ranked.argmax(axis=0)
    found = eligible.any(axis=0)
    values = np.where(found, np.take_along_axis(ranked, best[None], axis=0)[0], np.nan)
    return values, np.where(found, best, -1).astype(np.int64)


def penetration_gaps(
    holdings: HoldingMatrix,
    codes: np.ndarray,
    labels: Sequence[str],
    config: BenchmarkConfig = DEFAULT_BENCHMARK,
    segments: SegmentHoldings | None = None,
) -> pd.DataFrame:
    """Return each segment × product's penetration, its benchmark and the gap.

    Parameters
    ----------
    holdings : HoldingMatrix
        Per-dataset holdings.
    codes : numpy.ndarray
        Segment code per customer row (``-1`` unassigned).
    labels : sequence of str
        Segment names in code order (for ``next_tier``, lowest tier first).
    config : BenchmarkConfig
        Which benchmark.
    segments : SegmentHoldings, optional
        ``segment_holdings(holdings, codes, labels)`` when the caller already has it.

    Returns
    -------
    pandas.DataFrame
        One row per segment × product (segment-major), columns ``GAP_COLUMNS``:
        ``penetration`` and ``benchmark`` are shares, ``benchmark_source`` names the
        benchmark (``bank``, the next segment, the best branch or ``target``),
        ``gap_points`` = benchmark − penetration as a share (0.05 = 5 percentage points,
        negative when ahead), ``gap_customers`` = customers to win to reach the benchmark
        (0 when ahead or without benchmark).
    """
    labels = tuple(map(str, labels))
    segments = segments if segments is not None else segment_holdings(holdings, codes, labels)
    k, p = len(labels), len(holdings.products)
    share = _share(segments.holders, segments.customers[:, None])
    source = np.empty((k, p), dtype=object)
    if config.kind == "bank":
        benchmark = np.broadcast_to(bank_penetration(segments).to_numpy(), (k, p)).copy()
        source[:] = "bank"
    elif config.kind == "next_tier":
        benchmark = np.full((k, p), np.nan)
        benchmark[:-1] = share[1:]
        source[:-1] = np.array(labels[1:], dtype=object)[:, None]
        source[-1:] = ""
    elif config.kind == "best_branch":
        benchmark, branch = best_branch_penetration(holdings, codes, labels, config.min_branch_customers)
        names = np.array([*holdings.branch_labels, ""], dtype=object)
        source[:] = names[branch]
    else:
        targets = config.target_map
        row = np.array([targets.get(product, np.nan) for product in holdings.products])
        benchmark = np.broadcast_to(row, (k, p)).copy()
        source[:] = np.where(np.isnan(row), "", "target")
    gap = benchmark - share
    gap_customers = np.rint(np.nan_to_num(np.maximum(gap, 0)) * segments.customers[:, None]).astype(np.int64)
    return pd.DataFrame(
        {
            "group": np.repeat(labels, p),
            "product": np.tile(holdings.products, k),
            "customers": np.repeat(segments.customers, p).astype(np.int64),
            "holders": segments.holders.ravel().astype(np.int64),
            "penetration": share.ravel(),
            "benchmark": benchmark.ravel(),
            "benchmark_source": source.ravel().astype(str),
            "gap_points": gap.ravel(),
            "gap_customers": gap_customers.ravel(),
        },
        columns=list(GAP_COLUMNS),
    )
