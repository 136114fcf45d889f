"""AUM tiers: thresholds, basis, presets, validation and the config's JSON form."""

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from crm_core.messages import names
from crm_core.segments import (
    TIER_PRESETS,
    TierConfig,
    ValueConfig,
    aum_tiers,
    config_from_json,
    config_hash,
    config_json,
    tier_codes_of,
    tier_preset,
    tier_terms,
)


def customers(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], **columns})
    if "is_active" not in frame:
        frame["is_active"] = True
    return frame


def test_value_on_a_threshold_goes_to_the_upper_tier():
    frame = customers(aum=[0.0, 49_999.99, 50_000.0, 499_999.0, 500_000.0, 6_000_000.0, np.nan])
    result = aum_tiers(frame, TierConfig())
    assert result.codes.dtype == np.int8
    assert result.codes.tolist() == [0, 0, 1, 1, 2, 3, -1]
    assert result.labels == ("mass", "affluent", "high net worth", "private")
    assert result.counts().tolist() == [2, 2, 1, 1]


def test_all_equal_and_single_customer():
    assert aum_tiers(customers(aum=[7e5] * 4)).codes.tolist() == [2, 2, 2, 2]
    assert aum_tiers(customers(aum=[1.0])).codes.tolist() == [0]
    assert aum_tiers(customers(aum=np.array([], dtype=float))).codes.tolist() == []


def test_basis_columns_and_six_month_approximation():
    frame = customers(aum=[10.0, 10.0], aum_avg_3m=[100.0, 0.0], aum_avg_12m=[300.0, 40.0])
    thresholds = (50.0, 150.0)
    labels = ("low", "mid", "high")
    by = {b: aum_tiers(frame, TierConfig(thresholds, labels, basis=b)) for b in ("current", "1m", "3m", "6m", "12m")}
    assert by["current"].codes.tolist() == [0, 0] and by["1m"].codes.tolist() == [0, 0]
    assert by["3m"].codes.tolist() == [1, 0]
    assert by["12m"].codes.tolist() == [2, 0]
    assert by["6m"].codes.tolist() == [2, 0]  # (100 + 300) / 2 = 200; (0 + 40) / 2 = 20
    assert any("approximated" in note for note in by["6m"].notes)


def test_missing_average_falls_back_to_current_aum_with_a_note():
    result = aum_tiers(customers(aum=[60_000.0]), TierConfig(basis="12m"))
    assert result.codes.tolist() == [1]
    assert result.notes == ("aum_avg_12m missing: tiered on current AUM instead of the 12m average",)


def test_closed_customers_take_their_tier_from_a_year_ago():
    frame = customers(aum=[0.0, 0.0], aum_12m_ago=[700_000.0, 700_000.0], is_active=[True, False])
    assert aum_tiers(frame).codes.tolist() == [0, 2]
    assert aum_tiers(frame, TierConfig(closed_by_aum_12m_ago=False)).codes.tolist() == [0, 0]


def test_inputs_are_not_mutated():
    frame = customers(aum=[1.0, 2e5, np.nan], aum_12m_ago=[1.0, 2.0, 3.0], is_active=[True, False, True])
    before = frame.copy()
    aum_tiers(frame, TierConfig(basis="6m"))
    pdt.assert_frame_equal(frame, before)


@pytest.mark.parametrize(
    ("thresholds", "labels", "message"),
    [
        ((5e5, 5e4), ("a", "b", "c"), "ascend"),
        ((5e4, 5e4), ("a", "b", "c"), "ascend"),
        ((0.0, 5e4), ("a", "b", "c"), "positive"),
        ((5e4,), ("a", "b", "c"), "labels must number"),
        ((), ("a",), "1 to 5"),
        ((1, 2, 3, 4, 5, 6), tuple("abcdefg"), "1 to 5"),
        ((5e4,), ("a", "a"), "distinct"),
        ((5e4,), ("a", " "), "empty"),
    ],
)
def test_invalid_tier_configs_are_rejected(thresholds, labels, message):
    with pytest.raises(ValueError, match=message):
        TierConfig(thresholds=thresholds, labels=labels)


def test_two_and_six_tiers_are_allowed():
    assert tier_codes_of(np.array([1.0, 2.0]), (2.0,)).tolist() == [0, 1]
    six = TierConfig(thresholds=(1, 2, 3, 4, 5), labels=tuple("abcdef"))
    assert tier_codes_of(np.arange(7.0), six.thresholds).tolist() == [0, 1, 2, 3, 4, 5, 5]


def test_presets():
    assert TIER_PRESETS == ("default", "regulatory", "cmb", "icbc")
    assert tier_preset("default").thresholds == (5e4, 5e5, 6e6)
    assert tier_preset("regulatory").thresholds == (5e4, 1e6, 6e6)
    assert tier_preset("cmb").thresholds == (5e4, 5e5, 1e7)
    assert tier_preset("icbc").thresholds == (5e4, 8e5, 8e6)
    assert names(tier_terms(tier_preset("default")), "zh") == ("大众客户", "富裕客户", "高净值客户", "私人银行客户")
    assert names(tier_terms(tier_preset("cmb")), "zh")[2] == "金葵花客户"
    assert tier_preset("default") == TierConfig()
    with pytest.raises(ValueError, match="unknown tier preset"):
        tier_preset("hsbc")


def test_config_round_trips_through_json_and_hashes_stably():
    config = TierConfig(thresholds=(1e5, 1e6), labels=("小", "中", "大"), basis="3m")
    text = config_json(config)
    assert '"type": "TierConfig"' in text and "小" in text
    assert config_from_json(TierConfig, text) == config
    assert config_hash(config) == config_hash(config_from_json(TierConfig, text))
    assert config_hash(config) != config_hash(TierConfig())
    assert hash(config) == hash(config_from_json(TierConfig, text))
    with pytest.raises(ValueError, match="not a ValueConfig"):
        config_from_json(ValueConfig, text)
