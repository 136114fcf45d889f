"""Product penetration by segment: who holds what, against the bank and a cross-sell target.

The per-dataset work is ``holding_matrix``: an (n × p) boolean matrix of holdings, the active
mask, and each customer's *combination* of products packed into one integer (bit ``j`` =
product ``j``). A segment change then costs a single ``numpy.bincount`` over
``segment × combination``; holders per product and the products-per-customer distribution
follow from that small table by one matrix product, never from a string group-by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_core.contract import product_flag_column
from crm_core.prepare import PreparedDataset, text_codes

MAX_PACKED_PRODUCTS = 16
"""Up to this many products the combinations are packed (a 65,536-cell table per segment)."""

MAX_TABLE_CELLS = 2**24
"""Largest segment × combination table; beyond it holders are summed one product at a time."""


@dataclass(frozen=True, eq=False)
class HoldingMatrix:
    """Per-dataset holdings, computed once with ``holding_matrix``.

    Attributes
    ----------
    products : tuple of str
        Product codes in column order.
    held : numpy.ndarray
        ``bool`` (n × p), C-contiguous: customer ``i`` holds product ``j``.
    active : numpy.ndarray
        ``bool`` (n,): the customers the views count.
    combination : numpy.ndarray or None
        ``int32`` (n,) packed product combination, ``None`` above ``MAX_PACKED_PRODUCTS``.
    branch_codes : numpy.ndarray
        ``int32`` (n,) branch code (``-1`` unknown), for the best-branch benchmark.
    branch_labels : tuple of str
        Branch names in code order.
    """

    products: tuple[str, ...]
    held: np.ndarray
    active: np.ndarray
    combination: np.ndarray | None
    branch_codes: np.ndarray
    branch_labels: tuple[str, ...]

    @property
    def bits(self) -> np.ndarray:
        """(2^p × p) ``float64``: which products each packed combination contains."""
        p = len(self.products)
        return ((np.arange(2**p)[:, None] >> np.arange(p)) & 1).astype(np.float64)


def holding_matrix_of(
    held: np.ndarray,
    products: Sequence[str],
    active: np.ndarray | None = None,
    branches: Sequence[str] | pd.Series | None = None,
) -> HoldingMatrix:
    """Return a ``HoldingMatrix`` from plain arrays (what ``holding_matrix`` does for a dataset).

    Examples
    --------
    >>> m = holding_matrix_of(np.array([[True, False], [True, True]]), ["a", "b"])
    >>> m.combination.tolist()
    [1, 3]
    """
    held = np.ascontiguousarray(held, dtype=bool)
    n, p = held.shape
    active = np.ones(n, dtype=bool) if active is None else np.asarray(active, dtype=bool).copy()
    combination = None
    if p <= MAX_PACKED_PRODUCTS:
        # One bit per product, added a column at a time: no (customers x products) int64 temporary
        # (400 MB at 5M customers and 10 products); 16 products fit in an int32.
        combination = np.zeros(n, dtype=np.int32)
        for j in range(p):
            combination[held[:, j]] += 1 << j
    if branches is None:
        branch_codes, branch_labels = np.full(n, -1, dtype=np.int32), ()
    else:  # a category's codes, not 5M strings (prepare.text_codes)
        codes, uniques = text_codes(branches if isinstance(branches, pd.Series) else pd.Series(branches))
        branch_codes, branch_labels = codes.astype(np.int32), tuple(map(str, uniques))
    return HoldingMatrix(tuple(products), held, active, combination, branch_codes, branch_labels)


def holding_matrix(prepared: PreparedDataset) -> HoldingMatrix:
    """Return the per-dataset holdings of ``prepared`` (its ``has_<product>`` flags).

    Parameters
    ----------
    prepared : PreparedDataset
        Not modified. Products are ``prepared.products``; active customers are
        ``customers["is_active"]``.

    Returns
    -------
    HoldingMatrix
    """
    customers = prepared.customers
    products = tuple(prepared.products)
    held = np.zeros((len(customers), len(products)), dtype=bool)
    for j, product in enumerate(products):
        held[:, j] = customers[product_flag_column(product)].to_numpy(dtype=bool)
    branches = customers["branch"] if "branch" in customers.columns else None
    return holding_matrix_of(held, products, customers["is_active"].to_numpy(dtype=bool), branches)


@dataclass(frozen=True, eq=False)
class SegmentHoldings:
    """Holdings summed per segment (the cheap per-control result of ``segment_holdings``).

    Attributes
    ----------
    products, labels : tuple of str
        Column and row names.
    customers : numpy.ndarray
        Active customers per segment (k,).
    holders : numpy.ndarray
        Active holders per segment × product (k × p).
    distribution : numpy.ndarray
        Active customers per segment × number of products held (k × (p + 1)).
    bank_customers, bank_holders, bank_distribution
        The same over all active customers, assigned to a segment or not.
    """

    products: tuple[str, ...]
    labels: tuple[str, ...]
    customers: np.ndarray
    holders: np.ndarray
    distribution: np.ndarray
    bank_customers: int
    bank_holders: np.ndarray
    bank_distribution: np.ndarray


def segment_holdings(holdings: HoldingMatrix, codes: np.ndarray, labels: Sequence[str]) -> SegmentHoldings:
    """Return active customers, holders and the products-per-customer counts of each segment.

    Parameters
    ----------
    holdings : HoldingMatrix
        From ``holding_matrix`` (per dataset).
    codes : numpy.ndarray
        Integer segment code per customer row, ``-1`` = unassigned.
    labels : sequence of str
        Segment names in code order.

    Returns
    -------
    SegmentHoldings

    Examples
    --------
    >>> m = holding_matrix_of(np.array([[1, 0], [1, 1], [0, 0]], dtype=bool), ["a", "b"])
    >>> s = segment_holdings(m, np.array([0, 0, 1]), ["x", "y"])
    >>> s.holders.tolist(), s.customers.tolist()
    ([[2, 1], [0, 0]], [2, 1])
    """
    labels = tuple(map(str, labels))
    k, p = len(labels), len(holdings.products)
    codes = np.asarray(codes)
    # Group k = active but unassigned (counts for the bank), k + 1 = not active (dropped).
    group = np.where(codes >= 0, codes, k).astype(np.int64)
    group[~holdings.active] = k + 1
    cells = 2**p
    if holdings.combination is not None and (k + 2) * cells <= MAX_TABLE_CELLS:
        table = np.bincount(group * cells + holdings.combination, minlength=(k + 2) * cells)
        table = table.reshape(k + 2, cells)[: k + 1].astype(np.float64)
        holders = table @ holdings.bits
        sizes = holdings.bits.sum(axis=1).astype(np.int64)
        distribution = table @ (sizes[:, None] == np.arange(p + 1)).astype(np.float64)
        counts = table.sum(axis=1)
    else:
        counts = np.bincount(group, minlength=k + 2)[: k + 1].astype(np.float64)
        holders = np.stack(
            [np.bincount(group, weights=holdings.held[:, j], minlength=k + 2)[: k + 1] for j in range(p)], axis=1
        ).reshape(k + 1, p)
        held_count = holdings.held.sum(axis=1)
        distribution = np.bincount(group * (p + 1) + held_count, minlength=(k + 2) * (p + 1))
        distribution = distribution.reshape(k + 2, p + 1)[: k + 1].astype(np.float64)
    holders = np.rint(holders).astype(np.int64)
    distribution = np.rint(distribution).astype(np.int64)
    counts = np.rint(counts).astype(np.int64)
    return SegmentHoldings(
        products=holdings.products,
        labels=labels,
        customers=counts[:k],
        holders=holders[:k],
        distribution=distribution[:k],
        bank_customers=int(counts.sum()),
        bank_holders=holders.sum(axis=0),
        bank_distribution=distribution.sum(axis=0),
    )


def _share(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)


def _frame(values: np.ndarray, index: Sequence[str], columns: Sequence) -> pd.DataFrame:
    frame = pd.DataFrame(values, index=pd.Index(list(index), name="group"), columns=list(columns))
    frame.columns.name = "product"
    return frame


def bank_penetration(segments: SegmentHoldings) -> pd.Series:
    """Return the share of all active customers holding each product (the bank average).

    Examples
    --------
    >>> m = holding_matrix_of(np.array([[1, 0], [1, 1], [0, 0], [1, 1]], dtype=bool), ["a", "b"])
    >>> bank_penetration(segment_holdings(m, np.array([0, 0, 1, -1]), ["x", "y"])).tolist()
    [0.75, 0.5]
    """
    share = _share(segments.bank_holders, np.full(len(segments.products), segments.bank_customers))
    return pd.Series(share, index=pd.Index(segments.products, name="product"), name="bank")


def product_penetration(segments: SegmentHoldings, bank_label: str | None = None) -> pd.DataFrame:
    """Return the share (0–1) of each segment's active customers holding each product.

    Parameters
    ----------
    segments : SegmentHoldings
        From ``segment_holdings``.
    bank_label : str, optional
        When given, a last row with the bank average under that name.

    Returns
    -------
    pandas.DataFrame
        Index ``group`` (segment labels), one column per product; NaN for empty segments.
    """
    share = _share(segments.holders, segments.customers[:, None])
    index = list(segments.labels)
    if bank_label is not None:
        share = np.vstack([share, bank_penetration(segments).to_numpy()])
        index.append(bank_label)
    return _frame(share, index, segments.products)


def penetration_index(segments: SegmentHoldings) -> pd.DataFrame:
    """Return each segment's penetration as an index against the bank average (bank = 100).

    Returns
    -------
    pandas.DataFrame
        Index ``group``, one column per product; NaN where the segment is empty or no
        active customer of the bank holds the product.
    """
    share = _share(segments.holders, segments.customers[:, None])
    bank = bank_penetration(segments).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(bank > 0, 100.0 * share / np.where(bank > 0, bank, 1), np.nan)
    return _frame(index, segments.labels, segments.products)


def products_per_customer_distribution(
    segments: SegmentHoldings, shares: bool = True, bank_label: str | None = None
) -> pd.DataFrame:
    """Return how many products customers hold, per segment.

    Parameters
    ----------
    segments : SegmentHoldings
    shares : bool
        Shares of the segment's active customers (rows sum to 1), else counts.
    bank_label : str, optional
        When given, a last row for the whole bank.

    Returns
    -------
    pandas.DataFrame
        Index ``group``, columns ``0 … p`` (number of products held).
    """
    counts = segments.distribution
    index = list(segments.labels)
    if bank_label is not None:
        counts = np.vstack([counts, segments.bank_distribution])
        index.append(bank_label)
    values = _share(counts, counts.sum(axis=1, keepdims=True)) if shares else counts
    frame = _frame(values, index, range(len(segments.products) + 1))
    frame.columns.name = "products_held"
    return frame


def cross_sell_ratios(segments: SegmentHoldings, target: float, bank_label: str | None = None) -> pd.DataFrame:
    """Return products per active customer (the cross-sell ratio) per segment against a target.

    Parameters
    ----------
    segments : SegmentHoldings
    target : float
        Products per customer the user aims for.
    bank_label : str, optional
        When given, a last row for the whole bank.

    Returns
    -------
    pandas.DataFrame
        ``group``, ``customers``, ``products``, ``products_per_customer``, ``target``,
        ``gap`` (target minus ratio), ``meets_target``, ``products_needed`` (extra
        products to reach the target, never negative).
    """
    products = segments.holders.sum(axis=1)
    customers = segments.customers
    groups = list(segments.labels)
    if bank_label is not None:
        products = np.append(products, segments.bank_holders.sum())
        customers = np.append(customers, segments.bank_customers)
        groups.append(bank_label)
    ratio = _share(products, customers)
    return pd.DataFrame(
        {
            "group": groups,
            "customers": customers.astype(np.int64),
            "products": products.astype(np.int64),
            "products_per_customer": ratio,
            "target": float(target),
            "gap": float(target) - ratio,
            "meets_target": ratio >= target,
            "products_needed": np.ceil(np.maximum(float(target) * customers - products, 0)).astype(np.int64),
        }
    )
