"""Figures of the visits page, built from small aggregates; every label is passed in (already translated)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from crm_core.charts import CHANNEL_COLOURS, channel_trend_figure
from crm_core.text_safety import safe_chart

BENCHMARK_COLOUR = "#6C3483"
MOVED_COLOUR = CHANNEL_COLOURS["mobile"]
GONE_COLOUR = "#922B21"
LATER_DECLINE_COLOUR = "#E6B0AA"
"""A decline told apart from the steepest (its interval does not overlap)."""
RISE_COLOUR = CHANNEL_COLOURS["online"]


def _layout(figure: go.Figure, title: str, height: int = 360) -> go.Figure:
    figure.update_layout(
        title=title,
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.18},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=height,
    )
    return figure


@safe_chart
def channel_benchmark_figure(
    trend: pd.DataFrame,
    rates: pd.DataFrame,
    channel_labels: Mapping[str, str],
    labels: Mapping[str, str],
) -> go.Figure:
    """Return monthly transactions per channel (left axis) with the off-counter rate and its benchmark (right axis).

    Parameters
    ----------
    trend : pandas.DataFrame
        ``month``, ``channel``, ``transactions`` for one group (``channel_trend(prepared, "bank")``).
    rates : pandas.DataFrame
        ``off_counter_rates`` output.
    channel_labels : mapping
        Display name per channel code.
    labels : mapping
        ``title``, ``y_title``, ``rate_title``, ``rate`` and ``benchmark`` (trace names).
    """
    # The channel lines are the Overview's chart; this one adds the rate and its benchmark on a second axis.
    figure = channel_trend_figure(trend, channel_labels, labels["title"], labels["y_title"])
    figure.add_trace(
        go.Scatter(
            x=rates["month"],
            y=rates["off_counter_rate"] * 100,
            name=labels["rate"],
            mode="lines+markers",
            line={"color": "#212F3D", "width": 2},
            yaxis="y2",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=rates["month"],
            y=rates["benchmark"] * 100,
            name=labels["benchmark"],
            mode="lines",
            line={"color": BENCHMARK_COLOUR, "dash": "dash", "width": 2},
            yaxis="y2",
        )
    )
    figure.update_layout(
        yaxis={"title": labels["y_title"]},
        yaxis2={
            "title": labels["rate_title"],
            "overlaying": "y",
            "side": "right",
            "ticksuffix": "%",
            "tickformat": ".0f",
            "rangemode": "nonnegative",
        },
    )
    return _layout(figure, labels["title"], 380)


@safe_chart
def decline_ranking_figure(table: pd.DataFrame, title: str, x_title: str, group_title: str = "") -> go.Figure:
    """Return a horizontal bar per group of the fitted % change per year, steepest decline on top,
    with the confidence interval as error bars. Groups without a rate are left out.

    Falling groups whose interval overlaps the steepest one's (``among_steepest``) are dark, the
    other falling groups light: the dark block is what the data cannot rank.

    Parameters
    ----------
    table : pandas.DataFrame
        ``group_declines`` / ``branch_declines`` output.
    """
    rated = table[table["annual_change"].notna()].sort_values("annual_change", ascending=False, kind="stable")
    value = rated["annual_change"].to_numpy() * 100
    upper = np.nan_to_num(rated["upper"].to_numpy() * 100 - value)
    lower = np.nan_to_num(value - rated["lower"].to_numpy() * 100)
    leading = rated["among_steepest"].to_numpy(dtype=bool) if "among_steepest" in rated else value < 0
    colours = np.where(leading, CHANNEL_COLOURS["counter"], np.where(value < 0, LATER_DECLINE_COLOUR, RISE_COLOUR))
    figure = go.Figure(
        go.Bar(
            x=value,
            y=rated["group"].astype(str),
            orientation="h",
            marker={"color": colours},
            error_x={"type": "data", "symmetric": False, "array": upper, "arrayminus": lower, "color": "#424949"},
            text=[f"{v:+.1f}%" for v in value],
            # Inside, at the zero end: the interval's whisker sits at the bar's far end.
            textposition="inside",
            insidetextanchor="start",
            textfont={"color": "white"},
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        )
    )
    figure.update_layout(xaxis={"title": x_title, "ticksuffix": "%"}, yaxis={"title": group_title}, showlegend=False)
    _layout(figure, title, max(300, 26 * len(rated) + 120))
    figure.update_layout(hovermode="closest")
    return figure


@safe_chart
def forecast_figure(history: pd.DataFrame, forecast: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """Return actual counter transactions, the fitted trend, and the forecast as a dashed continuation with its band.

    Parameters
    ----------
    history : pandas.DataFrame
        ``fitted_history`` output (``month``, ``actual``, ``fitted``).
    forecast : pandas.DataFrame
        ``counter_forecast`` output (``month``, ``forecast``, ``lower``, ``upper``).
    labels : mapping
        ``title``, ``y_title``, ``actual``, ``fitted``, ``forecast``, ``band``; with ``curved`` the
        curved alternative (``curved`` columns of both frames) is drawn dotted across history and forecast.
    """
    colour = CHANNEL_COLOURS["counter"]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(x=history["month"], y=history["actual"], name=labels["actual"], mode="lines", line={"color": colour})
    )
    figure.add_trace(
        go.Scatter(
            x=history["month"],
            y=history["fitted"],
            name=labels["fitted"],
            mode="lines",
            line={"color": "#7B7D7D", "width": 1},
        )
    )
    if not forecast.empty:
        # The band first (upper, then lower filled up to it), so the dashed line draws on top.
        figure.add_trace(
            go.Scatter(
                x=forecast["month"],
                y=forecast["upper"],
                mode="lines",
                line={"width": 0},
                showlegend=False,
                hoverinfo="skip",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=forecast["month"],
                y=forecast["lower"],
                name=labels["band"],
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor="rgba(192, 57, 43, 0.18)",
            )
        )
        # Start the dashed line at the last actual month so it continues the solid one.
        x = pd.concat([history["month"].iloc[-1:], forecast["month"]], ignore_index=True)
        y = np.r_[history["actual"].iloc[-1:].to_numpy(dtype=float), forecast["forecast"].to_numpy(dtype=float)]
        figure.add_trace(
            go.Scatter(x=x, y=y, name=labels["forecast"], mode="lines", line={"color": colour, "dash": "dash"})
        )
    if "curved" in labels and "curved" in history and history["curved"].notna().any():
        figure.add_trace(
            go.Scatter(
                x=pd.concat([history["month"], forecast["month"]], ignore_index=True),
                y=np.r_[history["curved"].to_numpy(dtype=float), forecast["curved"].to_numpy(dtype=float)],
                name=labels["curved"],
                mode="lines",
                line={"color": "#7B7D7D", "width": 1.5, "dash": "dot"},
            )
        )
    figure.update_layout(yaxis={"title": labels["y_title"], "rangemode": "tozero"})
    return _layout(figure, labels["title"])


@safe_chart
def substitution_figure(flows: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """Return stacked horizontal bars per segment: lost counter volume split into moved to digital and gone.

    Parameters
    ----------
    flows : pandas.DataFrame
        ``substitution_flows`` output (the total row, code -1, is left out).
    labels : mapping
        ``title``, ``x_title``, ``moved``, ``gone``.
    """
    rows = flows[flows["code"] >= 0]
    figure = go.Figure()
    for column, colour in (("moved_to_digital", MOVED_COLOUR), ("gone", GONE_COLOUR)):
        figure.add_trace(
            go.Bar(
                x=rows[column],
                y=rows["group"].astype(str),
                orientation="h",
                name=labels["moved" if column == "moved_to_digital" else "gone"],
                marker={"color": colour},
            )
        )
    figure.update_layout(barmode="stack", xaxis={"title": labels["x_title"]})
    _layout(figure, labels["title"], max(280, 34 * len(rows) + 130))
    figure.update_layout(hovermode="y unified")
    return figure
