"""Staff scorecard: raw indicators per unit and their normalised matrix, on a hand-built bank."""

import json

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from crm_core.messages import render
from crm_core.segments import config_json
from crm_core.staff import (
    INDICATOR_BY_NAME,
    PERSPECTIVES,
    PRESETS,
    ScorecardConfig,
    StatusConfig,
    StatusRule,
    indicator_status,
    normalised_column,
    scorecard_from_customers,
    scorecard_notes,
    scorecard_text,
)

AS_OF = pd.Timestamp("2026-03-01")
LOOSE = ScorecardConfig(min_answers=1, min_unit_customers=2, normalisation="percentile", shrinkage=False, replicates=0)
"""Values as they are (no shrinkage, no resampling), ranked across units: the mechanics, number by number."""


def bank() -> pd.DataFrame:
    """Three branches. A: two steady customers. B: one closed, one new, one silently leaving. C: one rich one.

    Columns are those ``prepared_dataset`` adds, so every expected number can be worked by hand.
    """
    nan = np.nan
    return pd.DataFrame(
        {
            "customer_id": ["a1", "a2", "b1", "b2", "b3", "c1"],
            "branch": pd.array(["A", "A", "B", "B", "B", "C"], dtype="string"),
            "relationship_manager": pd.array(["R1", "R1", "R2", "R2", None, "R3"], dtype="string"),
            "aum": [200.0, 100.0, 50.0, 0.0, 100.0, 600_000.0],
            "aum_12m_ago": [100.0, 100.0, 100.0, 100.0, 0.0, 500_000.0],
            "is_active": [True, True, True, False, True, True],
            "alive_12m_ago": [True, True, True, True, False, True],
            "closed_last_12m": [False, False, False, True, False, False],
            "churned": pd.array([False, False, False, True, False, False], dtype="boolean"),
            "open_date": pd.to_datetime(
                ["2020-01-01", "2020-01-01", "2020-01-01", "2020-01-01", "2025-12-01", "2019-01-01"]
            ),
            "products_held": [3, 1, 2, 0, 1, 4],
            "products_held_12m_ago": [2, 1, 2, 1, 0, 4],
            "complaints_12m": pd.array([0, 1, 2, None, 0, 0], dtype="Int64"),
            "satisfaction": [5.0, nan, 3.0, nan, 4.0, 4.0],
            "digital_active": [True, False, False, False, True, True],
            "counter_txn_12m": [2, 1, 1, 0, 0, 3],
            "counter_txn_prev_12m": [4, 5, 5, 3, 0, 3],
            "aum_trend": [1.0, 0.0, -0.5, -1.0, nan, 0.2],
            "has_debit_card": [True, True, True, False, True, False],
            "atm_txn_12m": [3, 0, 1, 0, 2, 0],
        }
    )


EXPECTED_VALUES = pd.DataFrame(
    {
        "aum_growth": [0.5, -0.25, 0.2],  # B: (50 + 0 + 100) / (100 + 100 + 0) − 1
        "high_value_growth": [np.nan, np.nan, 0.0],
        "new_customers": [0.0, 50.0, 0.0],  # per 100 active customers: B has 1 new of 2 active
        "new_customer_rate": [0.0, 0.5, 0.0],
        "retention": [1.0, 0.5, 1.0],
        "complaints_per_100": [50.0, 100.0, 0.0],
        "satisfaction": [5.0, 3.5, 4.0],
        "cross_sell_ratio": [2.0, 1.5, 4.0],
        "products_sold": [50.0, 50.0, 0.0],  # per 100 active customers
        "products_used_share": [0.5, 1.0, np.nan],
        "silent_attrition_share": [0.0, 0.5, 0.0],
        "digital_adoption": [0.5, 0.5, 1.0],
    },
    index=pd.Index(["A", "B", "C"], name="branch"),
)


def test_raw_indicators_exact():
    card = scorecard_from_customers(bank(), AS_OF, "branch", LOOSE)
    pdt.assert_frame_equal(card.values, EXPECTED_VALUES)
    assert card.units == ("A", "B", "C")
    assert card.customers.tolist() == [2, 2, 1]
    assert card.unavailable == (("deposit_growth", ("deposit_balance", "deposit_balance_12m_ago")),)
    assert card.small.tolist() == [False, False, True]


def test_normalised_matrix_is_direction_aware_percentile():
    card = scorecard_from_customers(bank(), AS_OF, "branch", LOOSE)
    matrix = pd.DataFrame(card.matrix, index=list(card.units), columns=list(card.indicators))
    assert matrix.dtypes.unique().tolist() == [np.dtype("float64")]
    assert matrix["aum_growth"].tolist() == [1.0, 0.0, 0.5]
    assert matrix["complaints_per_100"].tolist() == [0.5, 0.0, 1.0]  # fewest complaints is best
    assert matrix["silent_attrition_share"].tolist() == [0.75, 0.0, 0.75]  # ties share the average rank
    assert matrix["high_value_growth"].tolist() == [0.0, 0.0, 0.5]  # one unit with data → 0.5
    present = pd.DataFrame(card.present, index=list(card.units), columns=list(card.indicators))
    assert present["high_value_growth"].tolist() == [0.0, 0.0, 1.0]
    assert present["products_used_share"].tolist() == [1.0, 1.0, 0.0]


def test_minmax_normalisation():
    config = ScorecardConfig(normalisation="minmax", min_answers=1, shrinkage=False, replicates=0)
    card = scorecard_from_customers(bank(), AS_OF, "branch", config)
    column = card.matrix[:, card.indicators.index("aum_growth")]
    np.testing.assert_allclose(column, [1.0, 0.0, 0.6])
    assert normalised_column(np.array([3.0, 3.0])).tolist() == [0.5, 0.5]


def test_too_few_answers_make_an_indicator_missing_for_that_unit():
    card = scorecard_from_customers(bank(), AS_OF, "branch", ScorecardConfig(min_answers=2))
    assert card.values["satisfaction"].tolist()[1] == 3.5
    assert np.isnan(card.values["satisfaction"]).tolist() == [True, False, True]
    assert card.present[:, card.indicators.index("satisfaction")].tolist() == [0.0, 1.0, 0.0]


def test_relationship_manager_level_leaves_unassigned_out():
    card = scorecard_from_customers(bank(), AS_OF, "relationship_manager", LOOSE)
    assert card.level == "relationship_manager" and card.units == ("R1", "R2", "R3")
    assert card.customers.tolist() == [2, 1, 1]
    assert card.unassigned_customers == 1
    note = scorecard_notes(card)[0]
    assert (
        render(note, "en")
        == "1 active customers have no relationship manager: they are not ranked and appear as one row."
    )
    assert render(note, "zh") == "1 名有效客户没有所属客户经理：不参与排名，合为一行列示。"


def test_level_falls_back_to_branch_and_says_so():
    card = scorecard_from_customers(bank().drop(columns="relationship_manager"), AS_OF, "relationship_manager", LOOSE)
    assert card.level == "branch" and card.units == ("A", "B", "C")
    assert (
        render(scorecard_notes(card)[0], "en") == "Relationship manager is not in the data: units are branches instead."
    )
    assert render(scorecard_notes(card)[0], "zh") == "数据中没有客户经理：改按网点排名。"


def test_absent_columns_make_indicators_unavailable():
    thin = bank()[["branch", "aum", "is_active", "alive_12m_ago", "closed_last_12m"]]
    card = scorecard_from_customers(thin, AS_OF, "branch", LOOSE)
    assert card.indicators == ()
    assert card.matrix.shape == (3, 0)
    assert len(card.unavailable) == len(INDICATOR_BY_NAME)
    notes = [render(note, "en") for note in scorecard_notes(card)]
    assert "Retention is not available: the data lacks closed_date or churned." in notes


def test_inputs_not_mutated():
    customers = bank()
    before = customers.copy()
    scorecard_from_customers(customers, AS_OF, "relationship_manager", LOOSE)
    scorecard_from_customers(customers, AS_OF, "branch")
    pdt.assert_frame_equal(customers, before)


def test_status_exact():
    card = scorecard_from_customers(bank(), AS_OF, "branch", LOOSE)
    config = StatusConfig(
        rules=(
            StatusRule("retention", green=0.9, amber=0.6),
            StatusRule("complaints_per_100", green=10.0, amber=60.0),
            StatusRule("aum_growth", green=1.0, amber=0.45, basis="percent_of_target", target=0.4),
        )
    )
    status = indicator_status(card, config)
    assert status["retention"].tolist() == ["green", "red", "green"]
    assert status["complaints_per_100"].tolist() == ["amber", "red", "green"]
    assert status["aum_growth"].tolist() == ["green", "red", "amber"]
    assert status["digital_adoption"].tolist() == ["none"] * 3
    text = scorecard_text(card.values)
    assert text.loc["A"].tolist()[:3] == ["+50.0%", "–", "0.0"]  # new customers per 100
    assert text.loc["B", "retention"] == "50.0%"


def test_status_rule_validation():
    with pytest.raises(ValueError, match="lower is better"):
        StatusRule("complaints_per_100", green=20.0, amber=10.0)
    with pytest.raises(ValueError, match="unknown indicator"):
        StatusRule("sales", green=1.0, amber=0.0)


def test_configs_are_data():
    for preset in PRESETS:
        assert sum(preset.weight_map.values()) == 100
    perspectives = {INDICATOR_BY_NAME[n].perspective for n in PRESETS[1].weight_map}
    assert perspectives == set(PERSPECTIVES)  # the balanced preset covers all four
    saved = json.loads(config_json(ScorecardConfig()))
    assert saved["silent_attrition"] == {"aum_trend_below": -0.1, "counter_fell": True, "no_digital": True}
    assert hash(StatusConfig()) == hash(StatusConfig())
