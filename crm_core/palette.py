"""One colour scheme for the app's charts, the PowerPoint deck and the HTML report.

The brand colours (``NAVY`` titles and table headers, ``ACCENT`` key figures, ``GREY`` secondary
text, ``RULE`` borders) and the order in which chart series take their colours (``SERIES``) are
defined here once; ``.streamlit/config.toml``'s ``primaryColor`` is ``NAVY``'s darker sibling.
Colours that carry a meaning (a channel, a status, a rise or fall) stay with their charts
(``crm_core.charts.CHANNEL_COLOURS``, ``crm_core.staff.config.STATUS_COLOURS``).
"""

from __future__ import annotations

import plotly.graph_objects as go

from crm_core.text_safety import safe_chart

NAVY = "#1F3A5F"
"""Titles, table headers."""
ACCENT = "#2E75B6"
"""Key figures, the first chart series."""
GREY = "#595959"
"""Labels, stamps, axis titles."""
RULE = "#D0D7E2"
"""Borders and light rules."""
BAND = "#EEF2F7"
"""Every other table row."""
INK = "#1A1A1A"
"""Body text."""

SERIES: tuple[str, ...] = ("#2E75B6", "#E07B39", "#1F3A5F", "#70AD47", "#9E480E", "#7F7F7F", "#B4A7D6", "#17A589")
"""Colours of chart series in drawing order (a bar chart's first series is ``ACCENT``)."""


def rgb(colour: str) -> tuple[int, int, int]:
    """Return a ``#RRGGBB`` colour as red, green and blue integers.

    Examples
    --------
    >>> rgb(NAVY)
    (31, 58, 95)
    """
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@safe_chart
def with_palette(figure: go.Figure) -> go.Figure:
    """Return ``figure`` with the shared series colours (traces that name their own colour keep it).

    Examples
    --------
    >>> list(with_palette(go.Figure()).layout.colorway)[:2]
    ['#2E75B6', '#E07B39']
    """
    figure.update_layout(colorway=list(SERIES), title_font_color=NAVY)
    return figure
