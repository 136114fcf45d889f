"""k-means clusters: reproducible, recover a planted structure, described in words."""

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from sklearn.metrics import adjusted_rand_score

from crm_core.messages import render
from crm_core.segments import ClusterConfig, cluster_descriptions, customer_clusters, silhouette_scores
from crm_core.segments.clusters import cluster_features
from crm_core.segments.config import STRUCTURE_SILHOUETTE


def planted(n_per: int = 120, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """Three customer types: young digital savers, middle-aged mass, older wealthy branch users."""
    rng = np.random.default_rng(seed)
    truth = np.repeat([0, 1, 2], n_per)
    age = np.array([28.0, 45.0, 68.0])[truth] + rng.normal(0, 2, len(truth))
    aum = np.exp(np.array([8.0, 10.0, 14.0])[truth] + rng.normal(0, 0.2, len(truth)))
    counter = np.array([1.0, 6.0, 20.0])[truth] + rng.normal(0, 0.8, len(truth))
    frame = pd.DataFrame({"age": age, "aum": aum, "counter_txn_12m": counter, "is_active": True, "other": "x"})
    frame.loc[len(frame)] = [40.0, 1e5, 3.0, False, "closed"]
    return frame, truth


CONFIG = ClusterConfig(features=("age", "aum", "counter_txn_12m", "not_a_column"), k=3, n_init=4)


def test_planted_clusters_are_recovered_and_described():
    frame, truth = planted()
    before = frame.copy()
    result = customer_clusters(frame, CONFIG)
    codes = result.segmentation.codes
    assert codes.dtype == np.int8 and codes[-1] == -1  # closed customer not clustered
    assert adjusted_rand_score(truth, codes[:-1]) == 1.0
    # renumbered by AUM: cluster 1 the poorest, cluster 3 the wealthiest
    assert codes[:-1].tolist() == truth.tolist()
    assert result.segmentation.labels == ("cluster 1", "cluster 2", "cluster 3")
    assert result.features == ("age", "aum", "counter_txn_12m")
    assert result.silhouette > 0.7 and result.structured  # well separated: names are earned
    # the strongest features first, whichever order they come in
    assert set(render(result.descriptions[2], "en").split(", ")) == {"older", "high AUM", "branch-reliant"}
    assert set(render(result.descriptions[2], "zh").split("、")) == {"年龄偏大", "金融资产高", "依赖网点柜台"}
    assert set(render(result.descriptions[0], "en").split(", ")) == {"younger", "low AUM", "rarely at the counter"}
    pdt.assert_frame_equal(frame, before)


def test_clusters_without_structure_are_numbered_not_named():
    """One Gaussian cloud: k-means still returns k groups, but the silhouette says they are not real."""
    rng = np.random.default_rng(11)
    features = ("age", "score", "products_held", "tenure_months", "digital_share_12m")
    frame = pd.DataFrame(rng.normal(0, 1, (600, 5)), columns=list(features)).assign(is_active=True)
    result = customer_clusters(frame, ClusterConfig(features=features, k=4, silhouette_rows=300))
    assert result.silhouette < STRUCTURE_SILHOUETTE == 0.25
    assert not result.structured
    assert result.descriptions == ()
    assert result.segmentation.labels == ("cluster 1", "cluster 2", "cluster 3", "cluster 4")
    scores = silhouette_scores(frame, ClusterConfig(features=features, silhouette_rows=300), range(4, 5))
    assert scores["silhouette"].iloc[0] == pytest.approx(result.silhouette, abs=0.02)  # same sample


def test_transaction_counts_are_log_scaled():
    """One customer with 1,000 counter visits no longer sits a thousand units from the rest."""
    frame = pd.DataFrame({"counter_txn_12m": [0.0, 9.0, 99.0, 999.0], "age": [30.0, 40.0, 50.0, 60.0]})
    matrix, used = cluster_features(frame, ("counter_txn_12m", "age"))
    assert used == ("counter_txn_12m", "age")
    np.testing.assert_allclose(matrix[:, 0], np.log([1.0, 10.0, 100.0, 1000.0]))
    np.testing.assert_array_equal(matrix[:, 1], [30.0, 40.0, 50.0, 60.0])


def test_clusters_are_reproducible_with_a_fixed_seed():
    frame, _ = planted(seed=5)
    first = customer_clusters(frame, ClusterConfig(features=("age", "aum"), k=4, random_state=7, fit_rows=100))
    second = customer_clusters(frame, ClusterConfig(features=("age", "aum"), k=4, random_state=7, fit_rows=100))
    np.testing.assert_array_equal(first.segmentation.codes, second.segmentation.codes)
    pdt.assert_frame_equal(first.centres, second.centres)


def test_silhouette_picks_the_planted_k():
    frame, _ = planted()
    scores = silhouette_scores(frame, ClusterConfig(features=("age", "aum", "counter_txn_12m"), silhouette_rows=200))
    assert scores["k"].tolist() == list(range(2, 9))
    assert scores.loc[scores["silhouette"].idxmax(), "k"] == 3
    again = silhouette_scores(frame, ClusterConfig(features=("age", "aum", "counter_txn_12m"), silhouette_rows=200))
    pdt.assert_frame_equal(scores, again)


def test_clustering_needs_two_features_and_enough_customers():
    frame, _ = planted(n_per=2)
    with pytest.raises(ValueError, match="two of"):
        customer_clusters(frame, ClusterConfig(features=("age", "nope")))
    with pytest.raises(ValueError, match="cannot form"):
        customer_clusters(frame, ClusterConfig(features=("age", "aum"), k=8))


def test_descriptions_fall_back_to_the_average():
    centres = pd.DataFrame({"age": [0.1, -0.9], "mystery": [0.2, 0.7]})
    phrases = cluster_descriptions(centres)
    assert [render(p, "en") for p in phrases] == ["close to the bank average", "younger, high mystery"]
    assert [render(p, "zh") for p in phrases] == ["接近全行平均", "年龄偏小、mystery偏高"]
