"""Small per-control summaries: risk by group and at-risk lists with reasons (the tiles are the view's)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crm_core.loyalty.model import RISK_BANDS, ChurnRisk, customer_reasons
from crm_core.prepare import PreparedDataset, text_codes
from crm_core.ranking import top_rows


def group_codes(prepared: PreparedDataset, column: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Return integer codes and sorted labels of a customer column (e.g. ``branch``); missing = -1.

    A dataset without the column (an extract with no branch) puts every customer in one group,
    "All", as the visits cube and the staff scorecard do.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> fake = SimpleNamespace(customers=pd.DataFrame({"branch": ["b", "a", None]}))
    >>> codes, labels = group_codes(fake, "branch")
    >>> codes.tolist(), labels
    ([1, 0, -1], ('a', 'b'))
    >>> codes, labels = group_codes(fake, "city")
    >>> codes.tolist(), labels
    ([0, 0, 0], ('All',))
    """
    if column not in prepared.customers:
        return np.zeros(len(prepared.customers), dtype=np.int64), ("All",)
    codes, uniques = text_codes(prepared.customers[column])
    return codes, tuple(str(u) for u in uniques)


def risk_by_group(
    probabilities: np.ndarray, bands: np.ndarray, aum: np.ndarray, codes: np.ndarray, labels: Sequence[str]
) -> pd.DataFrame:
    """Return risk per group (segment, branch, manager) among scored customers.

    Returns
    -------
    pandas.DataFrame
        ``code``, ``group``, ``scored``, ``mean_probability``, ``expected_churners``,
        ``high_risk``, ``high_risk_share``, ``at_risk_aum`` (AUM of high-risk customers),
        ``expected_aum_loss`` (sum of probability × AUM).

    Examples
    --------
    >>> risk_by_group(np.array([0.5, 0.1, 0.2]), np.array([2, 0, 1]), np.array([10.0, 20, 30]),
    ...               np.array([0, 0, 1]), ["a", "b"])[["group", "scored", "high_risk", "at_risk_aum"]]
      group  scored  high_risk  at_risk_aum
    0     a       2          1         10.0
    1     b       1          0          0.0
    """
    codes = np.asarray(codes)
    scored = ~np.isnan(probabilities)
    n_groups = len(labels)
    keep = scored & (codes >= 0) & (codes < n_groups)
    key = codes[keep]
    p, a, high = probabilities[keep], aum[keep], bands[keep] == RISK_BANDS.index("high")
    count = np.bincount(key, minlength=n_groups)
    expected = np.bincount(key, weights=p, minlength=n_groups)
    high_count = np.bincount(key, weights=high, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame = pd.DataFrame(
            {
                "code": np.arange(n_groups),
                "group": list(labels),
                "scored": count.astype(np.int64),
                "mean_probability": np.where(count > 0, expected / count, np.nan),
                "expected_churners": expected,
                "high_risk": high_count.astype(np.int64),
                "high_risk_share": np.where(count > 0, high_count / count, np.nan),
                "at_risk_aum": np.bincount(key, weights=a * high, minlength=n_groups),
                "expected_aum_loss": np.bincount(key, weights=a * p, minlength=n_groups),
            }
        )
    return frame


AT_RISK_COLUMNS: tuple[str, ...] = (
    "branch",
    "relationship_manager",
    "customer_id",
    "churn_probability",
    "risk_band",
    "aum",
    "contribution",
    "clv",
    "reasons",
)


def at_risk_customers(
    prepared: PreparedDataset,
    risk: ChurnRisk,
    bands: np.ndarray,
    values: pd.DataFrame | None = None,
    include: Sequence[str] = ("high",),
    branch: str | None = None,
    relationship_manager: str | None = None,
    limit: int = 5_000,
) -> pd.DataFrame:
    """Return the at-risk customers of a branch or manager (or all), riskiest first, with reasons.

    Parameters
    ----------
    prepared : PreparedDataset
    risk : ChurnRisk
        A churn risk result (reasons come from its drivers).
    bands : numpy.ndarray
        ``risk_bands`` codes.
    values : pandas.DataFrame or None
        ``customer_value`` output, for contribution and CLV.
    include : sequence of str
        Bands listed.
    branch, relationship_manager : str or None
        Filters; None lists everyone.
    limit : int
        Most rows returned (reasons are computed only for these).

    Returns
    -------
    pandas.DataFrame
        Columns of ``AT_RISK_COLUMNS`` that the data has, sorted by branch, manager and
        descending probability; ``reasons`` holds a tuple of ``Message`` per customer
        (``customer_reasons``), rendered at the edge.
    """
    c = prepared.customers
    mask = np.isin(bands, [RISK_BANDS.index(b) for b in include])
    if branch is not None and "branch" in c:
        mask &= (c["branch"] == branch).fillna(False).to_numpy(dtype=bool)
    if relationship_manager is not None and "relationship_manager" in c:
        mask &= (c["relationship_manager"] == relationship_manager).fillna(False).to_numpy(dtype=bool)
    rows = top_rows(np.flatnonzero(mask), risk.probabilities, limit)
    frame = pd.DataFrame(index=range(len(rows)))
    for column in ("branch", "relationship_manager", "customer_id"):
        if column in c:
            frame[column] = c[column].iloc[rows].to_numpy()
    frame["churn_probability"] = risk.probabilities[rows]
    frame["risk_band"] = [RISK_BANDS[b] for b in bands[rows]]
    frame["aum"] = c["aum"].to_numpy(dtype=float)[rows]
    if values is not None:
        frame["contribution"] = values["contribution"].to_numpy()[rows]
        frame["clv"] = values["clv"].to_numpy()[rows]
    frame["reasons"] = pd.Series(customer_reasons(risk, rows), index=frame.index, dtype=object)
    order = [col for col in ("branch", "relationship_manager") if col in frame]
    if order:
        frame = frame.sort_values([*order, "churn_probability"], ascending=[True] * len(order) + [False], kind="stable")
    return frame.reset_index(drop=True)
