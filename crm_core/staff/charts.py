"""Staff figures from the small ranking, status and guardrail frames; labels come in translated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from crm_core.staff.config import STATUS_COLOURS
from crm_core.staff.status import STATUS_CODES
from crm_core.text_safety import plotly_text, safe_chart

RISE, FALL, STILL = "#1E8449", "#C0392B", "#95A5A6"


def ranking_display(table: pd.DataFrame, column_labels: Mapping[str, str], limit: int | None = None) -> pd.DataFrame:
    """Return the ranking table ready to show: rounded scores, signed rank change, renamed columns.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of ``ranking_table``.
    column_labels : mapping
        Display name per column kept (``unit``, ``rank``, ``rank_change``, ``score``, the
        perspective columns, ``customers``, ``note`` …); columns without a label are dropped.
    limit : int, optional
        Keep the first ``limit`` rows (by rank).

    Examples
    --------
    >>> table = pd.DataFrame({"unit": ["a"], "rank": [1], "rank_change": [2], "score": [71.234]})
    >>> ranking_display(table, {"unit": "Unit", "rank_change": "Change", "score": "Score"}).to_dict("records")
    [{'Unit': 'a', 'Change': '▲2', 'Score': 71.2}]
    """
    shown = table.head(limit) if limit is not None else table
    columns = [c for c in column_labels if c in shown.columns]
    out = shown[columns].copy()
    for column in out.columns:
        if out[column].dtype.kind == "f":
            out[column] = out[column].round(1)
    if "rank_change" in out:
        out["rank_change"] = [
            "–" if change == 0 else f"{'▲' if change > 0 else '▼'}{abs(change)}" for change in shown["rank_change"]
        ]
    return out.rename(columns=dict(column_labels)).reset_index(drop=True)


@safe_chart
def rank_slope_figure(
    table: pd.DataFrame,
    title: str,
    baseline_label: str,
    current_label: str,
    y_title: str,
    units: Sequence[str] | None = None,
    highlight: Sequence[str] = (),
) -> go.Figure:
    """Return a slope (bump) chart: each unit's rank under the baseline and under the current weights.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of ``ranking_table`` (``unit``, ``rank``, ``baseline_rank``, ``rank_change``).
    title, baseline_label, current_label, y_title : str
        Chart title, the two x positions and the y-axis title.
    units : sequence of str, optional
        Units to draw (``selected_units`` picks ≤ 30 of thousands); all when omitted.
    highlight : sequence of str
        Units drawn thicker, whatever their move.
    """
    shown = table if units is None else table[table["unit"].isin(list(units))]
    figure = go.Figure()
    for row in shown.itertuples():
        colour = RISE if row.rank_change > 0 else FALL if row.rank_change < 0 else STILL
        width = 4 if row.unit in highlight else 1.5
        figure.add_trace(
            go.Scatter(
                x=[baseline_label, current_label],
                y=[row.baseline_rank, row.rank],
                mode="lines+markers+text",
                text=[f"{row.unit} ({row.baseline_rank})", f"{row.unit} ({row.rank})"],
                textposition=["middle left", "middle right"],
                line={"color": colour, "width": width},
                name=str(row.unit),
                showlegend=False,
                hovertemplate=f"{plotly_text(row.unit)}: %{{y}}<extra></extra>",  # templates are not walked
            )
        )
    figure.update_layout(
        title=title,
        yaxis={"title": y_title, "autorange": "reversed", "dtick": 1 if len(shown) <= 30 else None},
        xaxis={"range": [-0.8, 1.8]},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=max(360, 22 * len(shown) + 100),
    )
    return figure


@safe_chart
def scorecard_heat_figure(
    status: pd.DataFrame,
    cell_text: pd.DataFrame,
    column_labels: Mapping[str, str],
    status_labels: Mapping[str, str],
    title: str,
) -> go.Figure:
    """Return the heat table: units × indicators coloured by status, values written in the cells.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of ``indicator_status`` (pass the rows to show, at most a few dozen).
    cell_text : pandas.DataFrame
        Same shape, the formatted values (``scorecard_text``).
    column_labels : mapping
        Display name per indicator column.
    status_labels : mapping
        Display name per status (``green``, ``amber``, ``red``, ``none``) for the hover.
    title : str
        Chart title.
    """
    codes = status.replace(STATUS_CODES).to_numpy(dtype=float)
    hover = status.replace(dict(status_labels)).to_numpy(dtype=object)
    # Discrete colour bands over codes -1..2, each a quarter of the scale.
    order = ["none", "red", "amber", "green"]
    colourscale = []
    for i, name in enumerate(order):
        colourscale += [[i / 4, STATUS_COLOURS[name]], [(i + 1) / 4, STATUS_COLOURS[name]]]
    figure = go.Figure(
        go.Heatmap(
            z=codes,
            x=[column_labels.get(c, c) for c in status.columns],
            y=[str(u) for u in status.index],
            text=cell_text.to_numpy(dtype=object),
            texttemplate="%{text}",
            customdata=hover,
            hovertemplate="%{y} · %{x}: %{text} (%{customdata})<extra></extra>",
            colorscale=colourscale,
            zmin=-1.5,
            zmax=2.5,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    figure.update_layout(
        title=title,
        yaxis={"autorange": "reversed"},
        xaxis={"side": "top"},
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
        height=max(300, 26 * len(status) + 140),
    )
    return figure


@safe_chart
def guardrail_figure(
    guardrail: pd.DataFrame,
    title: str,
    x_title: str,
    y_title: str,
    flagged_label: str,
    other_label: str,
) -> go.Figure:
    """Return the guardrail scatter: sales score (x) against customer-outcome score (y).

    Flagged units are red and named; dashed lines mark the middle (50) of each score, so
    the bottom-right quadrant is "sells well, serves badly".

    Parameters
    ----------
    guardrail : pandas.DataFrame
        Output of ``guardrail_flags``.
    title, x_title, y_title : str
        Chart and axis titles.
    flagged_label, other_label : str
        Legend names of the two groups.
    """
    figure = go.Figure()
    for flagged, name, colour in ((False, other_label, STILL), (True, flagged_label, FALL)):
        part = guardrail[guardrail["flagged"] == flagged]
        if part.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=part["sales_score"],
                y=part["outcome_score"],
                mode="markers+text" if flagged else "markers",
                text=part["unit"].astype(str),
                textposition="top center",
                marker={"color": colour, "size": 11 if flagged else 8},
                name=name,
                hovertemplate="%{text}: %{x:.0f} / %{y:.0f}<extra></extra>",
            )
        )
    figure.add_hline(y=50, line={"dash": "dash", "color": STILL})
    figure.add_vline(x=50, line={"dash": "dash", "color": STILL})
    figure.update_layout(
        title=title,
        xaxis={"title": x_title, "range": [-5, 105]},
        yaxis={"title": y_title, "range": [-5, 105]},
        legend={"orientation": "h", "y": -0.15},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=420,
    )
    return figure
