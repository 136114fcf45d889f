"""Plotly figures built from small aggregates, never from customer rows.

Every function takes the labels it shows (already translated) so the figures stay
language-neutral and testable.
"""

from __future__ import annotations

from collections.abc import Mapping

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
