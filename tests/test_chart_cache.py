"""Finished figures are built once per inputs, language and currency (``ui.widgets.chart`` / ``plot``).

A page rerun, another session on the same data or a second visit reuses the figure; anything that changes
what the chart shows (a number, a label, the language, the currency, a message) builds it again.
"""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from crm_core.messages import Message

BUILT: list[tuple] = []


def bars(frame: pd.DataFrame, title: str, note: Message | None = None) -> go.Figure:
    """A bar chart that records each build (the test's builder)."""
    BUILT.append((list(frame["value"]), title, note))
    return go.Figure(go.Bar(x=frame["name"], y=frame["value"]), layout={"title": title})


def _app(frames: list[pd.DataFrame], title: str = "Deposits", lang: str = "en", currency: str = "CNY", note=None):
    """Run a page that plots ``bars`` once per frame; return its plotly specs."""

    def page(frames, title, lang, currency, note):
        import streamlit as st

        from crm_core.formatting import priced_in
        from tests.test_chart_cache import bars
        from ui.widgets import chart, plot

        st.session_state["lang"] = lang
        with priced_in(currency):
            for index, frame in enumerate(frames):
                plot(chart(bars, frame, title, note), key=f"chart_{index}")

    at = AppTest.from_function(page, default_timeout=60, args=(frames, title, lang, currency, note))
    at.run()
    assert not at.exception
    return [element.proto.spec for element in at.get("plotly_chart")]


@pytest.fixture(autouse=True)
def _fresh():
    from ui.widgets import _built_chart

    _built_chart.clear()
    BUILT.clear()
    yield
    _built_chart.clear()


def frame(*values: float) -> pd.DataFrame:
    return pd.DataFrame({"name": [f"b{i}" for i in range(len(values))], "value": list(values)})


def test_equal_inputs_build_once_across_reruns_and_sessions():
    first = _app([frame(1, 2), frame(1, 2)])  # two equal frames (different objects) on one page
    second = _app([frame(1, 2)])  # a new session, new objects, same content
    assert len(BUILT) == 1
    assert first[0] == first[1] == second[0]


@pytest.mark.parametrize(
    "change",
    [
        {"frames": [frame(1, 3)]},  # a number
        {"frames": [frame(1, 2).rename(index={0: 5})]},  # the index
        {"title": "Loans"},  # a label
        {"lang": "zh"},  # the language (month ticks, 暂无)
        {"currency": "EUR"},  # money ticks
        {"note": Message("value_change")},  # a message argument
    ],
    ids=["value", "index", "label", "language", "currency", "message"],
)
def test_a_change_in_what_the_chart_shows_builds_it_again(change):
    base = {"frames": [frame(1, 2)]}
    _app(**base)
    _app(**{**base, **change})
    assert len(BUILT) == 2


def test_the_shared_figure_is_not_changed_by_showing_it():
    before = _app([frame(1, 2)])
    after = _app([frame(1, 2)])
    assert before == after
    shown = json.loads(before[0])
    assert shown["layout"]["title"]["text"] == "Deposits"
    assert shown["data"][0]["x"] == ["b0", "b1"]
