"""Service figures from the view's small per-unit frames; labels come in translated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from crm_core.text_safety import plotly_text, safe_chart

MEASURE_COLUMNS: dict[str, tuple[str, bool]] = {
    "satisfied": ("satisfied_share", True),
    "complaints": ("complaints_per_100", False),
}
"""Measure → (value column, higher is better). Its interval is ``<measure>_low`` / ``<measure>_high``."""

COMPARISON_COLOURS: dict[str, str] = {"better": "#1E8449", "worse": "#C0392B", "level": "#95A5A6", "": "#95A5A6"}
REFERENCE_COLOURS: tuple[str, ...] = ("#34495E", "#2874A6")


@safe_chart
def unit_interval_figure(
    table: pd.DataFrame,
    measure: str,
    title: str,
    axis_title: str,
    names: Mapping[str, str] | None = None,
    references: Sequence[tuple[str, float]] = (),
) -> go.Figure:
    """Return one bar per unit with its interval as whiskers, best at the top, and reference lines.

    Bars are coloured by the unit's comparison with the bank (``<measure>_vs_bank``): green
    better, red worse, grey when its interval holds the bank's value. Shares are drawn in percent.

    Parameters
    ----------
    table : pandas.DataFrame
        ``ServiceView.branches`` or ``.groups``; units without a figure for the measure are left out.
    measure : {"satisfied", "complaints"}
    title, axis_title : str
    names : mapping, optional
        Unit value → display name.
    references : sequence of (str, float)
        Dashed vertical lines (the bank, the benchmark) in the measure's units (shares 0–1), named
        in the legend.

    Examples
    --------
    >>> table = pd.DataFrame({"unit": ["a", "b"], "satisfied_share": [0.5, 0.7], "satisfied_low": [0.4, 0.6],
    ...     "satisfied_high": [0.6, 0.8], "satisfied_vs_bank": ["level", "better"]})
    >>> figure = unit_interval_figure(table, "satisfied", "T", "%", references=[("Bank", 0.55)])
    >>> list(figure.data[0].y), list(figure.data[0].x), round(figure.layout.shapes[0].x0, 6), figure.data[1].name
    (['b', 'a'], [70.0, 50.0], 55.0, 'Bank')
    """
    column, higher_better = MEASURE_COLUMNS[measure]
    scale = 100.0 if measure == "satisfied" else 1.0
    shown = table[table[column].notna()].sort_values(column, ascending=not higher_better, kind="stable")
    value = shown[column].to_numpy(dtype=float) * scale
    low = shown[f"{measure}_low"].to_numpy(dtype=float) * scale
    high = shown[f"{measure}_high"].to_numpy(dtype=float) * scale
    labels = [(names or {}).get(unit, unit) for unit in shown["unit"]]
    figure = go.Figure(
        go.Bar(
            x=value.tolist(),
            y=labels,
            orientation="h",
            marker={"color": [COMPARISON_COLOURS.get(code, "#95A5A6") for code in shown[f"{measure}_vs_bank"]]},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (high - value).tolist(),
                "arrayminus": (value - low).tolist(),
            },
            customdata=np.column_stack([low, high]).tolist() if len(shown) else None,
            hovertemplate="%{y}: %{x:.1f} (%{customdata[0]:.1f}–%{customdata[1]:.1f})<extra></extra>",
            showlegend=False,
        )
    )
    for (label, level), colour in zip(references, REFERENCE_COLOURS, strict=False):
        if level is None or not np.isfinite(level):
            continue
        line = {"dash": "dash", "color": colour, "width": 1.5}
        figure.add_vline(x=level * scale, line=line)
        # Named in the legend, not by an annotation: two close lines' labels would overlap each other or the bars.
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=line, name=plotly_text(label)))
    figure.update_layout(
        title=title,
        xaxis={"title": axis_title, "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "type": "category"},
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        height=max(300, 22 * len(shown) + 130),
    )
    return figure
