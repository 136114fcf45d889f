"""Segment charts: plotly figures from profiles, curves and matrices (aggregates only).

Every function takes the (translated) names it shows, so figures stay language-neutral.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from crm_core.text_safety import safe_chart

_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 50, "b": 10}, "height": 380}


@safe_chart
def profile_index_figure(
    profiles: pd.DataFrame,
    measure_labels: Mapping[str, str],
    title: str,
    x_title: str = "index (bank = 100)",
) -> go.Figure:
    """Return grouped horizontal bars: one bar per group for each measure's index vs the bank.

    Parameters
    ----------
    profiles : pandas.DataFrame
        From ``group_profiles``; the suppressed row and empty groups are left out.
    measure_labels : mapping
        Measure (e.g. ``average_aum``) → display name, in the order to show.
    """
    shown = profiles[~profiles["suppressed"] & (profiles["customers"] > 0)]
    names = list(measure_labels.values())
    figure = go.Figure()
    for _, row in shown.iterrows():
        figure.add_trace(
            go.Bar(
                y=names,
                x=[row[f"{m}_index"] for m in measure_labels],
                name=str(row["group"]),
                orientation="h",
            )
        )
    figure.add_vline(x=100, line_dash="dash", line_color="#555")
    figure.update_layout(
        title=title, xaxis_title=x_title, barmode="group", legend={"orientation": "h", "y": -0.25}, **_LAYOUT
    )
    figure.update_yaxes(autorange="reversed")
    return figure


@safe_chart
def concentration_figure(
    curve: pd.DataFrame,
    title: str,
    x_title: str,
    y_title: str,
    curve_label: str = "AUM",
    equality_label: str = "equal shares",
) -> go.Figure:
    """Return the Lorenz curve of ``concentration_curve`` with the line of equality."""
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=equality_label, line={"dash": "dot", "color": "#999"})
    )
    figure.add_trace(
        go.Scatter(
            x=curve["customer_share"],
            y=curve["aum_share"],
            mode="lines",
            name=curve_label,
            fill="tonexty",
            line={"color": "#2471A3", "width": 3},
        )
    )
    figure.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, **_LAYOUT)
    figure.update_xaxes(tickformat=".0%", range=[0, 1])
    figure.update_yaxes(tickformat=".0%", range=[0, 1])
    return figure


@safe_chart
def migration_heatmap(counts: pd.DataFrame, title: str, x_title: str, y_title: str) -> go.Figure:
    """Return a heatmap of a migration matrix (rows = before, columns = after), counts written in cells."""
    figure = go.Figure(
        go.Heatmap(
            z=counts.to_numpy(),
            x=[str(c) for c in counts.columns],
            y=[str(i) for i in counts.index],
            colorscale="Blues",
            text=counts.to_numpy(),
            texttemplate="%{text:,}",
            showscale=False,
        )
    )
    figure.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, **_LAYOUT)
    figure.update_yaxes(autorange="reversed")
    return figure


@safe_chart
def silhouette_figure(
    scores: pd.DataFrame, title: str, x_title: str, y_title: str, chosen_k: int | None = None
) -> go.Figure:
    """Return silhouette score per k (from ``silhouette_scores``), the chosen k highlighted."""
    colours = ["#C0392B" if k == chosen_k else "#2471A3" for k in scores["k"]]
    figure = go.Figure(go.Bar(x=scores["k"], y=scores["silhouette"], marker_color=colours))
    figure.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, **_LAYOUT)
    figure.update_xaxes(dtick=1)
    return figure
