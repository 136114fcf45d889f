"""Co-holding: which products are held together (support, confidence, lift) and what it says.

One matrix product ``X.T @ X`` of the (customers × products) holdings gives every pair's
joint count; support, confidence and lift are ratios of that small table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.messages import Message, Share
from crm_core.products.config import product_term
from crm_core.products.penetration import HoldingMatrix

CO_HOLDING_COLUMNS: tuple[str, ...] = (
    "antecedent",
    "consequent",
    "customers_both",
    "support",
    "confidence",
    "consequent_share",
    "lift",
)
"""Columns of ``co_holding`` in order."""


def co_holding_counts(held: np.ndarray) -> np.ndarray:
    """Return the (p × p) joint holder counts ``X.T @ X`` (diagonal = holders of each product).

    Examples
    --------
    >>> co_holding_counts(np.array([[1, 1], [1, 0], [0, 0]], dtype=bool)).tolist()
    [[2, 1], [1, 1]]
    """
    # float64 BLAS is exact for counts below 2**53 and much faster than an integer product.
    x = np.asarray(held, dtype=np.float64)
    return np.rint(x.T @ x).astype(np.int64)


def co_holding(holdings: HoldingMatrix, mask: np.ndarray | None = None) -> pd.DataFrame:
    """Return every ordered pair of products with support, confidence and lift.

    Parameters
    ----------
    holdings : HoldingMatrix
        Per-dataset holdings; only active customers count.
    mask : numpy.ndarray, optional
        Further restricts the customers (e.g. one segment: ``codes == 2``).

    Returns
    -------
    pandas.DataFrame
        Columns ``CO_HOLDING_COLUMNS``, one row per ordered pair (antecedent ≠ consequent):
        ``support`` = share holding both, ``confidence`` = share of antecedent holders who
        hold the consequent, ``consequent_share`` = share holding the consequent,
        ``lift`` = confidence / consequent share (1 = independent; NaN when undefined).
    """
    keep = holdings.active if mask is None else holdings.active & np.asarray(mask, dtype=bool)
    held = holdings.held[keep]
    n, p = held.shape
    counts = co_holding_counts(held)
    singles = np.diag(counts).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        support = counts / n if n else np.full((p, p), np.nan)
        confidence = np.where(singles[:, None] > 0, counts / singles[:, None], np.nan)
        share = singles / n if n else np.full(p, np.nan)
        lift = np.where(share[None, :] > 0, confidence / share[None, :], np.nan)
    first, second = np.where(~np.eye(p, dtype=bool))
    products = np.array(holdings.products, dtype=object)
    return pd.DataFrame(
        {
            "antecedent": products[first].astype(str),
            "consequent": products[second].astype(str),
            "customers_both": counts[first, second],
            "support": support[first, second],
            "confidence": confidence[first, second],
            "consequent_share": share[second],
            "lift": lift[first, second],
        },
        columns=list(CO_HOLDING_COLUMNS),
    )


def lift_matrix(pairs: pd.DataFrame) -> pd.DataFrame:
    """Return the lifts of ``co_holding`` as a square frame (rows antecedent, columns consequent, NaN diagonal)."""
    products = list(dict.fromkeys([*pairs["antecedent"], *pairs["consequent"]]))
    wide = pairs.pivot(index="antecedent", columns="consequent", values="lift")
    return wide.reindex(index=products, columns=products)


def co_holding_messages(
    pairs: pd.DataFrame, top: int = 5, min_support: float = 0.01, min_lift: float = 1.2
) -> list[Message]:
    """Return the strongest co-holding paths as messages, strongest lift first (worded at the edge).

    Only pairs held together by at least ``min_support`` of customers and with lift of at
    least ``min_lift`` are described; each unordered pair once, in its direction of higher
    confidence.

    Examples
    --------
    >>> from crm_core.messages import render
    >>> pairs = pd.DataFrame({"antecedent": ["payroll_service"], "consequent": ["credit_card"],
    ...     "customers_both": [41], "support": [0.041], "confidence": [0.41], "consequent_share": [0.178],
    ...     "lift": [2.3]})
    >>> render(co_holding_messages(pairs)[0], "en")
    'Customers with payroll service hold credit card 2.3x as often as the average customer (41.0% vs 17.8%).'
    >>> render(co_holding_messages(pairs)[0], "zh")
    '持有代发工资的客户持有信用卡的比例是平均水平的2.3倍（41.0% 对 17.8%）。'
    """
    strong = pairs[(pairs["support"] >= min_support) & (pairs["lift"] >= min_lift)]
    # Lift is symmetric: of the two directions, the one with the higher confidence reads as the path.
    strong = strong.assign(_lift=strong["lift"].round(9)).sort_values(
        ["_lift", "confidence", "antecedent", "consequent"], ascending=[False, False, True, True], kind="stable"
    )
    seen: set[frozenset[str]] = set()
    messages = []
    for row in strong.itertuples(index=False):
        pair = frozenset((row.antecedent, row.consequent))
        if pair in seen:
            continue
        seen.add(pair)
        messages.append(
            Message(
                "coholding_path",
                first=product_term(row.antecedent),
                second=product_term(row.consequent),
                lift=f"{row.lift:.1f}",
                held=Share(row.confidence),
                base=Share(row.consequent_share),
            )
        )
        if len(messages) == top:
            break
    return messages
