"""The standalone HTML report: one file that opens offline, with interactive plotly charts.

plotly.js is embedded once, inline; each chart is a ``div`` drawn by ``Plotly.newPlot`` from
the figure's JSON. Every user string (branch names, scenario and dataset names) is escaped:
as HTML text with ``html.escape``, inside the figure JSON by writing ``<``, ``>`` and ``&`` as
``\\u`` escapes, so no name can close a script or become markup.
"""

from __future__ import annotations

import html
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from crm_core import palette
from crm_core.catalog import text
from crm_core.report.model import Report, Step, report_stamp
from crm_core.text_safety import safe_figure

STYLE = f"""
body {{ font-family: "Segoe UI", "Microsoft YaHei", "Noto Sans CJK SC", "PingFang SC", sans-serif;
       margin: 0 auto; max-width: 1100px; padding: 24px; color: {palette.INK}; }}
h1 {{ color: {palette.NAVY}; margin-bottom: 4px; }}
h2 {{ color: {palette.NAVY}; border-bottom: 2px solid {palette.ACCENT}; padding-bottom: 4px; margin-top: 40px; }}
.subtitle {{ color: {palette.GREY}; font-size: 1.1em; margin-top: 0; }}
.stamp {{ color: {palette.GREY}; font-size: 0.85em; }}
nav ul {{ list-style: none; padding-left: 0; columns: 2; }}
nav li {{ margin: 4px 0; }}
nav a {{ color: {palette.NAVY}; text-decoration: none; }}
.headline {{ font-size: 1.1em; line-height: 1.5; }}
.scope {{ color: {palette.ACCENT}; margin: 0.2em 0; }}
.note {{ border-left: 3px solid {palette.ACCENT}; margin: 0.8em 0; padding: 0.2em 0.8em; }}
.numbers {{ display: flex; gap: 16px; flex-wrap: wrap; margin: 12px 0; }}
.number {{ flex: 1 1 200px; border: 1px solid {palette.RULE}; border-radius: 6px; padding: 10px 14px; }}
.number .value {{ color: {palette.ACCENT}; font-size: 1.6em; font-weight: 600; }}
.number .label {{ color: {palette.GREY}; font-size: 0.9em; }}
.chart {{ width: 100%; height: 460px; }}
table {{ border-collapse: collapse; margin: 12px 0; font-size: 0.9em; }}
th {{ background: {palette.NAVY}; color: white; text-align: left; }}
th, td {{ padding: 4px 10px; border: 1px solid {palette.RULE}; vertical-align: top; }}
tbody tr:nth-child(even) {{ background: {palette.BAND}; }}
details pre {{ white-space: pre-wrap; font-family: inherit; color: #333; }}
footer {{ margin-top: 40px; border-top: 1px solid {palette.RULE}; padding-top: 8px; }}
"""
"""The page's style sheet, in ``crm_core.palette``'s colours (as the deck and the app)."""


def script_safe_json(figure) -> str:
    """Return a figure as JSON that is safe inside a ``<script>`` element, its texts plain for plotly.

    Every data-borne text goes through ``safe_figure`` (a name such as ``<a href=…>`` shows as
    text, never as a link), then ``<``, ``>`` and ``&`` are written as ``\\u`` escapes.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> text = script_safe_json(go.Figure(go.Bar(x=["</script><b>"], y=[1])))
    >>> "<" in text or ">" in text
    False
    """
    text = pio.to_json(safe_figure(go.Figure(figure)), validate=False, pretty=False)  # a copy: inputs stay as given
    for character, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(character, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def table_html(table: pd.DataFrame) -> str:
    """Return a small display table as escaped HTML."""
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in table.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row) + "</tr>"
        for row in table.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _step_html(step: Step, lang: str) -> str:
    parts = [
        f'<section id="step-{html.escape(step.key)}">',
        f"<h2>{html.escape(step.title)}</h2>",
        f'<p class="headline">{html.escape(step.headline)}</p>',
    ]
    if step.numbers:
        cells = "".join(
            f'<div class="number"><div class="value">{html.escape(n.text)}</div>'
            f'<div class="label">{html.escape(n.label)}</div></div>'
            for n in step.numbers
        )
        parts.append(f'<div class="numbers">{cells}</div>')
    if step.figure is not None:
        chart_id = f"chart-{step.key}"
        parts.append(f'<div id="{chart_id}" class="chart"></div>')
        parts.append(
            f"<script>(function () {{ var figure = {script_safe_json(step.figure)}; "
            f'Plotly.newPlot("{chart_id}", figure.data, figure.layout, '
            "{responsive: true, displaylogo: false}); })();</script>"
        )
    if step.table is not None and len(step.table):
        parts.append(table_html(step.table))
    if step.meeting_note:
        label = html.escape(text("report_meeting_note", lang))
        parts.append(f'<blockquote class="note"><b>{label}:</b> {html.escape(step.meeting_note)}</blockquote>')
    notes_label = text("report_speaker_notes", lang)
    parts.append(f"<details><summary>{notes_label}</summary><pre>{html.escape(step.notes)}</pre></details></section>")
    return "\n".join(parts)


def agenda_html(report: Report) -> str:
    """Return the page's contents: every step title, linked to its section."""
    items = "".join(
        f'<li><a href="#step-{html.escape(step.key)}">{html.escape(step.title)}</a></li>' for step in report.steps
    )
    return f"<nav><h2>{html.escape(text('report_agenda', report.lang))}</h2><ul>{items}</ul></nav>"


def report_html(report: Report, scenario_name: str, dataset_name: str, fingerprint: str, when: date) -> str:
    """Return the storyline as one standalone HTML page (opens offline; plotly.js embedded once).

    Parameters
    ----------
    report : Report
        From ``report_content``.
    scenario_name, dataset_name, fingerprint : str
        Stamped under the title and in the footer (the fingerprint's first 12 hex digits).
    when : datetime.date
        Date stamped.

    Returns
    -------
    str
        The HTML document (about 5 MB, most of it plotly.js).
    """
    stamp = html.escape(report_stamp(scenario_name, dataset_name, fingerprint, when, report.lang))
    lang_attribute = "zh-CN" if report.lang == "zh" else "en"
    sections = "\n".join(_step_html(step, report.lang) for step in report.steps)
    scope = "".join(f'<p class="scope">{html.escape(line)}</p>\n' for line in report.scope)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang_attribute}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(report.title)}</title>\n<style>{STYLE}</style>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n</head>\n<body>\n'
        f"<header><h1>{html.escape(report.title)}</h1>\n"
        f'<p class="subtitle">{html.escape(report.subtitle)}</p>\n{scope}<p class="stamp">{stamp}</p></header>\n'
        f'{agenda_html(report)}\n{sections}\n<footer class="stamp">{stamp}</footer>\n</body>\n</html>\n'
    )
