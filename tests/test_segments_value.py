"""Value score: the per-dataset matrix, weights that always total 100%, and the cut into classes."""

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_core.segments import (
    ValueConfig,
    normalised_weights,
    rebalanced_percentages,
    value_classes,
    value_matrix,
    value_scores,
    value_segments,
    weight_percentages,
)


def bank() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "aum": [10.0, 20.0, 20.0, 40.0, 999.0],
            "products_held": [1, 1, 1, 1, 9],
            "digital_share_12m": [np.nan, 0.0, 0.5, 1.0, 1.0],
            "is_active": [True, True, True, True, False],
        }
    )


def test_percentile_matrix_exact():
    matrix = value_matrix(bank())
    assert matrix.indicators == ("aum", "products_held", "digital_share_12m")
    assert matrix.matrix.dtype == np.float32 and matrix.matrix.shape == (5, 3)
    expected = np.array(
        [
            [0.0, 0.5, 0.5],  # lowest AUM; products all equal → 0.5; missing digital share → 0.5
            [0.5, 0.5, 0.0],  # tied AUM share the average rank
            [0.5, 0.5, 0.5],
            [1.0, 0.5, 1.0],
            [0.0, 0.0, 0.0],  # closed: not scored
        ],
        dtype=np.float32,
    )
    np.testing.assert_array_equal(matrix.matrix, expected)
    assert matrix.assignable.tolist() == [True, True, True, True, False]


def test_minmax_matrix_exact():
    matrix = value_matrix(bank(), normalisation="minmax")
    np.testing.assert_allclose(matrix.matrix[:4, 0], [0.0, 1 / 3, 1 / 3, 1.0], rtol=1e-6)
    np.testing.assert_array_equal(matrix.matrix[:4, 2], np.array([0.5, 0.0, 0.5, 1.0], dtype=np.float32))
    with pytest.raises(ValueError, match="normalisation"):
        value_matrix(bank(), normalisation="zscore")


def test_scores_and_classes():
    matrix = value_matrix(bank())
    scores = value_scores(matrix, {"aum": 2, "products_held": 0, "digital_share_12m": 2, "not_there": 5})
    np.testing.assert_allclose(scores[:4], [0.25, 0.25, 0.5, 1.0])
    assert np.isnan(scores[4])
    classes = value_classes(scores, ValueConfig(cutoffs=(0.25, 0.5, 0.9)))
    # on a cut-off → upper class; closed customer → -1
    assert classes.codes.tolist() == [1, 1, 2, 3, -1]
    assert classes.labels == ("sleeping", "low_value", "valuable", "high_value_added")
    # all weights zero → equal weights over the indicators present
    np.testing.assert_allclose(value_scores(matrix, {})[:4], [1 / 3, 1 / 3, 0.5, 2.5 / 3], rtol=1e-6)


def test_top_share_classes_with_ties_moving_up():
    scores = np.array([0.9, 0.8, 0.7, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0], dtype=np.float32)
    config = ValueConfig(method="top_shares", top_shares=(0.1, 0.2, 0.3))
    codes = value_classes(scores, config).codes
    # top 10%: 0.9; next to 30%: down to the 3rd score 0.7 — its tie joins; to 60%: 0.4
    assert codes.tolist() == [3, 2, 2, 2, 1, 1, 0, 0, 0, 0]


def test_one_customer_and_all_equal():
    one = pd.DataFrame({"aum": [5.0], "is_active": [True]})
    assert value_segments(value_matrix(one)).codes.tolist() == [1]  # neutral 0.5 → "low_value" at 0.35
    equal = pd.DataFrame({"aum": [5.0] * 3, "products_held": [2] * 3, "is_active": [True] * 3})
    assert set(value_segments(value_matrix(equal)).codes.tolist()) == {1}


def test_weight_change_does_not_touch_the_matrix_or_the_frame():
    frame = bank()
    before = frame.copy()
    matrix = value_matrix(frame)
    snapshot = matrix.matrix.copy()
    value_segments(matrix, ValueConfig(weights=(("aum", 1.0),)))
    np.testing.assert_array_equal(matrix.matrix, snapshot)
    pdt.assert_frame_equal(frame, before)


def test_normalised_weights():
    assert normalised_weights({"a": 1, "b": 3}) == {"a": 0.25, "b": 0.75}
    assert normalised_weights({}) == {}
    with pytest.raises(ValueError):
        normalised_weights({"a": -1})


def test_weight_percentages_and_rebalance_examples():
    assert weight_percentages({"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert rebalanced_percentages({"a": 50, "b": 30, "c": 20}, "a", 70) == {"a": 70, "b": 18, "c": 12}
    assert rebalanced_percentages({"a": 100, "b": 0, "c": 0}, "a", 40) == {"a": 40, "b": 30, "c": 30}
    assert rebalanced_percentages({"a": 100}, "a", 10) == {"a": 100}
    assert rebalanced_percentages({"a": 50, "b": 50}, "b", 150) == {"a": 0, "b": 100}


@given(
    st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 100), min_size=1, max_size=6),
    st.integers(-20, 130),
    st.data(),
)
def test_sliders_always_total_100(start, value, data):
    sliders = weight_percentages(start)
    assert sum(sliders.values()) == 100
    changed = data.draw(st.sampled_from(sorted(sliders)))
    after = rebalanced_percentages(sliders, changed, value)
    assert sum(after.values()) == 100
    assert list(after) == list(sliders)
    assert all(0 <= p <= 100 and isinstance(p, int) for p in after.values())
    if len(sliders) > 1:
        assert after[changed] == min(max(value, 0), 100)
    again = rebalanced_percentages(after, changed, after[changed])
    assert sum(again.values()) == 100


def test_value_config_validation():
    with pytest.raises(ValueError, match="non-negative"):
        ValueConfig(weights=(("aum", -1.0),))
    with pytest.raises(ValueError, match="ascend"):
        ValueConfig(cutoffs=(0.5, 0.4, 0.6))
    with pytest.raises(ValueError, match="sum"):
        ValueConfig(top_shares=(0.5, 0.4, 0.3))


def test_scores_and_classes_in_chunks_equal_one_pass(monkeypatch):
    from crm_core.segments import value as value_module

    rng = np.random.default_rng(4)
    n = 1_000
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "aum": rng.lognormal(10, 2, n),
            "products_held": rng.integers(0, 8, n),
            "digital_share_12m": rng.random(n),
            "is_active": rng.random(n) < 0.8,  # inactive customers in every chunk
        }
    )
    matrix = value_matrix(frame)
    weights = {"aum": 50, "products_held": 30, "digital_share_12m": 20}
    config = ValueConfig(top_shares=(0.05, 0.15, 0.3))
    whole = value_classes(value_scores(matrix, weights), config)
    monkeypatch.setattr(value_module, "CHUNK_ROWS", 64)  # 16 chunks, the last one partial
    scores = value_scores(matrix, weights)
    np.testing.assert_array_equal(np.isnan(scores), ~frame["is_active"].to_numpy())
    np.testing.assert_array_equal(value_classes(scores, config).codes, whole.codes)
