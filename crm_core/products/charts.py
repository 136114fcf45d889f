"""Product figures: plotly charts from small aggregates (segment × product tables, rankings).

Every function takes the (translated) labels it shows, so figures stay language-neutral.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from crm_core.text_safety import safe_chart

_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 50, "b": 10}, "height": 420}


def _names(codes, labels: Mapping[str, str] | None) -> list[str]:
    return [labels.get(c, c) if labels else c for c in map(str, codes)]


@safe_chart
def penetration_index_heatmap(
    index: pd.DataFrame, title: str, product_labels: Mapping[str, str] | None = None, colour_title: str = "index"
) -> go.Figure:
    """Return a heatmap of ``penetration_index`` (segments × products), centred on the bank (100).

    Colours run from 0 to 200 (twice the bank) and saturate beyond, so one very high index does
    not wash out the rest; the cell text keeps the true value.
    """
    values = index.to_numpy(dtype=float)
    figure = go.Figure(
        go.Heatmap(
            z=np.clip(values, 0, 200),
            zmin=0,
            zmax=200,
            x=_names(index.columns, product_labels),
            y=[str(g) for g in index.index],
            colorscale="RdBu",
            zmid=100,
            text=np.where(np.isnan(values), "", np.vectorize(lambda v: f"{v:.0f}")(np.nan_to_num(values))),
            texttemplate="%{text}",
            colorbar={"title": colour_title},
        )
    )
    figure.update_layout(title=title, **_LAYOUT)
    figure.update_yaxes(autorange="reversed")
    return figure


@safe_chart
def gap_figure(
    gaps: pd.DataFrame,
    group: str,
    title: str,
    x_title: str,
    penetration_label: str,
    benchmark_label: str,
    product_labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Return one segment's penetration per product as bars with the benchmark as markers.

    Parameters
    ----------
    gaps : pandas.DataFrame
        From ``penetration_gaps``; only rows of ``group`` are drawn.
    """
    part = gaps[gaps["group"] == group]
    names = _names(part["product"], product_labels)
    figure = go.Figure()
    figure.add_trace(go.Bar(y=names, x=part["penetration"], name=penetration_label, orientation="h"))
    figure.add_trace(
        go.Scatter(
            y=names,
            x=part["benchmark"],
            name=benchmark_label,
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 22, "line": {"width": 3}, "color": "#C0392B"},
        )
    )
    figure.update_layout(title=title, xaxis_title=x_title, legend={"orientation": "h"}, **_LAYOUT)
    figure.update_xaxes(tickformat=".0%")
    figure.update_yaxes(autorange="reversed")
    return figure


@safe_chart
def opportunity_figure(
    ranked: pd.DataFrame,
    title: str,
    x_title: str,
    product_labels: Mapping[str, str] | None = None,
    value_column: str = "opportunity_value",
) -> go.Figure:
    """Return horizontal bars of ``top_opportunities`` (largest at the top), labelled segment · product."""
    names = [f"{g} · {p}" for g, p in zip(ranked["group"], _names(ranked["product"], product_labels), strict=True)]
    figure = go.Figure(go.Bar(y=names, x=ranked[value_column], orientation="h", marker={"color": "#2471A3"}))
    figure.update_layout(title=title, xaxis_title=x_title, **_LAYOUT)
    figure.update_yaxes(autorange="reversed")
    return figure


@safe_chart
def lift_heatmap(lifts: pd.DataFrame, title: str, product_labels: Mapping[str, str] | None = None) -> go.Figure:
    """Return a heatmap of ``lift_matrix`` (rows: customers holding …, columns: … also hold), centred on 1."""
    values = lifts.to_numpy(dtype=float)
    shown = np.vectorize(lambda v: f"{v:.1f}", otypes=[str])(np.nan_to_num(values))  # otypes: no pair, no error
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=_names(lifts.columns, product_labels),
            y=_names(lifts.index, product_labels),
            colorscale="RdBu",
            zmid=1.0,
            text=np.where(np.isnan(values), "", shown),
            texttemplate="%{text}",
            colorbar={"title": "lift"},
        )
    )
    figure.update_layout(title=title, **_LAYOUT)
    figure.update_yaxes(autorange="reversed")
    return figure


@safe_chart
def model_quality_figure(
    quality: pd.DataFrame,
    title: str,
    auc_label: str = "ROC AUC",
    lift_label: str = "top-decile lift",
    product_labels: Mapping[str, str] | None = None,
    flagged_label: str = "flagged",
    min_auc: float = 0.6,
) -> go.Figure:
    """Return AUC (bars with their 95% interval, left axis) and top-decile lift (markers, right axis) per model.

    Usable models are blue; flagged ones (``quality["usable"]`` false: below ``min_auc`` or
    indistinguishable from chance) grey, as a separate trace named ``flagged_label``. A dotted
    line marks ``min_auc``.
    """
    names = np.array(_names(quality["product"], product_labels), dtype=object)
    usable = quality["usable"].to_numpy(dtype=bool) if "usable" in quality else np.ones(len(quality), dtype=bool)
    auc = quality["auc"].to_numpy(dtype=float)
    figure = go.Figure()
    for keep, name, colour in ((usable, auc_label, "#2471A3"), (~usable, flagged_label, "#B3B6B7")):
        if not keep.any():
            continue
        error = None
        if {"auc_low", "auc_high"} <= set(quality.columns):
            error = {
                "type": "data",
                "array": quality["auc_high"].to_numpy(dtype=float)[keep] - auc[keep],
                "arrayminus": auc[keep] - quality["auc_low"].to_numpy(dtype=float)[keep],
            }
        figure.add_trace(go.Bar(x=names[keep], y=auc[keep], name=name, marker={"color": colour}, error_y=error))
    figure.add_trace(
        go.Scatter(
            x=names,
            y=quality["top_decile_lift"],
            name=lift_label,
            mode="markers",
            yaxis="y2",
            marker={"size": 12, "color": "#C0392B"},
        )
    )
    figure.add_hline(y=min_auc, line_dash="dot", line_color="#999")
    figure.update_layout(
        title=title,
        yaxis={"title": auc_label, "range": [0, 1]},
        yaxis2={"title": lift_label, "overlaying": "y", "side": "right", "rangemode": "tozero"},
        xaxis={"categoryorder": "array", "categoryarray": list(names)},
        legend={"orientation": "h"},
        **_LAYOUT,
    )
    return figure
