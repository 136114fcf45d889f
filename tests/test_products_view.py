"""The Product gap view is one result: computed once, read by every surface, in any language (issue 17)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import crm_core.loyalty as loy
import crm_core.products as prod
import crm_core.staff as staff
import crm_core.visits as vis
from crm_core import segments as seg
from crm_core.comparison import scenario_summary
from crm_core.playbook import executive_findings, segment_playbook
from crm_core.prepare import prepared_dataset
from crm_core.report import report_content
from crm_core.scenarios import Scenario
from tests.conftest import tiny_dataset

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tiny():
    return prepared_dataset(tiny_dataset())


def test_the_view_is_the_chain_on_language_free_labels(tiny):
    scenario = Scenario()
    tiers = seg.aum_tiers(tiny, scenario.tiers)
    view = prod.products_view(tiny, tiers.codes, scenario.tiers.labels, prod.ProductSettings.of(scenario))
    matrix = prod.holding_matrix(tiny)
    gaps = prod.penetration_gaps(matrix, tiers.codes, scenario.tiers.labels, scenario.product_benchmark)
    offered = gaps[gaps["product"].isin(scenario.offered_products)].reset_index(drop=True)
    aum = tiny.customers["aum"].to_numpy(dtype=float)
    suitable = prod.suitable_products(prod.risk_levels_of(tiny), matrix.products)
    offers = prod.customer_offers(
        matrix.held, matrix.active, suitable, aum, matrix.products, scenario.offered_products, scenario.sizing
    )
    expected = prod.opportunity_sizing(offered, offers, tiers.codes, scenario.sizing)
    pd.testing.assert_frame_equal(view.sizing[list(prod.SIZING_COLUMNS)], expected)
    pd.testing.assert_frame_equal(view.gaps, gaps)
    assert view.opportunity_value == pytest.approx(float(offers.expected[tiers.codes >= 0].sum()))
    assert view.gap_value == pytest.approx(float(expected["gap_value"].sum()))
    # groups are the configuration's own labels, never words of a language
    assert set(view.sizing["group"]) <= set(scenario.tiers.labels)
    assert set(view.sizing["product"]) <= set(scenario.offered_products)


def test_offers_computed_once_serve_another_tier_scheme(small_sample):
    """The Scenarios page's second scheme reads the first one's offers: its view is the one computed afresh."""
    sample = prepared_dataset(small_sample)
    baseline, stable = Scenario(), Scenario(tiers=seg.TierConfig(basis="3m"))
    settings, other = prod.ProductSettings.of(baseline), prod.ProductSettings.of(stable)
    assert prod.offers_key(settings) == prod.offers_key(other)
    offers = prod.offers_of(sample, prod.holding_matrix(sample), settings)
    codes = seg.aum_tiers(sample, stable.tiers).codes
    assert not np.array_equal(codes, seg.aum_tiers(sample, baseline.tiers).codes)
    shared = prod.products_view(sample, codes, stable.tiers.labels, other, offers=offers)
    fresh = prod.products_view(sample, codes, stable.tiers.labels, other)
    pd.testing.assert_frame_equal(shared.sizing, fresh.sizing)
    pd.testing.assert_series_equal(shared.totals, fresh.totals)
    assert shared.opportunity_value > 0
    cheaper = replace(baseline, sizing=replace(baseline.sizing, cannibalisation_share=0.9))
    assert prod.offers_key(prod.ProductSettings.of(cheaper)) != prod.offers_key(settings)


def test_relabelled_names_groups_and_benchmark_sources_only():
    frame = pd.DataFrame({"group": ["mass", "affluent"], "benchmark_source": ["affluent", ""], "x": ["mass", "y"]})
    out = prod.relabelled(frame, {"mass": "大众客户", "affluent": "富裕客户"}, ("group", "benchmark_source"))
    assert out["group"].tolist() == ["大众客户", "富裕客户"]
    assert out["benchmark_source"].tolist() == ["富裕客户", ""]
    assert out["x"].tolist() == ["mass", "y"]
    assert frame["group"].tolist() == ["mass", "affluent"]  # the view's frame is not touched


def test_no_view_without_products(tiny):
    bare = replace(tiny, products=())
    assert (
        prod.products_view(bare, np.zeros(len(tiny.customers), int), ("a",), prod.ProductSettings.of(Scenario()))
        is None
    )


def test_every_surface_reads_the_view_it_is_given(tiny):
    """Report, findings, plays and comparison take the view as given: a doubled economics shows everywhere."""
    scenario = Scenario()
    tiers = seg.aum_tiers(tiny, scenario.tiers)
    view = prod.products_view(tiny, tiers.codes, scenario.tiers.labels, prod.ProductSettings.of(scenario))
    doubled = replace(view, totals=view.totals * 2)
    assert scenario_summary(tiny, scenario, product_view=doubled).opportunity_value == pytest.approx(
        2 * view.opportunity_value
    )
    report = report_content(tiny, scenario, "en", product_view=view)
    opportunities = dict(report.tables)["opportunities"]
    assert float(opportunities["opportunity_value"].sum()) == pytest.approx(view.opportunity_value)
    plays = segment_playbook(tiny, scenario, product_view=view)
    assert len(plays) == len(scenario.tiers.labels)
    assert executive_findings(tiny, scenario, product_view=view) is not None


def test_the_gap_chain_is_written_once():
    """Only the view assembles holding matrix → gaps → offered products → sizing (``duplicates`` stays clean)."""
    callers = []
    for folder in ("crm_core", "ui", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            body = path.read_text(encoding="utf-8")
            if re.search(r"\bopportunity_sizing\(", body) and "def opportunity_sizing" not in body:
                callers.append(path.relative_to(ROOT).as_posix())
    assert callers == ["crm_core/products/view.py"], callers


ANALYTICS = (
    (prod, "products_view"),
    (prod, "holding_matrix"),
    (prod, "co_holding"),
    (prod, "propensity_models"),
    (loy, "churn_risk_model"),
    (vis, "visit_cube"),
    (staff, "staff_scorecard"),
)


@pytest.mark.slow
@pytest.mark.parametrize(("page", "start", "switch"), [("products", "EN", "中文"), ("playbook", "中文", "EN")])
def test_switching_language_recomputes_no_analytics(page, start, switch, monkeypatch):
    calls: list[str] = []
    for module, name in ANALYTICS:
        original = getattr(module, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = start
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    title = at.title[0].value
    calls.clear()
    # (AppTest keeps a language-keyed option widget's stale formatter: one switch per session here;
    # the browser tests switch back and forth.)
    at.segmented_control(key="lang").set_value(switch).run()
    assert not at.exception, at.exception
    assert at.title[0].value != title, "the page did not re-render in the other language"
    assert calls == [], f"switching language recomputed {calls}"
