"""The Segments view is one result: exact figures on a hand-built bank, computed once per settings (issue 17)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import crm_core.segments as seg
import crm_core.segments.view as segment_view_module
import crm_core.visits as vis
import crm_core.visits.view as visit_view_module
from crm_core.dataset import Dataset
from crm_core.prepare import prepared_dataset
from crm_core.scenarios import Scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bank():
    """Six open customers: AUM 50, 150, 150, 500, 2,000 and 5,000 in branches N and S."""
    customers = pd.DataFrame(
        {
            "customer_id": pd.array(list("ABCDEF"), dtype="string"),
            "aum": [50.0, 150.0, 150.0, 500.0, 2000.0, 5000.0],
            "branch": pd.array(["N", "N", "S", "S", "S", "N"], dtype="string"),
        }
    )
    return prepared_dataset(Dataset("hand", customers, None, None, fingerprint="hand"))


SETTINGS = seg.SegmentSettings(
    "tiers",
    seg.TierConfig((100.0, 1000.0), ("low", "mid", "high")),
    seg.ValueConfig(),
    seg.RfmConfig(),
    seg.LifecycleConfig(),
    seg.ClusterConfig(),
    min_group_customers=1,
    baseline_tiers=seg.TierConfig((200.0, 1000.0), ("a", "b", "c")),
)


def test_tiers_profiles_and_migration_are_the_hand_computed_figures(bank):
    view = seg.segments_view(bank, SETTINGS)
    profiles = view.profiles
    assert profiles["group"].tolist() == ["low", "mid", "high", seg.NOT_ASSIGNED_LABEL]  # no words of a language
    assert profiles["customers"].tolist() == [1, 3, 2, 0]
    assert profiles["aum"].tolist() == [50.0, 800.0, 7000.0, 0.0]
    # the baseline's bounds (200 / 1,000) under the current names: the two 150s move up from low to mid
    assert view.baseline == seg.TierConfig((200.0, 1000.0), ("low", "mid", "high"))
    assert view.migration_counts.to_numpy().tolist() == [[1, 2, 0], [0, 1, 0], [0, 0, 2]]
    assert view.migration_aum.loc["low", "mid"] == 300.0
    assert view.moved == 2
    assert view.largest_tier_share == 0.5 and view.data_bounds == ()
    assert view.total_aum == 7850.0
    assert view.drilldowns[1].branches["name"].tolist() == ["S", "N"]
    assert view.drilldowns[1].branches["customers"].tolist() == [2, 1]


def test_small_groups_are_suppressed_with_their_complement(bank):
    view = seg.segments_view(bank, replace(SETTINGS, min_group_customers=2))
    assert view.hidden == (0, 2)  # low (1 customer) and, so it cannot be subtracted out, high
    assert view.profiles["group"].tolist() == ["mid", seg.NOT_ASSIGNED_LABEL, seg.SUPPRESSED_LABEL]
    assert view.profiles["customers"].tolist() == [3, 0, 3]
    assert view.profiles["aum"].tolist() == [800.0, 0.0, 7050.0]


def test_a_concentrated_bank_is_offered_data_bounds(bank):
    view = seg.segments_view(bank, replace(SETTINGS, tiers=seg.TierConfig((1e6, 1e7), ("low", "mid", "high"))))
    assert view.largest_tier_share == 1.0
    assert len(view.data_bounds) >= 2 and list(view.data_bounds) == sorted(view.data_bounds)


def test_schemes_without_a_baseline_have_no_migration(bank):
    # the view reads its scheme from the sources it is given (an app passes cached ones)
    stages = seg.Segmentation(np.array([0, 0, 1, 1, 1, 1], dtype=np.int8), ("formation", "stable"), ())
    sources = replace(seg.SegmentSources.of(bank), lifecycle=lambda config: stages)
    view = seg.segments_view(bank, replace(SETTINGS, scheme="lifecycle"), sources)
    assert view.profiles["customers"].tolist() == [2, 4, 0]
    assert view.migration_counts is None and view.baseline is None and view.moved == 0


def test_the_scenario_settings_are_what_the_view_reads():
    scenario = Scenario()
    settings = seg.SegmentSettings.of(scenario)
    assert (settings.scheme, settings.tiers, settings.min_group_customers) == (
        scenario.views.segment_scheme,
        scenario.tiers,
        scenario.suppression.min_customers,
    )
    assert settings.baseline_tiers == Scenario().tiers  # "Baseline (current practice)"


def test_the_segment_chain_is_written_once():
    """Only the view builds drill-downs, data-following bounds and the migration against the baseline.

    The deck's tiering step reads the view's migration; ``migration_matrix`` is otherwise called only by
    the scenario comparison (one scenario's tiers against another's, not a baseline): listed, so a new copy fails.
    """
    found: dict[str, list[str]] = {"group_drilldowns": [], "percentile_thresholds": [], "migration_matrix": []}
    for folder in ("crm_core", "ui", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            body = path.read_text(encoding="utf-8")
            for name, callers in found.items():
                if re.search(rf"\b{name}\(", body) and f"def {name}" not in body:
                    callers.append(path.relative_to(ROOT).as_posix())
    assert found["group_drilldowns"] == ["crm_core/segments/view.py"]
    assert found["percentile_thresholds"] == ["crm_core/segments/view.py"]
    assert sorted(found["migration_matrix"]) == [
        "crm_core/comparison.py",
        "crm_core/segments/view.py",
    ]


ANALYTICS = (
    (vis, "visits_view"),
    (vis, "visit_cube"),
    (vis, "visit_fits"),
    (visit_view_module, "segment_declines"),
    (visit_view_module, "what_if_base"),
    (seg, "segments_view"),
    (seg, "profile_inputs"),
    (seg, "tier_basis_values"),
    (segment_view_module, "group_profiles"),
    (segment_view_module, "migration_matrix"),
    (segment_view_module, "group_drilldowns"),
)


@pytest.mark.slow
@pytest.mark.parametrize(("page", "start", "switch"), [("visits", "EN", "中文"), ("segments", "EN", "中文")])
def test_switching_language_recomputes_no_analytics(page, start, switch, monkeypatch):
    calls: list[str] = []
    for module, name in ANALYTICS:
        original = getattr(module, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = start
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    assert f"{page}_view" in calls, calls  # the counting sees the view being built (caches cleared first)
    title = at.title[0].value
    calls.clear()
    at.segmented_control(key="lang").set_value(switch).run()
    assert not at.exception, at.exception
    assert at.title[0].value != title, "the page did not re-render in the other language"
    assert calls == [], f"switching language recomputed {calls}"
