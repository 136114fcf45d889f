"""AppTest of the Segments page, by widget key, against what crm_core computes."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from crm_core import segments as seg
from crm_core.prepare import prepared_dataset
from crm_core.sample import read_sample

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(scope="module")
def prepared():
    return prepared_dataset(read_sample())


def open_segments() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/segments.py").run()
    assert not at.exception, at.exception
    return at


def customers_column(at: AppTest) -> list[int]:
    """The profile table: the page's first table with a Group and a Customers column."""
    table = next(d.value for d in at.dataframe if {"Group", "Customers"} <= set(d.value.columns))
    return table["Customers"].tolist()


def test_default_tiers_match_crm_core(prepared):
    at = open_segments()
    expected = seg.group_profiles(
        prepared, seg.aum_tiers(prepared, seg.tier_preset("default")).codes, seg.tier_preset("default").labels
    )
    assert customers_column(at) == expected["customers"].tolist()
    assert sum(customers_column(at)) == int(prepared.customers["is_active"].sum())
    assert any("Same groups as the baseline" in c.value for c in at.caption)


def test_moving_a_threshold_updates_profiles_and_migration(prepared):
    at = open_segments()
    at.number_input(key="tiers.thresholds.1@en").set_value(600.0).run()  # affluent -> HNW boundary to ¥600K
    assert not at.exception
    config = seg.TierConfig(thresholds=(5e4, 6e5, 6e6), labels=seg.tier_preset("default").labels)
    codes = seg.aum_tiers(prepared, config).codes
    expected = seg.group_profiles(prepared, codes, config.labels)
    assert customers_column(at) == expected["customers"].tolist()
    base = seg.aum_tiers(prepared, seg.tier_preset("default")).codes
    moved = int(np.count_nonzero((base == 2) & (codes == 1)))
    assert moved > 0
    sentence = next(m.value for m in at.markdown if "threshold" in m.value)
    assert sentence.startswith("raising the high net worth threshold to 600K moves")
    assert f"{moved:,} customers" in sentence and "down to affluent" in sentence


def test_preset_switch_loads_its_thresholds():
    at = open_segments()
    at.selectbox(key="tiers.preset@en").set_value("cmb").run()
    assert not at.exception
    assert at.number_input(key="tiers.thresholds.2@en").value == 10000.0  # ¥K in English
    assert at.text_input(key="tiers.labels.2@en").value == "sunflower"


def test_value_weights_always_sum_to_100_and_drive_classes(prepared):
    at = open_segments()
    at.segmented_control(key="views.segment_scheme@en").set_value("value").run()
    before = customers_column(at)
    at.slider(key="value.weights.aum").set_value(80).run()
    assert not at.exception
    weights = dict(at.session_state["scenario_active"].value.weights)  # the scenario is the store
    assert sum(weights.values()) == 100 and weights["aum"] == 80
    shown = {k: at.slider(key=f"value.weights.{k}").value for k in weights}
    assert shown == weights
    matrix = seg.value_matrix(prepared, "percentile")
    config = seg.ValueConfig(weights=tuple(weights.items()))
    expected = seg.group_profiles(prepared, seg.value_segments(matrix, config).codes, config.labels)
    assert customers_column(at) == expected["customers"].tolist() != before


@pytest.mark.parametrize("scheme", ["rfm", "lifecycle", "clusters"])
def test_other_schemes_render_and_reconcile(scheme, prepared):
    at = open_segments()
    at.segmented_control(key="views.segment_scheme@en").set_value(scheme).run()
    assert not at.exception, at.exception
    assert sum(customers_column(at)) == int(prepared.customers["is_active"].sum())


def test_a_tiny_top_tier_folds_into_the_suppressed_row_and_totals_reconcile(prepared):
    """The issue's case: a fifth tier at 3000万 made AUM shares sum to 83% while the caption said they reconciled."""
    at = open_segments()
    at.number_input(key="tiers.count").set_value(5).run()  # the new tier starts at ten times the last bound
    assert not at.exception, at.exception
    config = at.session_state["scenario_active"].tiers
    codes = seg.aum_tiers(prepared, config).codes
    expected = seg.group_profiles(prepared, codes, config.labels)
    assert (expected["code"] == seg.SUPPRESSED_CODE).any()  # the top tiers are small in the sample
    table = next(d.value for d in at.dataframe if {"Group", "Customers"} <= set(d.value.columns))
    assert table["Customers"].tolist() == expected["customers"].tolist()
    assert table["Group"].iloc[-1] == "suppressed (small groups together)"
    assert table["Customers"].sum() == int(prepared.customers["is_active"].sum())
    assert table["AUM share"].sum() == pytest.approx(1.0)
    assert any("customer shares sum to 100.0%, AUM shares to 100.0%" in c.value for c in at.caption)
    assert any("are counted together in the suppressed row" in c.value for c in at.caption)


def test_clusters_without_structure_are_numbered_and_said_so(prepared):
    at = open_segments()
    at.segmented_control(key="views.segment_scheme@en").set_value("clusters").run()
    assert not at.exception, at.exception
    clusters = seg.customer_clusters(prepared, at.session_state["scenario_active"].clusters)
    assert not clusters.structured  # the sample's silhouettes are 0.15-0.19 for every k
    assert any("no strong natural groups" in i.value for i in at.info)
    table = next(d.value for d in at.dataframe if {"Group", "Customers"} <= set(d.value.columns))
    assert table["Group"].tolist()[:4] == ["Cluster 1", "Cluster 2", "Cluster 3", "Cluster 4"]
