"""The report as plain data: key numbers, chart specs, steps, and the stamp every export carries.

A ``ChartSpec`` is what both renderers draw from: PowerPoint builds a native, editable chart
from it (``crm_core.report.deck``) and ``chart_figure`` builds the plotly figure for HTML and
PNG, so the two always show the same numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import pandas as pd
import plotly.graph_objects as go

from crm_core.catalog import text
from crm_core.charts import money_ticks
from crm_core.formatting import CURRENCY_SYMBOLS, format_count, format_day, format_money, format_share, priced_in
from crm_core.palette import with_palette
from crm_core.scenarios import scenario_label
from crm_core.text_safety import safe_chart

CHART_KINDS: tuple[str, ...] = ("bar", "line", "pie")
"""Chart kinds a ``ChartSpec`` may ask for (native PowerPoint charts exist for each)."""

NUMBER_FORMATS: dict[str, dict[str, str]] = {
    "count": {"en": "#,##0", "zh": "#,##0"},
    "share": {"en": "0.0%", "zh": "0.0%"},
    "index": {"en": "0", "zh": "0"},
    "ratio": {"en": "0.00", "zh": "0.00"},
    "rank": {"en": "0", "zh": "0"},
    # A trailing comma scales by 1,000 (",," = millions); a literal "\." before the last digit divides by
    # ten more, so "0\.0," reads 万 and "0\.00,," reads 亿 (rendered the same by PowerPoint and LibreOffice).
    "money": {
        "en": '[>=1000000]"¥"#,##0.0,,"M";[>=1000]"¥"#,##0.0,"K";"¥"#,##0',
        "zh": '[>=100000000]"¥"0\\.00,,"亿";[>=10000]"¥"0\\.0,"万";"¥"0',
    },
}
"""Excel/PowerPoint number format of each value kind, by language."""

AXIS_COUNT_FORMATS: dict[str, str] = {
    "en": '[>=1000000]#,##0.0,,"M";[>=1000]#,##0,"K";#,##0',
    "zh": '[>=100000000]0\\.00,,"亿";[>=100000]0\\.0,"万";#,##0',
}
"""Number format of a count axis by language: K / M in English, 万 / 亿 in Chinese (as ``format_count``
writes 万 from 100,000 on), so an axis of millions of transactions reads ``1.2M`` / ``120.0万``."""

TICK_FORMATS: dict[str, str] = {"count": ",.0f", "share": ".0%", "index": ".0f", "ratio": ".2f", "rank": "d"}
"""plotly (d3) axis tick format of each value kind (money ticks are written by ``format_money``)."""


class ExportError(ValueError):
    """An export that cannot be produced here (no browser for PNG, an unreadable template); the message says why."""


REPORT_TABLES: tuple[str, ...] = ("segments", "gaps", "opportunities", "risk", "ranking")
"""Keys of ``report_tables`` (and sheets of ``report_workbook``), in order."""


def format_value(value: float, kind: str, lang: str = "en") -> str:
    """Return a value as people read it: money in 万/亿 or K/M/B, shares in %, counts with separators.

    Examples
    --------
    >>> format_value(0.1234, "share"), format_value(125_000, "money", "zh"), format_value(3.456, "ratio")
    ('12.3%', '¥12.5万', '3.46')
    """
    if value is None or not math.isfinite(float(value)):
        return text("not_available", lang)
    if kind == "money":
        return format_money(float(value), lang)
    if kind == "share":
        return format_share(float(value), lang=lang)
    if kind in ("count", "rank"):
        return format_count(float(value), lang)
    if kind == "ratio":
        return f"{float(value):,.2f}"
    return f"{float(value):,.0f}"


@dataclass(frozen=True)
class KeyNumber:
    """One headline figure of a step.

    Parameters
    ----------
    label : str
        What it is, in the report's language.
    text : str
        The value as shown (``"¥1.2亿"``, ``"12.3%"``).
    value : float
        The raw value (NaN when the data cannot say).
    """

    label: str
    text: str
    value: float


@dataclass(frozen=True)
class ChartSpec:
    """A chart as plain data, drawable natively in PowerPoint and with plotly.

    Parameters
    ----------
    kind : {"bar", "line", "pie"}
    title : str
    categories : tuple of str
        Category axis labels (slices of a pie).
    series : tuple of (str, tuple of float)
        Series name and one value per category, in drawing order (a pie has one series).
        NaN marks a missing value.
    x_title, y_title : str
        Axis titles (ignored for a pie).
    value_kind : {"count", "share", "index", "ratio", "rank", "money"}
        How values read; decides the number formats.
    number_format : str
        Excel/PowerPoint number format of the values (from ``NUMBER_FORMATS`` by default).
    horizontal : bool
        Draw bars horizontally (long category names).
    secondary_kind : str
        A line chart only: when set, the last series is read against a second value axis on the
        right, whose values are of this kind (a rate on the left, a count on the right).
    secondary_title : str
        Title of that right-hand axis.
    secondary_format : str
        Its number format (from ``NUMBER_FORMATS`` by default).

    Examples
    --------
    >>> spec = ChartSpec("bar", "Customers", ("mass", "affluent"), (("customers", (80.0, 20.0)),))
    >>> spec.series_map()
    {'customers': (80.0, 20.0)}
    """

    kind: str
    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    x_title: str = ""
    y_title: str = ""
    value_kind: str = "count"
    number_format: str = ""
    horizontal: bool = False
    secondary_kind: str = ""
    secondary_title: str = ""
    secondary_format: str = ""

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"chart kind must be one of {', '.join(CHART_KINDS)}, got {self.kind!r}")
        for kind in (self.value_kind, self.secondary_kind or self.value_kind):
            if kind not in NUMBER_FORMATS:
                raise ValueError(f"value kind must be one of {', '.join(NUMBER_FORMATS)}, got {kind!r}")
        if self.secondary_kind and (self.kind != "line" or len(self.series) < 2):
            raise ValueError("a second value axis needs a line chart of at least two series")
        categories = tuple(str(c) for c in self.categories)
        series = tuple((str(name), tuple(float(v) for v in values)) for name, values in self.series)
        if any(len(values) != len(categories) for _, values in series):
            raise ValueError("every series needs one value per category")
        if self.kind == "pie" and len(series) != 1:
            raise ValueError("a pie chart has exactly one series")
        object.__setattr__(self, "categories", categories)
        object.__setattr__(self, "series", series)
        if not self.number_format:
            object.__setattr__(self, "number_format", NUMBER_FORMATS[self.value_kind]["en"])
        if self.secondary_kind and not self.secondary_format:
            object.__setattr__(self, "secondary_format", NUMBER_FORMATS[self.secondary_kind]["en"])

    def series_map(self) -> dict[str, tuple[float, ...]]:
        """Series name → values."""
        return dict(self.series)


@dataclass(frozen=True, eq=False)
class Step:
    """One step of the storyline, ready for any renderer.

    Attributes
    ----------
    key : str
        ``positioning``, ``tiering``, ``stickiness``, ``value_mining``, ``staff`` or ``guarantees``.
    title, headline : str
        Slide title and the computed one-sentence finding (with numbers).
    numbers : tuple of KeyNumber
        Up to four headline figures.
    chart : ChartSpec or None
        None when the data cannot support the step's chart (the headline says why).
    lang : str
        The language of the chart's value labels (``figure``).
    table : pandas.DataFrame or None
        A small display table: translated headers, values as text.
    notes : str
        Speaker notes, with the numbers behind the headline.
    available : bool
        False when the data lacks what the step needs.
    meeting_note : str
        The manager's note on this step (``Scenario.meeting_notes``), printed on the slide and in the notes.
    wide_table : bool
        The table holds whole sentences: the deck gives it the slide's width and leaves the chart
        to the HTML page (a sentence is never cut to fit a column).
    """

    key: str
    title: str
    headline: str
    numbers: tuple[KeyNumber, ...]
    chart: ChartSpec | None
    table: pd.DataFrame | None
    notes: str
    available: bool = True
    wide_table: bool = False
    meeting_note: str = ""
    lang: str = "en"

    def __post_init__(self) -> None:
        if len(self.numbers) > 4:
            raise ValueError("a step shows at most four key numbers")

    @cached_property
    def figure(self) -> go.Figure | None:
        """``chart_figure(chart, lang)``, built when a renderer first asks (the deck draws native charts)."""
        return chart_figure(self.chart, self.lang) if self.chart is not None else None


@dataclass(frozen=True, eq=False)
class Report:
    """The whole storyline: title, subtitle, the steps and the tables behind them.

    Attributes
    ----------
    title, subtitle : str
    lang : {"en", "zh"}
    steps : tuple of Step
        In storyline order.
    tables : tuple of (str, pandas.DataFrame)
        The full tables, keyed as in ``REPORT_TABLES`` (use ``report_tables``).
    scope : tuple of str
        What the figures cover, when not the whole bank's real extract: the filter and what an as-of
        month cannot take back, and that the data is the synthetic sample. Every renderer states it.
    """

    title: str
    subtitle: str
    lang: str
    steps: tuple[Step, ...]
    tables: tuple[tuple[str, pd.DataFrame], ...] = ()
    scope: tuple[str, ...] = ()

    @property
    def agenda(self) -> tuple[str, ...]:
        """The step titles in order: the deck's agenda slide and the HTML page's contents."""
        return tuple(step.title for step in self.steps)

    def step(self, key: str) -> Step:
        """The step with ``key``."""
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)


def _priced_currency(spec: ChartSpec) -> str | None:
    """The ISO code of the currency a money spec was priced in (from the symbol in its number format)."""
    symbol = re.search(r'"([^"#0-9,.]+)"', spec.number_format) if spec.value_kind == "money" else None
    codes = {v: k for k, v in CURRENCY_SYMBOLS.items()}
    return codes.get(symbol.group(1)) if symbol else None


@safe_chart
def chart_figure(spec: ChartSpec, lang: str = "en") -> go.Figure:
    """Return the plotly figure of a chart spec in the currency it was priced in (see ``_chart_figure``)."""
    code = _priced_currency(spec)
    if code is None:
        return _chart_figure(spec, lang)
    with priced_in(code):
        return _chart_figure(spec, lang)


def _chart_figure(spec: ChartSpec, lang: str = "en") -> go.Figure:
    """Return the plotly figure of a chart spec (same numbers, value labels formatted for ``lang``).

    Examples
    --------
    >>> fig = chart_figure(ChartSpec("bar", "T", ("a", "b"), (("s", (1.0, 2.0)),), "x", "y"))
    >>> [list(trace.y) for trace in fig.data], fig.layout.title.text
    ([[1.0, 2.0]], 'T')
    """
    figure = go.Figure()
    categories = list(spec.categories)

    def labels(values: tuple[float, ...]) -> list[str]:
        return [format_value(v, spec.value_kind, lang) for v in values]

    for i, (name, values) in enumerate(spec.series):
        shown = [None if math.isnan(v) else v for v in values]
        right = spec.secondary_kind and i == len(spec.series) - 1
        if spec.kind == "pie":
            figure.add_trace(
                go.Pie(labels=categories, values=shown, name=name, text=labels(values), textinfo="label+text")
            )
        elif spec.kind == "line":
            figure.add_trace(
                go.Scatter(x=categories, y=shown, name=name, mode="lines+markers", yaxis="y2" if right else "y")
            )
        elif spec.horizontal:
            figure.add_trace(
                go.Bar(y=categories, x=shown, name=name, orientation="h", text=labels(values), textposition="auto")
            )
        else:
            figure.add_trace(go.Bar(x=categories, y=shown, name=name, text=labels(values), textposition="auto"))
    left = spec.series[:-1] if spec.secondary_kind else spec.series
    value_axis = _value_axis(spec.value_kind, spec.y_title, left, lang)
    category_axis = {"title": {"text": spec.x_title}}
    with_palette(figure)
    figure.update_layout(
        title={"text": spec.title},
        template="plotly_white",
        barmode="group",
        showlegend=len(spec.series) > 1 or spec.kind == "pie",
        margin={"l": 60, "r": 30, "t": 60, "b": 60},
    )
    if spec.kind != "pie":
        if spec.horizontal:
            figure.update_layout(xaxis=value_axis, yaxis={**category_axis, "autorange": "reversed"})
        else:
            figure.update_layout(xaxis=category_axis, yaxis=value_axis)
    if spec.secondary_kind:
        # round ticks of its own: plotly otherwise spaces a second axis' ticks on the first's gridlines (4,733)
        right_axis = _value_axis(spec.secondary_kind, spec.secondary_title, spec.series[-1:], lang, round_ticks=True)
        figure.update_layout(
            yaxis2={**right_axis, "overlaying": "y", "side": "right", "showgrid": False},
            # above the plot, right: below it the legend hid the first months' rotated labels
            legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        )
    return figure


def _value_axis(kind: str, title: str, series, lang: str, round_ticks: bool = False) -> dict:
    """A plotly value axis for values of ``kind``: money ticks in 万 / 亿 or K / M / B, else ``TICK_FORMATS``
    (counts at round ticks written by ``format_count`` in Chinese, or everywhere with ``round_ticks``)."""
    axis = {"title": {"text": title}}
    if kind == "money":  # 万 / 亿 or K / M / B ticks, as every figure of the page reads
        ticks = money_ticks([v for _, values in series for v in values])
        axis.update(tickvals=ticks, ticktext=[format_money(t, lang) for t in ticks])
    elif kind == "count" and (lang == "zh" or round_ticks):  # 万 as ``format_count`` writes it (d3 has no 万)
        ticks = money_ticks([v for _, values in series for v in values])
        axis.update(tickvals=ticks, ticktext=[format_count(t, lang) for t in ticks])
    else:
        axis["tickformat"] = TICK_FORMATS[kind]
    return axis


def report_stamp(
    scenario_name: str,
    dataset_name: str,
    fingerprint: str,
    when: date,
    lang: str = "en",
    *,
    with_fingerprint: bool = True,
) -> str:
    """Return the line stamped on every slide and page: scenario, dataset, fingerprint (12 hex) and date.

    ``with_fingerprint=False`` leaves the fingerprint out (the deck's footer: a meeting audience reads the
    scenario, data and date; the fingerprint that ties the deck to its data is in the speaker notes).

    Examples
    --------
    >>> report_stamp("Ningbo pilot", "Bank A", "0123456789abcdef", date(2026, 11, 28))
    'Scenario: Ningbo pilot | Data: Bank A | Fingerprint: 0123456789ab | Date: 28 November 2026'
    >>> report_stamp("Ningbo pilot", "Bank A", "0123456789abcdef", date(2026, 11, 28), with_fingerprint=False)
    'Scenario: Ningbo pilot | Data: Bank A | Date: 28 November 2026'
    """
    scenario_word, data_word, print_word, date_word = (
        text("report_stamp_scenario", lang),
        text("report_stamp_data", lang),
        text("report_stamp_fingerprint", lang),
        text("report_stamp_date", lang),
    )
    colon, bar = ("：", "｜") if lang == "zh" else (": ", " | ")
    parts = (
        f"{scenario_word}{colon}{scenario_label(scenario_name, lang)}",
        f"{data_word}{colon}{dataset_name}",
        f"{print_word}{colon}{str(fingerprint)[:12]}" if with_fingerprint else "",
        f"{date_word}{colon}{format_day(when, lang)}",
    )
    return bar.join(part for part in parts if part)


def report_tables(report: Report) -> dict[str, pd.DataFrame]:
    """Return copies of the report's full tables: segments, gaps, opportunities, risk and ranking.

    A table the data cannot support is a one-row frame with a ``note`` saying why.
    """
    given: Mapping[str, pd.DataFrame] = dict(report.tables)
    missing = text("report_table_missing", report.lang)
    return {key: given[key].copy() if key in given else pd.DataFrame({"note": [missing]}) for key in REPORT_TABLES}
