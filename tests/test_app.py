"""AppTest: every page opens in both languages; the Overview shows crm_core's numbers."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.formatting import format_money, format_share
from crm_core.overview import overview_kpis
from crm_core.prepare import prepared_dataset
from crm_core.sample import read_sample

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))


def open_app(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = {"en": "EN", "zh": "中文"}[lang]
    return at.run()


def test_every_page_is_routed():
    assert {
        "overview",
        "data",
        "segments",
        "visits",
        "products",
        "loyalty",
        "staff_kpis",
        "service",
        "scenarios",
        "playbook",
    } <= set(PAGES)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_page_opens_without_error(page, lang):
    at = open_app(lang)
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    assert at.title, f"{page} has no title"
    if lang == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in at.title[0].value), at.title[0].value


def test_overview_shows_crm_core_numbers():
    at = open_app("en")
    assert not at.exception
    kpis = overview_kpis(prepared_dataset(read_sample())).set_index("metric")
    shown = {m.label: m.value for m in at.metric}
    assert shown["Total AUM"] == format_money(kpis.loc["total_aum", "value"], "en")
    assert shown["AUM held by top 2%"] == format_share(kpis.loc["top2_aum_share", "value"])
    assert shown["Active customers"] == f"{kpis.loc['customers', 'value']:,.0f}"
    assert len(at.metric) == 9
    assert at.get("plotly_chart"), "channel chart missing"


def test_language_switch_translates_labels_and_money():
    at = open_app("en")
    assert at.metric[0].label == "Active customers"
    at.segmented_control(key="lang").set_value("中文").run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels[0] == "有效客户数"
    total_aum = at.metric[1].value
    assert total_aum.endswith("亿") and total_aum.startswith("¥")


def test_sidebar_shows_source_size_and_fingerprint():
    at = open_app("zh")
    at.switch_page("pages/segments.py").run()
    assert at.radio(key="data_source__zh").options == ["A银行样本数据"]
    captions = [c.value for c in at.sidebar.caption]
    assert any(c.startswith("20,000 位客户") for c in captions), captions
    assert any(c.startswith("数据指纹 ") for c in captions), captions
