"""RFM scores and segments, and lifecycle stages, on hand-built customers."""

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from crm_core.contract import CHANNELS
from crm_core.messages import render
from crm_core.segments import (
    LIFECYCLE_STAGES,
    RFM_RULES,
    LifecycleConfig,
    RfmConfig,
    lifecycle_rules,
    lifecycle_stages,
    quintile_scores,
    rfm_scores,
    rfm_segments,
)


def with_channels(frame: pd.DataFrame, counter: list[int], mobile: list[int], prev: list[int] | None = None):
    for channel in CHANNELS:
        frame[f"{channel}_txn_12m"] = counter if channel == "counter" else mobile if channel == "mobile" else 0
        frame[f"{channel}_txn_prev_12m"] = (prev if channel == "counter" else 0) if prev is not None else 0
    return frame


def rfm_bank() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "customer_id": list("abcdef"),
            "aum": [100.0, 300.0, 50.0, 0.0, 1000.0, 5.0],
            "annual_contribution": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "months_since_active": [0, 0, 1, 3, -1, 20],
            "is_active": [True, True, True, True, True, False],
        }
    )
    return with_channels(frame, counter=[5, 5, 2, 0, 0, 1], mobile=[10, 10, 0, 0, 0, 0])


def test_quintile_scores():
    assert quintile_scores(np.arange(10.0)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quintile_scores(np.array([3.0, 3.0, 3.0])).tolist() == [5, 5, 5]  # ties share the higher score
    assert quintile_scores(np.array([1.0])).tolist() == [5]
    assert quintile_scores(np.array([np.nan, 2.0])).tolist() == [0, 5]
    # row order never changes a score
    values = np.array([5.0, 1, 1, 3, 9, 3, 3])
    order = np.array([3, 0, 6, 1, 5, 2, 4])
    assert quintile_scores(values[order]).tolist() == quintile_scores(values)[order].tolist()


def test_rfm_scores_exact():
    scores = rfm_scores(rfm_bank())
    nan = np.nan
    expected = pd.DataFrame(
        {
            "recency_months": [0.0, 0.0, 1.0, 3.0, nan, nan],  # e never transacted; f is closed
            "frequency": [15.0, 15.0, 2.0, 0.0, 0.0, nan],
            "monetary": [100.0, 300.0, 50.0, 0.0, 1000.0, nan],
            "r": np.array([5, 5, 3, 2, 1, 0], dtype=np.int8),
            "f": np.array([5, 5, 3, 2, 2, 0], dtype=np.int8),
            "m": np.array([3, 4, 2, 1, 5, 0], dtype=np.int8),
            "fm": np.array([4, 5, 3, 2, 4, 0], dtype=np.int8),
        }
    )
    pdt.assert_frame_equal(scores, expected)


def test_rfm_segments_exact_and_editable():
    scores = rfm_scores(rfm_bank())
    segments = rfm_segments(scores)
    assert segments.labels == tuple(rule[0] for rule in RFM_RULES)
    names = [segments.labels[c] if c >= 0 else None for c in segments.codes]
    assert names == ["champions", "champions", "loyal", "hibernating", "at_risk", None]
    custom = RfmConfig(segments=(("best", 5, 5, 5, 5), ("rest", 2, 5, 1, 5)))
    edited = rfm_segments(scores, custom)
    assert edited.codes.tolist() == [1, 0, 1, 1, -1, -1]
    assert edited.notes == ("1 scored customers match no segment rule",)


def test_default_rfm_map_covers_every_cell():
    r, fm = np.meshgrid(np.arange(1, 6), np.arange(1, 6))
    cells = pd.DataFrame({"r": r.ravel().astype(np.int8), "fm": fm.ravel().astype(np.int8)})
    assert (rfm_segments(cells).codes >= 0).all()


def test_rfm_monetary_choice_and_missing_activity():
    scores = rfm_scores(rfm_bank(), RfmConfig(monetary="annual_contribution"))
    assert scores["m"].tolist() == [1, 2, 3, 4, 5, 0]
    frame = rfm_bank().drop(columns=["annual_contribution"])
    assert rfm_scores(frame, RfmConfig(monetary="annual_contribution"))["m"].tolist() == [3, 4, 2, 1, 5, 0]
    with pytest.raises(ValueError, match="months_since_active"):
        rfm_scores(pd.DataFrame({"aum": [1.0], "is_active": [True]}))


def test_rfm_does_not_mutate_input():
    frame = rfm_bank()
    before = frame.copy()
    rfm_segments(rfm_scores(frame))
    pdt.assert_frame_equal(frame, before)


def lifecycle_bank() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "customer_id": list("abcdefghi"),
            "tenure_months": pd.array([6, 100, 100, 20, 100, 100, 100, None, 100], dtype="Int64"),
            "aum_trend": [0.5, -0.25, 0.0, 0.0, 0.2, -0.2, np.nan, 0.0, 0.0],
            "is_active": [True] * 8 + [False],
        }
    )
    return with_channels(frame, counter=[1, 1, 6, 1, 1, 1, 0, 1, 1], mobile=[0] * 9, prev=[1, 1, 10, 1, 1, 1, 0, 1, 1])


def test_lifecycle_stages_exact():
    frame = lifecycle_bank()
    before = frame.copy()
    stages = lifecycle_stages(frame)
    assert stages.labels == LIFECYCLE_STAGES == ("prospect", "formation", "stable", "decline")
    # a new; b AUM −25%; c transactions −40%; d tenure 20; e +20% exactly; f −20% exactly;
    # g no trend at all; h no tenure; i closed
    assert stages.codes.tolist() == [0, 3, 3, 1, 1, 3, 2, -1, -1]
    assert stages.notes == ()
    pdt.assert_frame_equal(frame, before)


def test_lifecycle_thresholds_are_config():
    stages = lifecycle_stages(lifecycle_bank(), LifecycleConfig(decline_aum_trend=-0.3, decline_activity_trend=-0.5))
    assert stages.codes.tolist() == [0, 2, 2, 1, 1, 2, 2, -1, -1]


def test_lifecycle_without_activity_or_tenure():
    frame = lifecycle_bank()[["customer_id", "tenure_months", "aum_trend", "is_active"]]
    stages = lifecycle_stages(frame)
    assert stages.codes.tolist() == [0, 3, 2, 1, 1, 3, 2, -1, -1]
    assert stages.notes == ("no activity data: stages use the AUM trend only",)
    with pytest.raises(ValueError, match="tenure_months"):
        lifecycle_stages(frame.drop(columns=["tenure_months"]))


def test_lifecycle_rules_in_words():
    rules = lifecycle_rules(LifecycleConfig(prospect_max_tenure_months=6))
    assert [stage for stage, _ in rules] == ["prospect", "decline", "formation", "stable"]
    assert render(rules[0][1], "en") == "Prospect: customer for less than 6 months."
    assert render(rules[0][1], "zh") == "考察期：开户不满6个月。"
    assert "-20%" in render(rules[1][1], "en") and "退化期" in render(rules[1][1], "zh")


def test_lifecycle_config_validation():
    with pytest.raises(ValueError):
        LifecycleConfig(prospect_max_tenure_months=40, formation_max_tenure_months=36)
    with pytest.raises(ValueError):
        LifecycleConfig(decline_aum_trend=0.3, formation_aum_trend=0.2)
