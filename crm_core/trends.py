"""Headline KPIs over time: monthly and quarterly lines with their period-on-period deltas.

Only what the extract dates is a trend: customers on the books, openings and closures come from
open and close dates; transactions and the off-counter rate from the monthly activity. Balances
are one snapshot (and a value a year earlier), so AUM has a year-on-year change but no line:
:func:`kpi_trends` says which metrics it could not date rather than drawing a flat line.

Periods are calendar months or quarters; a quarter counts only when the data covers all three of
its months (the current, unfinished quarter is never compared with a full one). Flows (openings,
closures, transactions) are summed over the period, stocks (customers on the books) taken at its
end, rates recomputed from the period's sums.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from crm_core.charts import whole_number_ticks
from crm_core.prepare import PreparedDataset
from crm_core.text_safety import safe_chart

TREND_METRICS: tuple[tuple[str, str, str], ...] = (
    ("customers_on_books", "count", "stock"),
    ("new_customers", "count", "flow"),
    ("closures", "count", "flow"),
    ("transactions", "count", "flow"),
    ("off_counter_rate", "share", "rate"),
)
"""(metric, unit, kind) of every line: a stock is read at the period's end, a flow summed, a rate recomputed."""

FREQUENCIES = ("month", "quarter")


@dataclass(frozen=True, eq=False)
class KpiTrends:
    """Monthly KPI lines of one prepared dataset.

    Attributes
    ----------
    monthly : pandas.DataFrame
        ``month`` (first day) and one column per dated metric, months the data covers, in order.
        ``counter_transactions`` rides along so quarterly rates are recomputed from sums.
    undated : tuple of str
        Metrics of ``TREND_METRICS`` the extract cannot date (no open / close dates, no activity).
    """

    monthly: pd.DataFrame
    undated: tuple[str, ...]

    @property
    def metrics(self) -> tuple[str, ...]:
        """The dated metrics, in display order."""
        return tuple(m for m, _, _ in TREND_METRICS if m in self.monthly.columns)


def _month_ends(months: pd.DatetimeIndex) -> np.ndarray:
    return (months + pd.offsets.MonthEnd(0) + pd.Timedelta(hours=23, minutes=59, seconds=59)).to_numpy()


def _monthly_sums(grid: pd.DataFrame, months: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Transactions and counter transactions of each month of ``months``, summed over the grid's rows.

    A month or channel without rows counts 0 (as the month-by-channel pivot table this replaces read;
    ``numpy.bincount`` saves that table's 20 ms of overhead on every filtered refresh at 1M customers).
    """
    position = months.get_indexer(pd.DatetimeIndex(grid["month"]))
    inside = position >= 0
    position = position[inside]
    transactions = grid["transactions"].to_numpy(dtype=float)[inside]
    counter = (grid["channel"] == "counter").to_numpy(dtype=bool)[inside]
    size = len(months)
    total = np.bincount(position, weights=transactions, minlength=size)
    at_counter = np.bincount(position[counter], weights=transactions[counter], minlength=size)
    return total.astype(float), at_counter.astype(float)  # bincount of no rows is integer


def kpi_trends(prepared: PreparedDataset) -> KpiTrends:
    """Return the monthly lines of the headline KPIs the data dates.

    Parameters
    ----------
    prepared : PreparedDataset
        The prepared (possibly filtered) dataset.

    Returns
    -------
    KpiTrends
        Months from the first activity month (else the earliest open date, at most 36 months back)
        to the as-of month.
    """
    customers = prepared.customers
    has_open = prepared.has("open_date")
    has_close = prepared.has("closed_date")
    grid = prepared.monthly_channels
    if grid is not None and len(grid):
        first = pd.Timestamp(grid["month"].min())
    elif has_open:
        first = max(pd.Timestamp(customers["open_date"].min()), prepared.as_of - pd.DateOffset(months=35))
    else:
        return KpiTrends(
            pd.DataFrame({"month": pd.Series(dtype="datetime64[ns]")}), tuple(m for m, _, _ in TREND_METRICS)
        )
    months = pd.date_range(first.to_period("M").to_timestamp(), prepared.as_of, freq="MS")
    frame = pd.DataFrame({"month": months})
    undated = []
    if has_open and prepared.dated:
        ends = _month_ends(months)
        opened = customers["open_date"].to_numpy(dtype="datetime64[ns]")
        closed = (
            customers["closed_date"].to_numpy(dtype="datetime64[ns]")
            if has_close
            else np.full(len(customers), np.datetime64("NaT"), dtype="datetime64[ns]")
        )
        known = ~np.isnat(opened)
        order_open = np.sort(opened[known])
        order_close = np.sort(closed[~np.isnat(closed)])
        opened_by = np.searchsorted(order_open, ends, side="right")
        closed_by = np.searchsorted(order_close, ends, side="right")
        starts = months.to_numpy()
        frame["customers_on_books"] = opened_by - closed_by if known.all() else np.nan
        frame["new_customers"] = opened_by - np.searchsorted(order_open, starts, side="left")
        if has_close:
            frame["closures"] = closed_by - np.searchsorted(order_close, starts, side="left")
        else:
            undated.append("closures")
        if not known.all():
            undated.append("customers_on_books")
            frame = frame.drop(columns="customers_on_books")
    else:
        undated += ["customers_on_books", "new_customers", "closures"]
    if grid is not None and len(grid):
        frame["transactions"], frame["counter_transactions"] = _monthly_sums(grid, months)
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["off_counter_rate"] = np.where(
                frame["transactions"] > 0, 1 - frame["counter_transactions"] / frame["transactions"], np.nan
            )
    else:
        undated += ["transactions", "off_counter_rate"]
    return KpiTrends(frame.reset_index(drop=True), tuple(m for m, _, _ in TREND_METRICS if m in undated))


def period_lines(trends: KpiTrends, frequency: str = "month") -> pd.DataFrame:
    """Return the lines by month or by complete quarter.

    Examples
    --------
    >>> monthly = pd.DataFrame({"month": pd.date_range("2025-01-01", periods=7, freq="MS"),
    ...                         "new_customers": [1, 2, 3, 4, 5, 6, 7]})
    >>> period_lines(KpiTrends(monthly, ()), "quarter")["new_customers"].tolist()
    [6, 15]
    """
    if frequency not in FREQUENCIES:
        raise ValueError(f"frequency must be one of {', '.join(FREQUENCIES)}, got {frequency!r}")
    monthly = trends.monthly
    if frequency == "month" or monthly.empty:
        return monthly.rename(columns={"month": "period"}).reset_index(drop=True)
    # Quarters by number (months since 1970 // 3), summed with numpy into one new frame: a pandas
    # group-by cost about 15 ms of overhead per call on every rerun of the Overview, for a dozen rows.
    quarter = monthly["month"].to_numpy(dtype="datetime64[M]").astype(np.int64) // 3
    keys, inverse, counts = np.unique(quarter, return_inverse=True, return_counts=True)
    complete = counts[inverse] == 3
    if not complete.any():  # not one complete quarter in the data
        return monthly.rename(columns={"month": "period"})[complete].reset_index(drop=True)
    kinds = {m: k for m, _, k in TREND_METRICS}
    members = [np.flatnonzero(quarter == key) for key in keys[counts == 3]]
    columns = {"period": pd.PeriodIndex.from_ordinals(keys[counts == 3], freq="Q").to_timestamp()}
    for column in monthly.columns:
        if column == "month":
            continue
        values = monthly[column].to_numpy()
        if kinds.get(column) == "stock":  # the quarter's last known value
            known = [rows[~pd.isna(values[rows])] for rows in members]
            picked = [values[rows[-1]] if len(rows) else np.nan for rows in known]
        else:  # summed over the quarter, missing values left out
            picked = [values[rows][~pd.isna(values[rows])].sum() for rows in members]
        columns[column] = np.asarray(picked, dtype=values.dtype)
    if "off_counter_rate" in columns:
        with np.errstate(divide="ignore", invalid="ignore"):
            total, counter = columns["transactions"], columns["counter_transactions"]
            columns["off_counter_rate"] = np.where(total > 0, 1 - counter / total, np.nan)
    return pd.DataFrame(columns)


def period_deltas(trends: KpiTrends, frequency: str = "quarter") -> pd.DataFrame:
    """Return each dated metric's latest period against the one before and the same period a year earlier.

    Returns
    -------
    pandas.DataFrame
        ``metric``, ``unit``, ``period``, ``value``, ``previous`` (the period before), ``change``
        (relative for counts, in points for rates), ``year_ago``, ``yoy`` (same); NaN where the data
        does not reach back.
    """
    lines = period_lines(trends, frequency)
    rows = []
    step = 1
    year = 12 if frequency == "month" else 4
    for metric, unit, _ in TREND_METRICS:
        if metric not in lines or lines.empty:
            continue
        values = lines[metric].to_numpy(dtype=float)
        latest = values[-1]
        previous = values[-1 - step] if len(values) > step else math.nan
        year_ago = values[-1 - year] if len(values) > year else math.nan

        def change(now: float, then: float, unit: str = unit) -> float:
            if unit == "share":
                return now - then
            return now / then - 1 if then and math.isfinite(then) else math.nan

        rows.append(
            (metric, unit, lines["period"].iloc[-1], latest, previous, change(latest, previous), year_ago,
             change(latest, year_ago))
        )  # fmt: skip
    return pd.DataFrame(rows, columns=["metric", "unit", "period", "value", "previous", "change", "year_ago", "yoy"])


def subplot_grid(rows: int, titles: list[str], vertical_spacing: float = 0.14, cols: int = 2) -> dict:
    """Return the layout ``plotly.subplots.make_subplots(rows, cols, subplot_titles=titles, vertical_spacing)``
    makes: an x and y axis per cell (``xaxis``, ``xaxis2``, ... row by row from the top) with its domain, and a
    title annotation above each cell.

    ``make_subplots`` validates its layout property by property (35 ms of every Overview rerun for six
    cells); ``go.Figure(layout=...)`` validates this dict once. ``tests/test_trends.py`` checks the figure
    equals the ``make_subplots`` one.

    Examples
    --------
    >>> grid = subplot_grid(2, ["a", "b", "c"])
    >>> grid["xaxis2"], grid["yaxis3"]["domain"], [a["text"] for a in grid["annotations"]]
    ({'anchor': 'y2', 'domain': [0.55, 1.0]}, [0.0, 0.43], ['a', 'b', 'c'])
    """
    horizontal_spacing = 0.2 / cols  # make_subplots' default, and its arithmetic below
    widths = [(1.0 - horizontal_spacing * (cols - 1)) / cols] * cols
    heights = [(1.0 - vertical_spacing * (rows - 1)) / rows] * rows
    layout: dict = {}
    annotations = []
    for cell in range(rows * cols):
        row, col = divmod(cell, cols)
        below = rows - 1 - row  # rows under this one (the grid is laid out from the bottom)
        x_start = sum(widths[:col]) + col * horizontal_spacing
        y_start = sum(heights[:below]) + below * vertical_spacing
        x_domain = [x_start, x_start + widths[col]]
        y_domain = [min(max(y_start, 0.0), 1.0), min(max(y_start + heights[below], 0.0), 1.0)]
        suffix = str(cell + 1) if cell else ""
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": x_domain}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": y_domain}
        if cell < len(titles) and titles[cell]:
            annotations.append(
                {"font": {"size": 16}, "showarrow": False, "text": titles[cell], "x": sum(x_domain) / 2.0,
                 "xanchor": "center", "xref": "paper", "y": y_domain[1], "yanchor": "bottom", "yref": "paper"}
            )  # fmt: skip
    layout["annotations"] = annotations
    return layout


@safe_chart
def trend_figure(lines: pd.DataFrame, metrics: tuple[str, ...], titles: dict[str, str], share_metrics=()) -> go.Figure:
    """Return small multiples, one line per metric (two per row), of ``period_lines`` output.

    Parameters
    ----------
    lines : pandas.DataFrame
        ``period`` and one column per metric.
    metrics : tuple of str
        The metrics to draw, in order.
    titles : dict
        Metric → its name in the reader's language.
    share_metrics : iterable of str
        Metrics drawn as percentages.
    """
    rows = max(1, math.ceil(len(metrics) / 2))
    layout = subplot_grid(rows, [titles[m] for m in metrics])
    traces = []
    for i, metric in enumerate(metrics):
        suffix = str(i + 1) if i else ""
        traces.append(
            go.Scatter(
                x=lines["period"], y=lines[metric], mode="lines+markers", name=titles[metric], showlegend=False,
                xaxis=f"x{suffix}", yaxis=f"y{suffix}",
            )
        )  # fmt: skip
        # whole numbers written out (plotly's "200k" is not how a Chinese page writes 20万)
        if metric in share_metrics:
            layout[f"yaxis{suffix}"]["tickformat"] = ".0%"
        else:
            layout[f"yaxis{suffix}"].update({"tickformat": ",.0f", **whole_number_ticks(lines[metric])})
    layout.update(height=230 * rows, margin={"l": 10, "r": 10, "t": 40, "b": 10}, hovermode="x unified")
    return go.Figure(data=traces, layout=layout)
