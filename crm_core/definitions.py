"""One definition of each figure that more than one view shows: the churn rate and tenure.

Every surface (Overview tiles, Loyalty, the Segments bank row, the deck / HTML / Excel, the
playbook, the scenario comparison) reads these functions instead of recomputing the figure,
so a number shown twice is the same number (``tests/test_consistency.py`` checks it).

**Churn rate**: closures during the last 12 months among the customers on the books a year
earlier (at the end of the month twelve months before the reference month). A customer who
opened and closed within the year is in neither the denominator nor the numerator. Without
closing dates, the dataset's churn flag over every customer (no window can be drawn).

**Tenure**: whole calendar months completed from the open date to the end of the reference
month (``PreparedDataset.as_of``'s month), never negative. A customer with 12 months' tenure
was on the books a year earlier. Given only a tenure, the open date is taken as the first day
of the month that many months before the reference month, so the two convert exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

CHURN_WINDOWS: dict[str, tuple[str, str]] = {
    "last_12m": ("alive_12m_ago", "closed_last_12m"),
    "previous_12m": ("alive_24m_ago", "closed_prev_12m"),
}
"""Window → (prepared column of the base, prepared column of the closures in the window)."""


@dataclass(frozen=True)
class ChurnRate:
    """A churn rate with its numerator and denominator.

    Attributes
    ----------
    closed : int
        Customers of ``base`` who closed in the window (the dataset's churn flag without dates).
    base : int
        Customers on the books at the start of the window (every customer without dates).
    value : float
        ``closed / base``; NaN when the data cannot say (no closures recorded, or no base).
    """

    closed: int
    base: int
    value: float


def _known(customers: pd.DataFrame, column: str) -> bool:
    return column in customers.columns and bool(customers[column].notna().any())


def churn_outcome(customers: pd.DataFrame, window: str = "last_12m") -> tuple[np.ndarray, np.ndarray] | None:
    """Return who is in the churn rate's base and who of them churned, per customer.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``PreparedDataset.customers``.
    window : {"last_12m", "previous_12m"}
        The last 12 months, or the 12 before (for the Overview's year-earlier value).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray) or None
        Boolean ``base`` and ``closed`` (``closed`` implies ``base``), one entry per customer;
        None when the data records no closures (neither closing dates nor a churn flag), or
        asks for the previous window without closing dates.

    Examples
    --------
    >>> frame = pd.DataFrame({"closed_date": pd.to_datetime(["2026-01-05", "2026-02-01", None]),
    ...     "alive_12m_ago": [True, False, True], "closed_last_12m": [True, True, False]})
    >>> base, closed = churn_outcome(frame)
    >>> base.tolist(), closed.tolist()
    ([True, False, True], [True, False, False])
    """
    if window not in CHURN_WINDOWS:
        raise ValueError(f"window must be one of {', '.join(CHURN_WINDOWS)}, got {window!r}")
    if _known(customers, "closed_date"):
        base_column, closed_column = CHURN_WINDOWS[window]
        base = customers[base_column].to_numpy(dtype=bool)
        return base, base & customers[closed_column].to_numpy(dtype=bool)
    if window == "last_12m" and _known(customers, "churned"):
        churned = customers["churned"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        return np.ones(len(customers), dtype=bool), churned
    return None


def churn_rate(customers: pd.DataFrame, window: str = "last_12m") -> ChurnRate:
    """Return the churn rate: closures in the window among the customers on the books at its start.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``PreparedDataset.customers``.
    window : {"last_12m", "previous_12m"}
        See ``churn_outcome``.

    Returns
    -------
    ChurnRate
        Numerator, denominator and value (NaN when the data cannot say).

    Examples
    --------
    >>> frame = pd.DataFrame({"closed_date": pd.to_datetime(["2026-01-05", "2026-02-01", None]),
    ...     "alive_12m_ago": [True, False, True], "closed_last_12m": [True, True, False]})
    >>> churn_rate(frame)  # the second customer opened and closed within the year: not counted
    ChurnRate(closed=1, base=2, value=0.5)
    """
    outcome = churn_outcome(customers, window)
    if outcome is None:
        return ChurnRate(0, 0, math.nan)
    base, closed = outcome
    n_base, n_closed = int(base.sum()), int(closed.sum())
    return ChurnRate(n_closed, n_base, n_closed / n_base if n_base else math.nan)


def tenure_months(open_date: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """Return tenure: whole calendar months from the open date to the end of the reference month.

    Parameters
    ----------
    open_date : pandas.Series
        Opening dates (NaT gives a missing tenure).
    as_of : pandas.Timestamp
        Any day of the reference month (``PreparedDataset.as_of``).

    Returns
    -------
    pandas.Series
        ``Int64`` months, at least 0, same index as ``open_date``.

    Examples
    --------
    >>> opened = pd.Series(pd.to_datetime(["2025-03-01", "2025-03-31", "2026-03-15", "2024-01-31", None]))
    >>> tenure_months(opened, pd.Timestamp("2026-03-01")).tolist()
    [12, 12, 0, 26, <NA>]
    >>> tenure_months(pd.Series(pd.to_datetime(["2024-01-31"])), pd.Timestamp("2024-02-01")).tolist()
    [0]
    """
    end = pd.Timestamp(as_of) + pd.offsets.MonthEnd(0)
    opened = pd.to_datetime(open_date)
    months = (end.year - opened.dt.year) * 12 + (end.month - opened.dt.month)
    months = months - (opened.dt.day > end.day).astype("float")  # a month not yet completed
    return months.clip(lower=0).astype("Int64")


def opening_from_tenure(tenure: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """Return the open date a tenure stands for: the first day of the month ``tenure`` months before.

    The inverse of ``tenure_months`` (``tenure_months(opening_from_tenure(t, m), m) == t``).

    Examples
    --------
    >>> opening_from_tenure(pd.Series([0, 12, None], dtype="Int64"), pd.Timestamp("2026-03-01")).tolist()
    [Timestamp('2026-03-01 00:00:00'), Timestamp('2025-03-01 00:00:00'), NaT]
    """
    months = pd.Series(tenure, copy=False).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    reference = np.datetime64(pd.Timestamp(as_of), "M").astype(np.int64)
    known = np.isfinite(months)
    opened = np.full(len(months), np.datetime64("NaT"), dtype="datetime64[ns]")
    first_days = (reference - months[known].astype(np.int64)).astype("datetime64[M]")
    opened[known] = first_days.astype("datetime64[ns]")
    index = tenure.index if isinstance(tenure, pd.Series) else None
    return pd.Series(opened, index=index)


def active_customers(customers: pd.DataFrame) -> int:
    """Return the number of active customers (relationship open at the reference month)."""
    return int(customers["is_active"].to_numpy(dtype=bool).sum())


def total_aum(customers: pd.DataFrame) -> float:
    """Return total AUM: deposits plus investments of active customers (a missing balance counts as 0).

    NaN (shown "n/a") when no active customer has a known balance: a file without one (a
    transaction log with no balance column) has an unknown total, not a total of 0.

    Examples
    --------
    >>> total_aum(pd.DataFrame({"aum": [100.0, None, 50.0], "is_active": [True, True, False]}))
    100.0
    >>> total_aum(pd.DataFrame({"aum": [None, None], "is_active": [True, True]}))
    nan
    """
    aum = customers["aum"].to_numpy(dtype=float, na_value=np.nan)[customers["is_active"].to_numpy(dtype=bool)]
    return float(np.nansum(aum)) if (~np.isnan(aum)).any() else float("nan")
