"""Data-borne text made safe for the sinks that read markup: plotly figures and Markdown.

Branch, city, RM, product, segment, tier and scenario names come from uploaded files and shared
links, so they may hold anything. Plotly renders a subset of HTML in every text it draws
(``<a href>`` becomes a clickable link, ``<span style>`` restyles the chart), and right-to-left
override characters reverse what follows them on screen. ``plotly_text`` neutralises one string;
``safe_figure`` applies it to every text of a figure, so chart builders call it once on return.
``markdown_text`` does the same for Streamlit's Markdown (``ui.widgets.md``): labels, captions,
expanders, toasts and buttons all render it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps

import numpy as np

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
"""Embedding, override and isolate controls and directional marks: they reorder text on screen."""

_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
# An ampersand that does not already start a character reference plotly decodes (&lt; &#60; &#x3c;).
_BARE_AMPERSAND = re.compile(r"&(?!#\d+;|#x[0-9a-fA-F]+;|[a-zA-Z]+;)")

TEMPLATE_KEYS = frozenset({"hovertemplate", "texttemplate", "template"})
"""Figure properties written by the chart builder (plotly's own markup such as ``<extra>``), left as they are."""


def strip_bidi(text: str) -> str:
    """Remove bidirectional control characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C).

    Examples
    --------
    >>> strip_bidi("\\u202eevil")
    'evil'
    """
    return _BIDI.sub("", text)


def plotly_text(value: object) -> str:
    """Return a string that plotly draws as plain text: ``<`` and ``>`` (and a bare ``&``) escaped,
    bidi controls removed.

    Plotly splits its input on tags before it decodes character references, and decodes them only
    into text, so ``&lt;a&gt;`` shows as ``<a>`` and never becomes a link. Existing references are
    kept, which makes the function idempotent: a figure may pass through a builder and an export,
    and a name is never shown as ``&amp;lt;``.

    Examples
    --------
    >>> plotly_text('<a href="https://evil.example">x</a> R&D')
    '&lt;a href="https://evil.example"&gt;x&lt;/a&gt; R&amp;D'
    >>> plotly_text(plotly_text("<b>")) == plotly_text("<b>")
    True
    """
    text = strip_bidi(str(value))
    return _BARE_AMPERSAND.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def _needs_escape(text: str) -> bool:
    return "<" in text or ">" in text or "&" in text or _BIDI.search(text) is not None


def _cleaned(value):
    """``value`` with every string made safe, or the same object when nothing had to change."""
    if isinstance(value, str):
        return plotly_text(value) if _needs_escape(value) else value
    if isinstance(value, dict):
        changed = {key: _cleaned(item) for key, item in value.items() if key not in TEMPLATE_KEYS}
        if all(changed[key] is value[key] for key in changed):
            return value
        return {**value, **changed}
    if isinstance(value, list | tuple):
        items = [_cleaned(item) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else type(value)(items)
    if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        flat = value.ravel()
        if not any(isinstance(item, str | bytes) and _needs_escape(str(item)) for item in flat):
            return value
        return np.array([_cleaned(item) for item in flat], dtype=object).reshape(value.shape)
    return value


def safe_figure(figure):
    """Make every data-borne text of a plotly figure plain text (see ``plotly_text``); return the figure.

    Trace data (categories, names, text, hover text, custom data), titles, tick texts,
    annotations and legend titles are all walked; the builder's own hover and text templates and
    the template are left as written. A builder that writes a name *into* a template must pass it
    through ``plotly_text`` itself.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> figure = safe_figure(go.Figure(go.Bar(x=["<b>x</b>"], y=[1], name="<i>n</i>")))
    >>> list(figure.data[0].x), figure.data[0].name
    (['&lt;b&gt;x&lt;/b&gt;'], '&lt;i&gt;n&lt;/i&gt;')
    """
    # The figure's own property dicts are read in place (``to_plotly_json`` deep-copies every array:
    # two thirds of a page rerun's chart cost); only what must change is written back.
    raw_traces = getattr(figure, "_data", None)
    raw_layout = getattr(figure, "_layout", None)
    if not isinstance(raw_traces, list) or not isinstance(raw_layout, dict) or len(raw_traces) != len(figure.data):
        raw_traces = [trace.to_plotly_json() for trace in figure.data]
        raw_layout = figure.layout.to_plotly_json()
    for trace, properties in zip(figure.data, raw_traces, strict=True):
        _update_changed(trace, properties)
    _update_changed(figure.layout, raw_layout)
    return figure


def _update_changed(target, properties: dict) -> None:
    changes = {}
    for key, value in properties.items():
        if key in TEMPLATE_KEYS or key == "type":
            continue
        cleaned = _cleaned(value)
        if cleaned is not value:
            changes[key] = cleaned
    if changes:
        target.update(changes, overwrite=True)


def safe_chart(builder: Callable) -> Callable:
    """Decorator of a chart builder: the figure it returns goes through ``safe_figure``."""

    @wraps(builder)
    def wrapper(*args, **kwargs):
        return safe_figure(builder(*args, **kwargs))

    return wrapper


WORD_JOINER = "\u2060"
"""Invisible and unbreakable: placed inside ``://``, ``www.`` and ``@`` it stops GFM autolinking."""

MARKDOWN_SPECIALS = frozenset("\\`*_{}[]()<>#+-.!|~$:&")
# GFM turns bare "http(s)://…", "www.…" and "name@host" into links after backslash escapes are
# removed, so escaping is not enough: a word joiner breaks the three patterns it looks for.
_AUTOLINK_STARTS = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)


def markdown_text(value: object) -> str:
    """Return text that Streamlit's Markdown shows as written: no link, image, autolink, LaTeX,
    emoji shortcode, icon or formatting, and no bidi control.

    Every Markdown special character is backslash-escaped; a word joiner (U+2060, invisible)
    follows ``:`` before ``//``, ``www`` before ``.`` and every ``@``, because GitHub-flavoured
    Markdown links bare URLs, ``www.`` addresses and e-mail addresses even when escaped.

    Examples
    --------
    >>> markdown_text("[click](x) $x$")
    '\\\\[click\\\\]\\\\(x\\\\) \\\\$x\\\\$'
    >>> markdown_text("https://a.example www.b.example c@d.example").count(WORD_JOINER)
    3
    """
    text = _AUTOLINK_STARTS.sub(WORD_JOINER, strip_bidi(str(value)))
    return "".join("\\" + ch if ch in MARKDOWN_SPECIALS else ch for ch in text)
