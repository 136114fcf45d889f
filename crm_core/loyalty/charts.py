"""Loyalty figures, built from small aggregates; every label is passed in already translated."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from crm_core.text_safety import safe_chart

QUADRANT_COLOURS = ("#1E8449", "#2471A3", "#D68910", "#7F8C8D")
BAND_COLOURS = {"high": "#C0392B", "medium": "#D68910", "low": "#7F8C8D"}
_MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}


@safe_chart
def stickiness_segment_figure(frame: pd.DataFrame, title: str, x_title: str, y_title: str) -> go.Figure:
    """Return a box-like chart of stickiness by segment (quartiles and mean) from ``stickiness_by_segment``."""
    figure = go.Figure(
        go.Box(
            x=frame["segment"],
            q1=frame["p25"],
            median=frame["median"],
            q3=frame["p75"],
            lowerfence=frame["p25"],
            upperfence=frame["p75"],
            mean=frame["mean"],
            marker_color="#2471A3",
            name=y_title,
        )
    )
    figure.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, margin=_MARGIN, height=340)
    return figure


@safe_chart
def calibration_figure(table: pd.DataFrame, title: str, x_title: str, y_title: str, ideal_name: str) -> go.Figure:
    """Return predicted versus observed churn per probability bin (``Evaluation.calibration``)."""
    top = float(max(table["mean_predicted"].max(), table["observed_rate"].max(), 0.01))
    figure = go.Figure(
        [
            go.Scatter(
                x=[0, top], y=[0, top], mode="lines", name=ideal_name, line={"dash": "dash", "color": "#7F8C8D"}
            ),
            go.Scatter(
                x=table["mean_predicted"], y=table["observed_rate"], mode="lines+markers", name=y_title,
                line={"color": "#C0392B"},
            ),
        ]
    )  # fmt: skip
    figure.update_layout(
        title=title, xaxis_title=x_title, yaxis_title=y_title, margin=_MARGIN, height=340,
        xaxis_tickformat=".0%", yaxis_tickformat=".0%",
    )  # fmt: skip
    return figure


@safe_chart
def lift_figure(table: pd.DataFrame, title: str, x_title: str, y_title: str) -> go.Figure:
    """Return lift by risk decile (``Evaluation.lift``), decile 1 the riskiest."""
    figure = go.Figure(go.Bar(x=table["decile"], y=table["lift"], marker_color="#C0392B", name=y_title))
    figure.add_hline(y=1.0, line_dash="dash", line_color="#7F8C8D")
    figure.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, margin=_MARGIN, height=340)
    return figure


@safe_chart
def risk_group_figure(frame: pd.DataFrame, title: str, x_title: str, y_title: str, top: int = 30) -> go.Figure:
    """Return high-risk share per group (segment or branch) from ``risk_by_group``, highest first."""
    part = frame[frame["scored"] > 0].sort_values("high_risk_share", ascending=False).head(top)
    figure = go.Figure(
        go.Bar(x=part["group"], y=part["high_risk_share"], marker_color=BAND_COLOURS["high"], name=y_title)
    )
    figure.update_layout(
        title=title, xaxis_title=x_title, yaxis_title=y_title, yaxis_tickformat=".0%", margin=_MARGIN, height=340
    )
    return figure


@safe_chart
def clv_quadrant_figure(
    sample: pd.DataFrame, quadrant_names: Sequence[str], title: str, x_title: str, y_title: str
) -> go.Figure:
    """Return the CLV (x) versus headroom to potential (y) scatter of ``quadrant_sample`` (≤ 5,000 points)."""
    figure = go.Figure()
    for code, name in enumerate(quadrant_names):
        part = sample[sample["quadrant"] == code]
        figure.add_trace(
            go.Scattergl(
                x=part["clv"], y=part["headroom"], mode="markers", name=name,
                marker={"size": 4, "opacity": 0.6, "color": QUADRANT_COLOURS[code % len(QUADRANT_COLOURS)]},
            )
        )  # fmt: skip
    figure.update_layout(
        title=title, xaxis_title=x_title, yaxis_title=y_title, xaxis_type="log", yaxis_type="log",
        margin=_MARGIN, height=400, legend={"orientation": "h", "y": -0.2},
    )  # fmt: skip
    return figure


@safe_chart
def what_if_figure(frame: pd.DataFrame, measure: str, title: str, x_title: str, y_title: str) -> go.Figure:
    """Return kept ``measure`` (``aum``, ``contribution`` or ``clv``) per segment with its range as error bars."""
    part = frame[frame["code"] >= 0]
    central = part[f"{measure}_kept"]
    figure = go.Figure(
        go.Bar(
            x=part["segment"],
            y=central,
            error_y={
                "type": "data", "symmetric": False,
                "array": part[f"{measure}_kept_high"] - central, "arrayminus": central - part[f"{measure}_kept_low"],
            },
            marker_color="#1E8449",
            name=y_title,
        )
    )  # fmt: skip
    figure.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, margin=_MARGIN, height=340)
    return figure
