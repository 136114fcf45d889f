"""Migration between schemes, scheme availability and the segment charts."""

import numpy as np
import pandas as pd
import pandas.testing as pdt

from crm_core.dataset import Dataset
from crm_core.messages import render
from crm_core.prepare import prepared_dataset
from crm_core.segments import (
    SCHEMES,
    TierConfig,
    aum_tiers,
    concentration_curve,
    group_profiles,
    migration_matrix,
    migration_message,
    scheme_availability,
    tier_change_message,
    tier_terms,
)
from crm_core.segments.charts import (
    concentration_figure,
    migration_heatmap,
    profile_index_figure,
    silhouette_figure,
)

LABELS = ("mass", "affluent", "high net worth")


def test_migration_matrix_exact():
    before = np.array([0, 1, 1, 1, 2, -1], dtype=np.int8)
    after = np.array([0, 0, 0, 1, 2, 0], dtype=np.int8)
    aum = np.array([1.0, 2e6, 1.1e6, 3.0, 4.0, np.nan])
    counts, money = migration_matrix(before, after, aum, LABELS, LABELS)
    rows = pd.Index([*LABELS, "not assigned"], name="from")
    cols = pd.Index(list(LABELS), name="to")
    pdt.assert_frame_equal(counts, pd.DataFrame([[1, 0, 0], [2, 1, 0], [0, 0, 1], [1, 0, 0]], index=rows, columns=cols))
    pdt.assert_frame_equal(
        money,
        pd.DataFrame([[1.0, 0, 0], [3.1e6, 3.0, 0], [0, 0, 4.0], [0.0, 0, 0]], index=rows, columns=cols),
    )
    assert counts.to_numpy().sum() == len(before)
    message = migration_message(counts, money, "raising the bar")
    sentence = {"en": render(message, "en"), "zh": render(message, "zh").replace("raising the bar", "提高门槛")}
    assert sentence == {
        "en": "raising the bar moves 2 customers (¥3.1M AUM) from affluent down to mass and 1 customer (¥0 AUM) "
        "from not assigned to mass",
        "zh": "提高门槛，2名客户（金融资产¥310万）从affluent降至mass，1名客户（金融资产¥0）从not assigned转入mass",
    }


def test_threshold_change_sentence_on_the_tiny_bank(tiny):
    prepared = prepared_dataset(tiny)
    active = prepared.customers["is_active"].to_numpy()
    old, new = TierConfig(thresholds=(50.0, 200.0), labels=LABELS), TierConfig(thresholds=(150.0, 200.0), labels=LABELS)
    counts, money = migration_matrix(
        aum_tiers(prepared, old).codes[active],
        aum_tiers(prepared, new).codes[active],
        prepared.customers["aum"].to_numpy()[active],
        LABELS,
        LABELS,
    )
    message = migration_message(counts, money, tier_change_message(old, new))
    assert render(message, "en") == (
        "raising the affluent threshold to 150 moves 1 customer (¥100 AUM) from affluent down to mass"
    )
    assert render(message, "zh") == "将affluent门槛提高到150，1名客户（金融资产¥100）从affluent降至mass"
    same = migration_message(*migration_matrix(np.zeros(2), np.zeros(2), np.ones(2), LABELS, LABELS), "x")
    assert (render(same, "en"), render(same, "zh")) == ("x moves no customers", "x，没有客户变动层级")


def test_preset_tiers_are_named_in_the_readers_language():
    """A preset's tiers travel as terms: the Chinese sentence names them in Chinese (was "从affluent降至mass")."""
    terms = tier_terms(TierConfig())
    counts, money = migration_matrix(
        np.array([1, 1, 0]), np.array([0, 0, 0]), np.array([2.0e6, 1.1e6, 1.0]), terms, terms
    )
    old, new = TierConfig(), TierConfig(thresholds=(6e5, 5e5 * 2, 6e6))
    message = migration_message(counts, money, tier_change_message(old, new))
    assert render(message, "zh") == (
        "将富裕客户门槛提高到60万，将高净值客户门槛提高到100万，2名客户（金融资产¥310万）从富裕客户降至大众客户"
    )
    assert render(message, "en") == (
        "raising the affluent threshold to 600K and raising the high net worth threshold to 1M moves "
        "2 customers (¥3.1M AUM) from affluent down to mass"
    )


def test_availability_explains_hidden_schemes(tiny):
    full = scheme_availability(prepared_dataset(tiny))
    assert full["scheme"].tolist() == list(SCHEMES)
    assert full["available"].all()
    bare = Dataset(
        "bare",
        pd.DataFrame({"customer_id": pd.array(["a", "b"], dtype="string"), "aum": [1.0, 2.0]}),
        None,
        None,
        "bare",
    )
    table = scheme_availability(prepared_dataset(bare)).set_index("scheme")
    assert table["available"].to_dict() == {
        "tiers": True,
        "value": True,
        "rfm": False,
        "lifecycle": False,
        "clusters": False,
    }
    assert table.loc["rfm", "missing"] == ("activity",)
    assert table.loc["lifecycle", "missing"] == ("tenure_months", "aum_12m_ago or activity")
    assert render(table.loc["lifecycle", "reason"], "en").endswith("Missing: tenure_months, aum_12m_ago or activity.")
    assert render(table.loc["lifecycle", "reason"], "zh").endswith("缺少：tenure_months、aum_12m_ago or activity。")
    assert render(table.loc["value", "note"], "en").startswith("Value score without: annual_contribution")
    assert table.loc["tiers", "reason"] is None and table.loc["tiers", "note"] is None


def test_charts_are_built_from_aggregates(tiny):
    prepared = prepared_dataset(tiny)
    tiers = aum_tiers(prepared, TierConfig(thresholds=(200.0,), labels=("low", "high")))
    profiles = group_profiles(prepared, tiers.codes, tiers.labels, min_customers=1)
    figure = profile_index_figure(profiles, {"average_aum": "Average AUM", "churn_rate": "Churn"}, "Profiles")
    assert [t.name for t in figure.data] == ["low", "high"]
    assert list(figure.data[0].y) == ["Average AUM", "Churn"] and list(figure.data[0].x) == [50.0, 0.0]
    assert figure.layout.title.text == "Profiles" and figure.layout.xaxis.title.text == "index (bank = 100)"
    suppressed = profiles.assign(suppressed=[True, False, False])  # and the empty not-assigned row is left out
    assert [t.name for t in profile_index_figure(suppressed, {"average_aum": "A"}, "P").data] == ["high"]

    curve = concentration_figure(concentration_curve(np.array([1.0, 3.0])), "Lorenz", "customers", "AUM")
    assert len(curve.data) == 2 and list(curve.data[1].y) == [0.0, 0.25, 1.0]
    assert curve.layout.yaxis.title.text == "AUM"

    counts, _ = migration_matrix(np.array([0, 1]), np.array([0, 0]), np.ones(2), ["a", "b"], ["a", "b"])
    heat = migration_heatmap(counts, "Moves", "after", "before")
    assert heat.data[0].type == "heatmap" and list(heat.data[0].y) == ["a", "b"]
    assert heat.layout.xaxis.title.text == "after"

    scores = pd.DataFrame({"k": [2, 3, 4], "silhouette": [0.3, 0.5, 0.4]})
    bars = silhouette_figure(scores, "Silhouette", "k", "score", chosen_k=3)
    assert list(bars.data[0].marker.color) == ["#2471A3", "#C0392B", "#2471A3"]
