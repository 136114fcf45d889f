"""Plotly figures built from small aggregates, never from customer rows.

Every function takes the labels it shows (already translated) so the figures stay
language-neutral and testable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from crm_core.contract import CHANNELS
from crm_core.text_safety import safe_chart

CHANNEL_COLOURS: Mapping[str, str] = {
    "counter": "#C0392B",
    "atm": "#7F8C8D",
    "mobile": "#2471A3",
    "online": "#17A589",
    "phone": "#B7950B",
}


def money_ticks(values, count: int = 5) -> list[float]:
    """Return round tick values (1, 2, 2.5 or 5 times a power of ten apart) covering ``values`` and 0.

    Examples
    --------
    >>> money_ticks([0, 9_058_000])
    [0.0, 2000000.0, 4000000.0, 6000000.0, 8000000.0, 10000000.0]
    >>> money_ticks([float("nan")])
    [0.0]
    """
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    low, high = min([0.0, *finite]), max([0.0, *finite])
    if high == low:
        return [low]
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [float(k * step) for k in range(first, last + 1)]


@safe_chart
def with_money_axis(figure: go.Figure, axis: str, lang: str) -> go.Figure:
    """Return ``figure`` with its ``axis`` ("x" or "y") ticking money as the page writes it (万/亿 or K/M/B).

    Plotly writes "100k" on a Chinese page; the ticks are placed by ``money_ticks`` and written by
    ``format_money`` in the currency in force.

    Examples
    --------
    >>> fig = with_money_axis(go.Figure(go.Bar(x=[120_000, 480_000], y=["a", "b"], orientation="h")), "x", "zh")
    >>> list(fig.layout.xaxis.ticktext)[:3]
    ['¥0', '¥10万', '¥20万']
    """
    from crm_core.formatting import format_money

    values = []
    for trace in figure.data:
        data = getattr(trace, axis, None)
        if data is not None:
            values += pd.to_numeric(pd.Series(list(data)), errors="coerce").dropna().tolist()
    ticks = money_ticks(values)
    figure.layout[f"{axis}axis"].update(tickvals=ticks, ticktext=[format_money(t, lang) for t in ticks])
    return figure


MONTH_TICKS: Mapping[str, str] = {"en": "%b %Y", "zh": "%Y年%-m月"}
"""d3 time format of a month on a date axis, by language ("Jan 2024" / "2024年1月")."""


def _is_dates(values) -> bool:
    if values is None or len(values) == 0:
        return False
    first = values[0]
    if isinstance(first, pd.Timestamp | pd.Period):
        return True
    if isinstance(values, np.ndarray) and values.dtype.kind != "O":  # a typed array says it itself
        return values.dtype.kind == "M"  # (a Series made of it to ask cost 0.5 ms a trace on every rerun)
    return pd.api.types.is_datetime64_any_dtype(pd.Series(values))


@safe_chart
def with_dated_axes(figure: go.Figure, lang: str) -> go.Figure:
    """Return ``figure`` with every date axis ticking and hovering months in ``lang`` (modified in place).

    Plotly formats date ticks in English ("Jan 2024") unless told otherwise; a Chinese page
    reads "2024年1月".

    Examples
    --------
    >>> fig = go.Figure(go.Scatter(x=pd.to_datetime(["2024-01-01", "2024-02-01"]), y=[1, 2]))
    >>> with_dated_axes(fig, "zh").layout.xaxis.tickformat
    '%Y年%-m月'
    """
    fmt = MONTH_TICKS.get(lang, MONTH_TICKS["en"])
    for trace in figure.data:
        for axis_letter in ("x", "y"):
            values = getattr(trace, axis_letter, None)
            if values is not None and _is_dates(values):
                name = (getattr(trace, f"{axis_letter}axis", None) or axis_letter).replace(
                    axis_letter, f"{axis_letter}axis"
                )
                figure.layout[name].update(tickformat=fmt, hoverformat=fmt, **month_ticks(values))
    return figure


@safe_chart
def with_plain_numbers(figure: go.Figure) -> go.Figure:
    """Return ``figure`` with number axes written out ("30,000", not plotly's "30k"; modified in place).

    Plotly's default SI suffixes (k, M, G) are not how either language writes a count, and a
    Chinese reader would write 3万. Axes that already have a format, their own tick texts
    (money axes: ``with_money_axis``), dates or categories are left alone.

    Examples
    --------
    >>> fig = with_plain_numbers(go.Figure(go.Scatter(x=[1, 2], y=[10_000, 30_000])))
    >>> fig.layout.yaxis.tickformat, fig.layout.xaxis.tickformat
    (',~r', ',~r')
    >>> with_plain_numbers(go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))).layout.xaxis.tickformat is None
    True
    """
    numeric: set[str] = set()
    for trace in figure.data:
        for letter in ("x", "y"):
            values = getattr(trace, letter, None)
            if values is None or len(values) == 0 or _is_dates(values):
                continue
            if pd.api.types.is_numeric_dtype(pd.Series(np.asarray(values)[:50])):
                numeric.add((getattr(trace, f"{letter}axis", None) or letter).replace(letter, f"{letter}axis"))
    for name in sorted(numeric):
        axis = figure.layout[name]
        if axis.tickformat or axis.tickvals is not None or axis.type in ("date", "category", "log"):
            continue
        axis.update(tickformat=",~r")
    return figure


def month_ticks(values) -> dict:
    """Ticks a whole number of months apart (1, 2, 3, 6, 12 or 24), at most about 8 of them.

    Plotly's own ticks on a short span fall every half month, which a month-only format prints
    twice ("Jan 1995, Jan 1995, Feb 1995").

    Examples
    --------
    >>> month_ticks(pd.to_datetime(["1995-01-01", "1995-06-01"]))
    {'dtick': 'M1', 'tick0': '1995-01-01'}
    >>> month_ticks(pd.date_range("2023-01-01", periods=36, freq="MS"))["dtick"]
    'M6'
    """
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":  # typed: no Series to build on each rerun
        known = values[~np.isnat(values)]
        if not len(known):
            return {}
        first, last = pd.Timestamp(known.min()), pd.Timestamp(known.max())
    else:
        months = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(values)), errors="coerce").dropna())
        if months.empty:
            return {}
        first, last = months.min(), months.max()
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    step = next((k for k in (1, 2, 3, 6, 12) if span / k <= 8), 24)
    return {"dtick": f"M{step}", "tick0": first.to_period("M").start_time.strftime("%Y-%m-%d")}


def whole_number_ticks(values) -> dict:
    """Ticks one apart when whole numbers span less than five (plotly's half steps print twice as ",.0f").

    Examples
    --------
    >>> whole_number_ticks([33, 34]), whole_number_ticks([0, 1000])
    ({'dtick': 1}, {})
    """
    numbers = pd.to_numeric(pd.Series(list(values)), errors="coerce").dropna()
    if numbers.empty or numbers.max() - numbers.min() >= 5:
        return {}
    return {"dtick": 1}


@safe_chart
def channel_trend_figure(
    totals: pd.DataFrame,
    channel_labels: Mapping[str, str],
    title: str,
    y_title: str,
) -> go.Figure:
    """Return a line chart of monthly transactions, one line per channel.

    Parameters
    ----------
    totals : pandas.DataFrame
        ``month``, ``channel``, ``transactions`` (see ``monthly_channel_totals``).
    channel_labels : mapping
        Display name per channel code.
    title, y_title : str
        Chart and axis titles.
    """
    figure = go.Figure()
    for channel in CHANNELS:
        part = totals[totals["channel"] == channel]
        if part.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=part["month"],
                y=part["transactions"],
                name=channel_labels.get(channel, channel),
                mode="lines",
                line={"color": CHANNEL_COLOURS[channel], "width": 3 if channel == "counter" else 2},
            )
        )
    figure.update_layout(
        title=title,
        yaxis_title=y_title,
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.15},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=340,
    )
    return figure


@safe_chart
def channel_mix_figure(mix: pd.DataFrame, channel_labels: Mapping[str, str], title: str) -> go.Figure:
    """Return a horizontal bar of each channel's share of transactions (``overview.channel_mix_from_counts``)."""
    figure = go.Figure(
        go.Bar(
            x=mix["share"],
            y=[channel_labels.get(c, c) for c in mix["channel"]],
            orientation="h",
            marker_color=[CHANNEL_COLOURS.get(c, "#888888") for c in mix["channel"]],
            text=[f"{v:.0%}" for v in mix["share"]],
            textposition="outside",
        )
    )
    figure.update_layout(title=title, xaxis={"tickformat": ".0%", "rangemode": "tozero"}, height=260,
                         margin={"l": 10, "r": 40, "t": 50, "b": 10})  # fmt: skip
    return figure
