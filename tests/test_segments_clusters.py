"""k-means clusters: reproducible, recover a planted structure, described in words."""

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from sklearn.metrics import adjusted_rand_score

from crm_core.segments import ClusterConfig, cluster_descriptions, customer_clusters, silhouette_scores


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
    # the strongest features first, whichever order they come in
    assert set(result.descriptions["en"][2].split(", ")) == {"older", "high AUM", "branch-reliant"}
    assert set(result.descriptions["zh"][2].split("、")) == {"年龄偏大", "资产高", "依赖网点柜台"}
    assert result.descriptions["en"][0].startswith("younger")
    pdt.assert_frame_equal(frame, before)


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
    assert cluster_descriptions(centres) == {
        "en": ("close to the bank average", "younger, high mystery"),
        "zh": ("接近全行平均", "年龄偏小、high mystery"),
    }
