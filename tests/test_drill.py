"""Drill-through (issue 20, item 4): the point a click selects, the filter it sets and the way back,
and the customer list a drill ends in."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_core.drill import customers_at_stake
from crm_core.prepare import prepared_dataset
from tests.conftest import tiny_dataset
from ui.filters import _selected


def test_the_customers_behind_a_unit_by_expected_aum_loss():
    prepared = prepared_dataset(tiny_dataset())  # A (AUM 100) and B (AUM 300) are active
    listed = customers_at_stake(prepared, np.array([0.5, 0.1, 0.9, np.nan]))
    expected = pd.DataFrame(
        {
            "customer_id": pd.array(["A", "B"], dtype="string"),
            "branch": pd.array(["North", "North"], dtype="string"),
            "aum": [100.0, 300.0],
            "churn_probability": [0.5, 0.1],
            "expected_aum_loss": [50.0, 30.0],
        }
    )
    pd.testing.assert_frame_equal(listed, expected)
    by_aum = customers_at_stake(prepared, None)
    assert by_aum["customer_id"].tolist() == ["B", "A"] and "expected_aum_loss" not in by_aum


@pytest.mark.parametrize(
    ("event", "axis", "customdata", "value"),
    [
        ({"selection": {"points": [{"x": "Ningbo Haishu", "y": 3}]}}, "x", False, "Ningbo Haishu"),
        ({"selection": {"points": [{"x": "score", "y": "RM-007"}]}}, "y", False, "RM-007"),
        ({"selection": {"points": [{"x": 55.9, "y": "海曙支行", "customdata": [55.9]}]}}, "y", False, "海曙支行"),
        ({"selection": {"points": [{"x": "海曙支行", "customdata": ["Ningbo Haishu"]}]}}, "x", True, "Ningbo Haishu"),
        ({"selection": {"points": []}}, "x", False, None),
        (None, "x", False, None),
    ],
)
def test_the_selected_point_names_the_unit(event, axis, customdata, value):
    assert _selected(event, axis, customdata) == value
