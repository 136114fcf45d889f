"""AppTest of the Service quality page in both languages, against crm_core's service view of the sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core import segments as seg
from crm_core import service as svc
from crm_core.formatting import format_share
from crm_core.messages import render
from crm_core.places import place_names
from crm_core.prepare import prepared_dataset
from crm_core.sample import read_sample
from crm_core.scenarios import Scenario

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(scope="module")
def expected() -> svc.ServiceView:
    prepared = prepared_dataset(read_sample())
    scenario = Scenario()
    values, _ = seg.tier_basis_values(prepared.customers, scenario.tiers)
    codes = seg.tier_codes_of(values, scenario.tiers.thresholds)
    return svc.service_view(prepared, codes, scenario.tiers.labels, svc.ServiceSettings.of(scenario))


@pytest.fixture(scope="module")
def names() -> dict[str, dict[str, str]]:
    customers = read_sample().customers
    return {lang: place_names(customers, "branch", lang) for lang in ("en", "zh")}


def opened(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = {"en": "EN", "zh": "中文"}[lang]
    at.run()
    at.switch_page("pages/service.py").run()
    assert not at.exception, at.exception
    return at


def chart(at: AppTest, title: str) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(s for s in specs if s["layout"]["title"]["text"] == title)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_shows_the_views_numbers(lang, expected, names):
    at = opened(lang)
    bank = expected.bank
    tiles = [m.value for m in at.metric]
    assert tiles == [
        f"{bank['complaints_per_100']:.1f}",
        f"{bank['satisfaction']:.2f}",
        format_share(bank["satisfied_share"]),
        format_share(bank["response_rate"]),
    ]
    assert at.title[0].value == {"en": "Service quality", "zh": "服务质量"}[lang]

    # bars by branch, best first, in the session's language, with the bank and the benchmark as lines
    title = {"en": "Share satisfied (4–5) by branch", "zh": "各网点满意占比（4–5分）"}[lang]
    bars = chart(at, title)
    shown = expected.branches.sort_values("satisfied_share", ascending=False, kind="stable")
    assert bars["data"][0]["y"] == [names[lang].get(u, u) for u in shown["unit"]]
    assert bars["data"][0]["x"] == pytest.approx((shown["satisfied_share"] * 100).tolist())
    assert [shape["x0"] for shape in bars["layout"]["shapes"]] == pytest.approx(
        [bank["satisfied_share"] * 100, expected.benchmark_row("satisfied")["satisfied_share"] * 100]
    )
    assert any(names[lang][expected.satisfaction_benchmark] in c.value for c in at.caption)  # the benchmark named

    # the tier table: one row per tier shown, the complaints column as the view computed it
    table = at.dataframe[0].value
    assert len(table) == len(expected.groups)
    assert table.iloc[0, 2].startswith(f"{expected.groups['complaints_per_100'].iloc[0]:.1f} (")

    # the sample clears complaints at closure: no link is claimed, the statement says what is missing
    assert expected.link.status == "cleared_at_closure"
    assert [w.value for w in at.warning] == [render(expected.link.statement, lang)]
    assert [
        c.value for c in at.caption if c.value.startswith(("Complaints by channel", "A trend", "按渠道", "趋势"))
    ] == [render(need, lang) for need in expected.needs]


def test_switching_language_recomputes_nothing(monkeypatch):
    from ui import service as ui_service

    calls: list[int] = []
    original = svc.service_view

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(svc, "service_view", counted)
    ui_service._view.clear()
    at = opened("en")
    assert calls == [1]  # computed once, through the patched function
    at.segmented_control(key="lang").set_value("中文").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "服务质量" and calls == [1], "switching language recomputed the view"
