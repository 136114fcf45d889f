"""Issue 22, items 5 and 6: data-borne strings escaped for every sink; identifiers masked on the Data page.

Sinks: plotly figures (HTML subset: links, styles), Streamlit Markdown (links, images, autolinks
of bare URLs and ``www.`` addresses) in text and in the labels of expanders and buttons, and bidi
controls everywhere. The hostile fixture is ``tests/hostile_names.py``; the real-browser check of
the same sinks is ``tests/test_browser_hostile.py``.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from crm_core.loading import load_dataset
from crm_core.loading.cli import check_main
from crm_core.text_safety import WORD_JOINER, markdown_text, plotly_text, safe_figure
from tests import hostile_names as hostile

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))

RAW_PLOTLY_MARKUP = re.compile(r"<(a|span|b|i|sup|sub|br)\b", re.IGNORECASE)
BIDI = re.compile(f"[{hostile.BIDI_CONTROLS}]")


# --- plotly -------------------------------------------------------------------------------------


def plotly_strings(value, key: str = ""):
    """Every ``(key, string)`` of a figure's JSON (``fig.to_plotly_json()`` or a parsed spec)."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            if name != "template":
                yield from plotly_strings(item, name)
    elif isinstance(value, list | tuple | np.ndarray):
        for item in value:
            yield from plotly_strings(item, key)


def plotly_problems(figure_json: dict) -> list[str]:
    """Texts plotly would render as markup or reorder; the builder's own hover templates may hold ``<extra>``."""
    problems = []
    for key, text in plotly_strings(figure_json):
        markup = RAW_PLOTLY_MARKUP.search(text.replace("<extra></extra>", "") if key == "hovertemplate" else text)
        if markup or BIDI.search(text):
            problems.append(f"{key}: {text[:80]!r}")
    return problems


def test_plotly_text_escapes_markup_strips_bidi_and_is_idempotent():
    for name in hostile.HOSTILE_NAMES:
        once = plotly_text(name)
        assert not RAW_PLOTLY_MARKUP.search(once) and not BIDI.search(once)
        assert plotly_text(once) == once
    assert plotly_text("R&D <1> &amp;") == "R&amp;D &lt;1&gt; &amp;"


def test_safe_figure_walks_traces_axes_annotations_and_legend_but_keeps_templates():
    figure = go.Figure(
        go.Bar(
            x=pd.Series(hostile.HOSTILE_NAMES),
            y=list(range(7)),
            name=hostile.HTML_STYLE,
            text=np.array(hostile.HOSTILE_NAMES),
            customdata=[[n] for n in hostile.HOSTILE_NAMES],
            hovertemplate="%{x}: %{customdata[0]}<extra></extra>",
        )
    )
    figure.add_annotation(text=hostile.HTML_LINK, x=0, y=0)
    figure.update_layout(
        title=hostile.RIGHT_TO_LEFT,
        legend_title_text=hostile.HTML_LINK,
        xaxis={"title": hostile.HTML_LINK, "tickvals": [0], "ticktext": [hostile.HTML_STYLE]},
    )
    assert plotly_problems(figure.to_plotly_json())  # the check itself finds raw markup
    safe_figure(figure)
    assert not plotly_problems(figure.to_plotly_json())
    assert figure.data[0].hovertemplate == "%{x}: %{customdata[0]}<extra></extra>"
    assert figure.layout.title.text == "evil"
    assert list(figure.data[0].x) == [plotly_text(n) for n in hostile.HOSTILE_NAMES]


def _figure_builders():
    """Every public function of crm_core annotated to return a plotly figure."""
    for path in sorted((ROOT / "crm_core").rglob("*.py")):
        if "go.Figure" not in path.read_text(encoding="utf-8"):
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for name, function in inspect.getmembers(module, inspect.isfunction):
            returns = str(inspect.signature(function).return_annotation)
            if function.__module__ == module.__name__ and not name.startswith("_") and "Figure" in returns:
                yield f"{module.__name__}.{name}", function


def test_every_chart_builder_returns_a_safe_figure():
    builders = dict(_figure_builders())
    assert len(builders) >= 24, sorted(builders)  # the pages', the report's
    unsafe = [name for name, function in builders.items() if not hasattr(function, "__wrapped__")]
    assert not unsafe, f"chart builders not decorated with @safe_chart: {unsafe}"


def _builder_cases():
    from crm_core.loyalty import charts as loyalty
    from crm_core.products import charts as products
    from crm_core.report.model import ChartSpec, chart_figure
    from crm_core.segments import charts as segments
    from crm_core.staff import charts as staff
    from crm_core.visits import charts as visits

    names = list(hostile.HOSTILE_NAMES)
    n = len(names)
    values = np.linspace(-0.3, 0.4, n)
    ranking = pd.DataFrame({"group": names, "annual_change": values, "lower": values - 0.1, "upper": values + 0.1})
    flows = pd.DataFrame({"code": range(n), "group": names, "moved_to_digital": values, "gone": values})
    table = pd.DataFrame({"unit": names, "rank": range(1, n + 1), "baseline_rank": range(n, 0, -1)})
    table["rank_change"] = table["baseline_rank"] - table["rank"]
    status = pd.DataFrame({"aum_growth": ["green"] * n, "complaints": ["red"] * n}, index=names)
    guardrail = pd.DataFrame({"unit": names, "sales_score": values * 100 + 50, "outcome_score": 40.0})
    guardrail["flagged"] = [True, False] * 3 + [True]
    segment_frame = pd.DataFrame({"segment": names, "p25": 1.0, "median": 2.0, "p75": 3.0, "mean": 2.0})
    risk = pd.DataFrame({"group": names, "scored": 10, "high_risk_share": values + 0.5})
    kept = pd.DataFrame(
        {"code": range(n), "segment": names, "aum_kept": 5.0, "aum_kept_high": 6.0, "aum_kept_low": 4.0}
    )
    index = pd.DataFrame(np.full((n, 2), 100.0), index=names, columns=["savings_deposit", hostile.HTML_LINK])
    gaps = pd.DataFrame({"group": names[0], "product": names, "penetration": 0.2, "benchmark": 0.3})
    ranked = pd.DataFrame({"group": names, "product": names, "opportunity_value": values})
    profiles = pd.DataFrame({"group": names, "suppressed": False, "customers": 10, "average_aum_index": 120.0})
    migration = pd.DataFrame(np.ones((n, n), dtype=int), index=names, columns=names)
    spec = ChartSpec("bar", hostile.HTML_LINK, tuple(names), ((hostile.HTML_STYLE, tuple(values)),), "x", "y")
    labels = {"title": hostile.HTML_LINK, "x_title": hostile.MARKDOWN_IMAGE, "moved": hostile.HTML_STYLE, "gone": "g"}
    return {
        "decline_ranking": lambda: visits.decline_ranking_figure(ranking, hostile.HTML_LINK, "x", hostile.HTML_STYLE),
        "substitution": lambda: visits.substitution_figure(flows, labels),
        "rank_slope": lambda: staff.rank_slope_figure(table, "t", hostile.HTML_LINK, hostile.HTML_STYLE, "y"),
        "scorecard_heat": lambda: staff.scorecard_heat_figure(
            status, status, {"aum_growth": hostile.HTML_LINK}, {"green": hostile.HTML_STYLE, "red": "r"}, "t"
        ),
        "guardrail": lambda: staff.guardrail_figure(guardrail, "t", "x", "y", hostile.HTML_LINK, hostile.HTML_STYLE),
        "stickiness_segment": lambda: loyalty.stickiness_segment_figure(segment_frame, "t", "x", hostile.HTML_STYLE),
        "risk_group": lambda: loyalty.risk_group_figure(risk, hostile.HTML_LINK, "x", "y"),
        "what_if": lambda: loyalty.what_if_figure(kept, "aum", "t", "x", "y"),
        "penetration_index": lambda: products.penetration_index_heatmap(index, "t"),
        "gap": lambda: products.gap_figure(gaps, names[0], hostile.HTML_LINK, "x", "p", "b"),
        "opportunity": lambda: products.opportunity_figure(ranked, "t", "x"),
        "profile_index (tier labels)": lambda: segments.profile_index_figure(
            profiles, {"average_aum": hostile.HTML_STYLE}, "t"
        ),
        "migration (scenario names)": lambda: segments.migration_heatmap(
            migration, hostile.HTML_LINK, hostile.MARKDOWN_LINK, hostile.HTML_STYLE
        ),
        "report chart": lambda: chart_figure(spec),
    }


@pytest.mark.parametrize("builder", list(_builder_cases()))
def test_chart_builders_show_hostile_names_as_text(builder):
    figure = _builder_cases()[builder]()
    problems = plotly_problems(figure.to_plotly_json())
    assert not problems, problems
    texts = " ".join(text for _, text in plotly_strings(figure.to_plotly_json()))
    assert "&lt;a href=" in texts or "&lt;span" in texts  # the names are there, as text


def test_html_report_and_png_figures_are_made_safe_at_export_too():
    from crm_core.report.html import script_safe_json

    raw = go.Figure(go.Bar(x=[hostile.HTML_LINK], y=[1], name=hostile.RIGHT_TO_LEFT))
    text = json.loads(script_safe_json(raw))
    assert not plotly_problems(text)
    assert raw.data[0].x == (hostile.HTML_LINK,)  # the caller's figure is left as given


# --- Markdown -------------------------------------------------------------------------------------

UNSAFE_MARKDOWN = (
    re.compile(r"(?<!\\)\]\("),  # [text](url) or ![alt](url) not escaped
    re.compile(r"https?\\?://", re.IGNORECASE),  # a bare URL without the word joiner after ':'
    re.compile(r"www\\?\.evil", re.IGNORECASE),  # a www. address without the word joiner
    re.compile(r"(?<!\\)<(a|span|img)\b"),
    BIDI,
)


def markdown_problems(texts) -> list[str]:
    return [text[:100] for text in texts if any(pattern.search(text) for pattern in UNSAFE_MARKDOWN)]


def test_markdown_text_defeats_links_images_autolinks_and_bidi():
    for name in (*hostile.HOSTILE_NAMES, hostile.HOSTILE_FILE_NAME, "mail me@evil.example"):
        assert not markdown_problems([markdown_text(name)]), name
    assert markdown_problems(list(hostile.HOSTILE_NAMES))  # the check finds each raw form
    assert markdown_text("WWW.evil.example").startswith("WWW" + WORD_JOINER)


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def rendered_texts(at: AppTest) -> list[str]:
    """Markdown bodies and the labels of every element (expanders, buttons, downloads, metrics, tabs)."""
    texts = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        for field in ("body", "label", "caption", "help"):
            value = getattr(proto, field, None)
            if isinstance(value, str) and value:
                texts.append(value)
    return texts


def plotly_specs(at: AppTest) -> list[dict]:
    return [json.loads(node.proto.spec) for node in _nodes(at._tree) if getattr(node, "type", "") == "plotly_chart"]


@functools.cache
def hostile_dataset():
    return load_dataset(hostile.hostile_files())[0]


def open_hostile_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["uploaded_dataset"] = hostile_dataset()
    at.session_state["data_source"] = "upload"
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    return at


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_pages_show_hostile_names_as_text_in_charts_markdown_and_labels(page):
    at = open_hostile_page(page)
    assert not at.exception, [e.message for e in at.exception]
    problems = markdown_problems(rendered_texts(at))
    specs = plotly_specs(at)
    for spec in specs:
        problems += plotly_problems(spec)
    assert not problems, problems
    if page in ("visits", "staff_kpis"):  # charts by branch / RM: the names are there, as text
        assert any("&lt;a href=" in text for spec in specs for _, text in plotly_strings(spec)), page


# --- the Data page: hostile file name, identifiers, empty loads -------------------------------------------


def open_data_page(show_identifiers: bool = False) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["show_identifiers"] = show_identifiers
    at.run()
    at.switch_page("pages/data.py").run()
    return at


def upload_and_load(at: AppTest, files) -> AppTest:
    upload = [(name, content, "text/csv") for name, content in files]
    at.file_uploader(key="data_upload").set_value(upload if len(upload) > 1 else upload[0]).run()
    assert not at.exception, [e.message for e in at.exception]
    at.button(key="data_load").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.slow
def test_data_page_escapes_the_file_name_in_the_panel_header_and_the_mapping_button():
    at = upload_and_load(open_data_page(), hostile.hostile_files(120))
    texts = rendered_texts(at)
    assert any("bold" in text and "fn" in text for text in texts)  # the name is shown …
    assert not markdown_problems(texts), markdown_problems(texts)  # … as text
    assert any(str(b.proto.label).startswith("Save mapping of") for b in at.get("download_button"))


@pytest.fixture
def downloads(monkeypatch):
    """Bytes handed to Streamlit's media storage (download buttons), by file name."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    captured: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        data = path_or_data.encode() if isinstance(path_or_data, str) else path_or_data
        captured[filename or ""] = bytes(data)
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)

    # Downloads are built when clicked (a callable): build them here, as a click would, and keep the bytes.
    from streamlit.delta_generator import DeltaGenerator

    original_button = DeltaGenerator.download_button

    def download_button(self, label, data, file_name=None, *args, **kwargs):
        if callable(data):
            built = data()
            captured[file_name or ""] = built.encode() if isinstance(built, str) else bytes(built)
        return original_button(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", download_button)
    return captured


def element_bytes(at: AppTest) -> bytes:
    """Every element's message as sent to the browser (text, labels, table cells as Arrow)."""
    protos = (getattr(node, "proto", None) for node in _nodes(at._tree))
    return b"".join(proto.SerializeToString() for proto in protos if proto is not None)


def identifiers_in_clear(at: AppTest, downloads: dict[str, bytes]) -> list[str]:
    shown = element_bytes(at)
    report = downloads.get("validation_report.json", b"")
    assert report, "no validation report was offered"
    return [v for v in hostile.RAW_IDENTIFIERS if v.encode() in shown or v.encode() in report]


@pytest.mark.slow
def test_data_page_masks_identifiers_in_samples_issues_and_the_json_report(downloads):
    at = upload_and_load(open_data_page(), hostile.identifier_files())
    assert at.get("download_button"), "the report was not shown"
    assert not identifiers_in_clear(at, downloads)
    assert b"139****4321" in element_bytes(at)  # masked, not left out


@pytest.mark.slow
def test_data_page_shows_identifiers_when_the_switch_is_on(downloads):
    at = upload_and_load(open_data_page(show_identifiers=True), hostile.identifier_files())
    assert set(identifiers_in_clear(at, downloads)) >= {*hostile.PHONES[:2], hostile.ID_NUMBERS[1], hostile.NAMES[1]}


@pytest.mark.slow
def test_a_load_with_no_customer_row_cannot_be_used():
    content = "客户编号,月日均资产\nC1,abc\nC2,xyz\n".encode()
    at = open_data_page()
    at.file_uploader(key="data_upload").set_value(("empty.csv", content, "text/csv")).run()
    at.button(key="data_load").click().run()
    assert not at.exception, [e.message for e in at.exception]
    refused = any("No customer row was loaded" in e.value for e in at.error)
    loaded = [b for b in at.button if b.key == "data_use"]
    assert refused or not loaded, "an empty dataset was offered for use"
    assert not loaded
    assert at.session_state["data_source"] != "upload"


# --- the check command --------------------------------------------------------------------------------


def _check(tmp_path, capsys, *flags) -> str:
    ((name, content),) = hostile.identifier_files()
    path = tmp_path / name
    path.write_bytes(content)
    check_main([str(path), *flags])
    return capsys.readouterr().out


@pytest.mark.parametrize("as_json", [False, True])
def test_check_masks_identifiers_unless_asked(tmp_path, capsys, as_json):
    flags = ("--json",) if as_json else ()
    masked = _check(tmp_path, capsys, *flags)
    assert "139****4321" in masked and "320102********4321" in masked
    assert not [v for v in hostile.RAW_IDENTIFIERS if v in masked]
    clear = _check(tmp_path, capsys, *flags, "--show-identifiers")
    assert {hostile.PHONES[1], hostile.ID_NUMBERS[1], hostile.NAMES[1]} <= {
        v for v in hostile.RAW_IDENTIFIERS if v in clear
    }


# --- sentences the pages compose in Markdown (issue 22, item 5: the Staff KPIs movers, the Loyalty drivers) ----


def test_the_staff_movers_sentence_keeps_unit_names_as_text():
    """The fixture's ranks never move clearly, so the page test draws no movers: the sentence is tested here."""
    from crm_core.staff.scores import movers_message
    from ui.staff import movers_markdown

    units = list(hostile.HOSTILE_NAMES)
    ranks = list(range(1, len(units) + 1))
    table = pd.DataFrame({"unit": units, "rank": ranks, "baseline_rank": ranks[::-1]})
    table["rank_change"] = table["baseline_rank"] - table["rank"]
    markdown = movers_markdown(movers_message(table, "Deposit", "Balanced", n=len(units)))
    assert markdown.replace("\\", "").startswith("**From Deposit to Balanced:")
    assert "rises" in markdown and "falls" in markdown
    assert "evil" in markdown  # the names are there …
    assert not markdown_problems([markdown]), markdown  # … as text


def test_the_loyalty_driver_bullets_keep_a_riskiest_branch_as_text():
    """The fixture has too few churners for a usable model, so the page test draws no driver: tested here."""
    from types import SimpleNamespace

    from crm_core.prepare import prepared_dataset
    from tests.conftest import tiny_dataset
    from ui.loyalty import driver_bullets

    drivers = pd.DataFrame(
        {
            "feature": ["branch"] * len(hostile.HOSTILE_NAMES),
            "direction": [float("nan")] * len(hostile.HOSTILE_NAMES),
            "riskiest_level": list(hostile.HOSTILE_NAMES),
            "message": [None] * len(hostile.HOSTILE_NAMES),
        }
    )
    risk = SimpleNamespace(fitted=SimpleNamespace(drivers=drivers))
    bullets = driver_bullets(risk, prepared_dataset(tiny_dataset()), top=len(drivers))
    assert len(bullets) == len(hostile.HOSTILE_NAMES) and all(
        b.replace("\\", "").startswith("- Branch: churn risk") for b in bullets
    )
    assert not markdown_problems(bullets), bullets


@pytest.mark.parametrize("name", [hostile.MARKDOWN_LINK, hostile.BARE_URL, hostile.WWW_ADDRESS, hostile.MARKDOWN_IMAGE])
def test_a_shared_link_named_with_markup_shows_its_name_as_text_in_the_sidebar(name):
    """Issue 22 item 5: a link's scenario name reaches every page's sidebar caption; it must stay text there."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"s": "proposed", "name": name})
    at.run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.sidebar.caption]
    assert any("evil" in c for c in captions), captions  # the link's name is shown …
    assert not markdown_problems(captions), captions  # … as text
