"""Staff figures from the small ranking, status and guardrail frames; labels come in translated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from crm_core.staff.config import STATUS_COLOURS
from crm_core.staff.ranks import range_text
from crm_core.staff.status import STATUS_CODES
from crm_core.text_safety import plotly_text, safe_chart

RISE, FALL, STILL = "#1E8449", "#C0392B", "#95A5A6"


def ranking_display(
    table: pd.DataFrame, column_labels: Mapping[str, str], limit: int | None = None, not_ranked: str = "–"
) -> pd.DataFrame:
    """Return the ranking table ready to show: rounded scores, signed rank change, renamed columns.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of ``ranking_table``.
    column_labels : mapping
        Display name per column kept (``unit``, ``rank``, ``rank_range``, ``rank_change``,
        ``score``, the perspective columns, ``customers``, ``note`` …); columns without a
        label are dropped. ``rank_range`` is built from ``rank_low`` and ``rank_high``.
    limit : int, optional
        Keep the first ``limit`` rows (by rank).
    not_ranked : str
        Shown as the rank and rank range of rows not ranked (``ranked`` False): the caller's words.

    Examples
    --------
    >>> table = pd.DataFrame({"unit": ["a", "b"], "rank": [1, 2], "rank_change": [2, 0], "score": [71.234, 9.0],
    ...     "ranked": [True, False], "rank_low": pd.array([1, None], dtype="Int64"),
    ...     "rank_high": pd.array([3, None], dtype="Int64")})
    >>> labels = {"unit": "Unit", "rank": "Rank", "rank_range": "Range", "rank_change": "Change", "score": "Score"}
    >>> ranking_display(table, labels, not_ranked="-").to_dict("records")[1]
    {'Unit': 'b', 'Rank': '-', 'Range': '-', 'Change': '–', 'Score': 9.0}
    """
    shown = table.head(limit) if limit is not None else table
    shown = shown.assign(**({"rank_range": _range_texts(shown, not_ranked)} if "rank_low" in shown else {}))
    columns = [c for c in column_labels if c in shown.columns]
    out = shown[columns].copy()
    for column in out.columns:
        if out[column].dtype.kind == "f":
            out[column] = out[column].round(1)
    if "rank_change" in out:
        out["rank_change"] = [
            "–" if change == 0 else f"{'▲' if change > 0 else '▼'}{abs(change)}" for change in shown["rank_change"]
        ]
    if "rank" in out and "ranked" in shown:
        out["rank"] = [str(r) if ok else not_ranked for r, ok in zip(shown["rank"], shown["ranked"], strict=True)]
    return out.rename(columns=dict(column_labels)).reset_index(drop=True)


def _range_texts(table: pd.DataFrame, not_ranked: str) -> list[str]:
    low = table["rank_low"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    high = table["rank_high"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return [range_text(a, b, not_ranked) for a, b in zip(low, high, strict=True)]


@safe_chart
def rank_interval_figure(
    table: pd.DataFrame, title: str, x_title: str, units: Sequence[str] | None = None
) -> go.Figure:
    """Return each ranked unit's rank as a dot with its rank range as whiskers, best at the top.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of ``ranking_table`` (``unit``, ``rank``, ``rank_low``, ``rank_high``, ``ranked``).
    title, x_title : str
        Chart title and the rank axis title.
    units : sequence of str, optional
        Units to draw (a few dozen at most); all ranked units when omitted.
    """
    shown = table[table["ranked"].to_numpy(dtype=bool)]
    if units is not None:
        shown = shown[shown["unit"].isin(list(units))]
    shown = shown.sort_values("rank")
    rank = shown["rank"].to_numpy(dtype=float)
    low = shown["rank_low"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    high = shown["rank_high"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    names = [str(u) for u in shown["unit"]]
    figure = go.Figure(
        go.Scatter(
            x=rank,
            y=names,
            mode="markers",
            marker={"color": STILL, "size": 9},
            error_x={"type": "data", "symmetric": False, "array": high - rank, "arrayminus": rank - low},
            customdata=np.column_stack([low, high]),
            hovertemplate="%{y}: %{x} (%{customdata[0]}–%{customdata[1]})<extra></extra>",
            showlegend=False,
        )
    )
    figure.update_layout(
        title=title,
        xaxis={"title": x_title, "range": [0.5, max(len(table), 1) + 0.5]},
        yaxis={"autorange": "reversed", "type": "category"},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=max(300, 20 * len(shown) + 120),
    )
    return figure


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
    # A heatmap's cells cannot be selected: one nearly transparent marker per cell makes a click on a
    # cell select its unit (drill-through, ``on_select``), without changing what the chart shows.
    columns = [column_labels.get(c, c) for c in status.columns]
    units = [str(u) for u in status.index]
    figure.add_trace(
        go.Scatter(
            x=[c for _ in units for c in columns],
            y=[u for u in units for _ in columns],
            mode="markers",
            marker={"size": 22, "symbol": "square", "opacity": 0.01, "color": "#000000"},
            hoverinfo="none",  # clicks reach it ("skip" would drop them); the heatmap's own label shows
            showlegend=False,
        )
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
