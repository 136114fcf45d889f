"""Every page in 中文 holds no English and every page in English no Chinese (AppTest scan, issue 17).

The scan reads what a manager reads on each page: titles, headers, markdown, captions, alerts,
metric labels and values, widget labels and options, table headers and text cells, and the
plotly charts' titles, axis titles, tick texts, legend names and category labels. Data values a
manager supplied (branch and relationship-manager names, customer ids, the dataset's name) are
exempt where they occur whole, as in the export scan (``tests/test_export_language.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from crm_core.sample import read_sample
from tests.test_export_language import data_words, leaks, report_leaks

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:.]+)?$")


def _figure_texts(spec: dict) -> Iterator[str]:
    layout = spec.get("layout", {})
    dated = {
        trace.get(f"{letter}axis", letter).replace(letter, f"{letter}axis")
        for trace in spec.get("data", [])
        for letter in ("x", "y")
        if isinstance(trace.get(letter), list) and trace[letter] and ISO_DATE.match(str(trace[letter][0]))
    }
    for name in dated:  # plotly ticks a date axis in English ("Jan 2024") unless given a format
        if not layout.get(name, {}).get("tickformat"):
            yield "Jan 2024 (date axis without a tick format)"
    title = layout.get("title")
    yield title.get("text", "") if isinstance(title, dict) else str(title or "")
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            axis_title = axis.get("title")
            yield axis_title.get("text", "") if isinstance(axis_title, dict) else str(axis_title or "")
            yield from map(str, axis.get("ticktext", []) or [])
    for annotation in layout.get("annotations", []) or []:
        yield str(annotation.get("text", ""))
    for trace in spec.get("data", []):
        yield str(trace.get("name", "") or "")
        for key in ("x", "y", "labels", "text"):
            values = trace.get(key)
            if isinstance(values, list):  # dates on a date axis are data: its tickformat is checked below
                yield from (v for v in values if isinstance(v, str) and not ISO_DATE.match(v))


def screen_texts(at: AppTest) -> list[tuple[str, str]]:
    """(where, text) of everything a manager reads on the page."""
    found: list[tuple[str, str]] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        found += [(kind, str(e.value)) for e in getattr(at, kind)]
    for metric in at.metric:
        found += [("metric", str(metric.label)), ("metric", str(metric.value))]
    for kind in ("selectbox", "multiselect", "radio", "slider", "number_input", "text_input", "checkbox", "toggle"):
        for widget in getattr(at, kind):
            found.append((kind, str(widget.label)))
            found += [(kind, str(option)) for option in getattr(widget, "options", []) or []]
    found += [("button", str(b.label)) for b in at.button]
    for frame in at.dataframe:
        value: pd.DataFrame = frame.value
        config = json.loads(frame.proto.columns or "{}")
        order = list(frame.proto.column_order)
        for column in value.columns:
            shown = config.get(str(column), {})
            if shown.get("hidden") or (order and str(column) not in order):
                continue  # not on screen
            found.append(("table header", str(shown.get("label", column))))
            if value[column].dtype == object or pd.api.types.is_string_dtype(value[column]):
                found += [("table cell", str(v)) for v in value[column].dropna().unique()[:200]]
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        found += [("chart", text) for text in _figure_texts(spec) if text]
    # masked identifiers (C00****61) are data, shown masked
    return [(where, text) for where, text in found if text.strip() and "****" not in text]


@pytest.fixture(scope="module")
def data() -> dict[str, list[str]]:
    sample = read_sample()
    customers = sample.customers
    values = [*customers["branch"].dropna().unique(), *customers["customer_id"].dropna().unique()]
    if "relationship_manager" in customers:
        values += list(customers["relationship_manager"].dropna().unique())
    return data_words([*values, sample.name, sample.fingerprint[:12]])


def opened(page: str, lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["lang"] = {"en": "EN", "zh": "中文"}[lang]
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_speaks_one_language(page, lang, data):
    found = leaks(screen_texts(opened(page, lang)), lang, data)
    assert not found, f"{page} in {lang}:\n" + report_leaks(found)


def test_the_scan_reads_charts_tables_and_widgets():
    at = opened("overview", "zh")
    kinds = {where for where, _ in screen_texts(at)}
    assert {"title", "metric", "chart"} <= kinds, kinds
    planted = [("chart", "Monthly transactions 月度交易")]
    assert [word for _, word, _ in leaks(planted, "zh", {})] == ["Monthly", "transactions"]
