"""Where transactions rise or fall when the file says where but not how: a log without a channel column.

A transaction log with a location (or branch) and no channel cannot say which transactions were
counter visits, so no channel activity is built from it (``crm_core.loading.transactions``). It
still says where customers transact, month by month: ``Dataset.location_activity``. This module fits
the same trend as the counter decline (``group_declines``: log-linear with month-of-year effects and
Newey–West intervals) on *all* transactions of each location, so a manager sees which locations are
losing traffic, stated as all channels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_core.prepare import text_codes
from crm_core.visits.config import DEFAULT_DECLINE, DeclineConfig
from crm_core.visits.decline import DeclineFit, group_declines


@dataclass(frozen=True)
class LocationTrend:
    """The fitted change of transactions at each location.

    Attributes
    ----------
    table : pandas.DataFrame
        ``group_declines`` columns, one row per location (``group``), ``counter_12m`` holding all
        transactions of the last 12 months (not counter visits: the file names no channel).
    months : pandas.DatetimeIndex
        The consecutive months fitted.
    transactions : int
        Transactions counted, every location and month.
    fits : tuple of DeclineFit
        One per row of ``table``.
    """

    table: pd.DataFrame
    months: pd.DatetimeIndex
    transactions: int
    fits: tuple[DeclineFit, ...]

    @property
    def lags(self) -> int:
        """Newey–West lags of the fits (the same for every location: one month range)."""
        return next((fit.lags for fit in self.fits if fit.annual_change == fit.annual_change), 0)


def location_trend(location_activity: pd.DataFrame, config: DeclineConfig = DEFAULT_DECLINE) -> LocationTrend:
    """Return the fitted change a year of each location's monthly transactions.

    Parameters
    ----------
    location_activity : pandas.DataFrame
        ``customer_id``, ``month``, ``branch`` and ``transactions`` (``Dataset.location_activity``).
    config : DeclineConfig
        The scenario's decline model (minimum history, confidence, lags).

    Examples
    --------
    >>> months = pd.date_range("2024-01-01", periods=24, freq="MS")
    >>> rows = pd.DataFrame({"customer_id": "A", "month": list(months) * 2, "branch": ["East"] * 24 + ["West"] * 24,
    ...                      "transactions": [100] * 24 + [int(200 * 0.9 ** (i / 12)) for i in range(24)]})
    >>> trend = location_trend(rows)
    >>> trend.table[["group", "counter_12m"]].values.tolist(), trend.transactions
    ([['East', 1200], ['West', 2053]], 6736)
    >>> [round(v, 2) + 0.0 for v in trend.table["annual_change"]]
    [0.0, -0.1]
    """
    located = location_activity[location_activity["transactions"] > 0]
    if located.empty:
        months = pd.DatetimeIndex([])
        table, fits = group_declines(np.zeros((0, 0), dtype=np.int64), months, [], config)
        return LocationTrend(table, months, 0, fits)
    month = located["month"].to_numpy(dtype="datetime64[M]").astype(np.int64)
    first, last = int(month.min()), int(month.max())
    months = pd.date_range(pd.Timestamp(np.datetime64(first, "M")), periods=last - first + 1, freq="MS")
    place, places = text_codes(located["branch"])
    known = place >= 0
    width = len(months)
    cells = np.bincount(
        place[known] * width + (month[known] - first),
        weights=located["transactions"].to_numpy(dtype=np.float64)[known],
        minlength=len(places) * width,
    )
    series = np.rint(cells).astype(np.int64).reshape(len(places), width)
    table, fits = group_declines(series, months, [str(p) for p in places], config)
    return LocationTrend(table, months, int(series.sum()), fits)
