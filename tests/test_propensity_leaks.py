"""Propensity without leaks: acquisition labels from open dates, the leak screen, flagged models, next-best scale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_core.dataset import Dataset
from crm_core.prepare import prepared_dataset
from crm_core.products import (
    PropensityModels,
    auc_interval,
    leaking_features,
    model_quality_figure,
    next_best_products,
    product_balances,
    product_openings,
    propensity_design,
    propensity_features,
    propensity_models,
)
from tests.conftest import tiny_dataset


def test_openings_and_design_from_the_tiny_banks_open_dates():
    prepared = prepared_dataset(tiny_dataset())
    openings = product_openings(prepared)
    assert openings.products == ("credit_card", "savings_deposit")
    # Cut-off 2025-04-01: A's card (June 2025) and B's savings (Sep 2025) are new; A's and C's savings are old.
    assert openings.held_year_ago.tolist() == [[False, True], [False, False], [False, True], [False, False]]
    assert openings.opened_last_year.tolist() == [[True, False], [False, True], [False, False], [False, False]]
    assert not openings.undated.any()
    assert propensity_design(prepared) == "acquisition_out_of_time"
    then, now = propensity_features(prepared, "year_ago"), propensity_features(prepared)
    assert list(then.columns) == list(now.columns)
    assert then.loc[0, "aum"] == pytest.approx(np.log1p(50)) and now.loc[0, "aum"] == pytest.approx(np.log1p(100))
    assert (then.loc[0, "age"], now.loc[0, "age"]) == (33, 34)
    assert (then.loc[0, "has_credit_card"], now.loc[0, "has_credit_card"]) == (0, 1)


def test_without_open_dates_the_models_say_they_learn_look_alikes():
    tiny = tiny_dataset()
    undated = Dataset("undated", tiny.customers, tiny.activity, tiny.holdings.drop(columns=["open_date"]), "undated")
    prepared = prepared_dataset(undated)
    assert product_openings(prepared) is None
    assert propensity_design(prepared) == "holding_look_alike"
    with pytest.raises(ValueError, match="open dates"):
        propensity_features(prepared, "year_ago")


def test_a_feature_that_is_the_label_is_dropped_and_reported():
    X = pd.DataFrame({"flag": [1.0, 0, 1, 0, 1, 0], "age": [30.0, 31, 50, 20, 40, 45]})
    found = leaking_features(X, np.array([True, False, True, False, True, False]))
    assert found.to_dict("records") == [{"feature": "flag", "reason": "separates_label", "value": 1.0}]


def test_a_balance_rebuilt_from_aum_minus_deposits_is_dropped():
    aum = np.array([100.0, 50, 80, 30, 200, 10])
    investment = np.array([40.0, 0, 0, 10, 150, 0])
    X = pd.DataFrame({"aum": np.log1p(aum), "deposit_balance": np.log1p(aum - investment), "age": [1.0, 2, 3, 4, 5, 6]})
    labels = np.array([True, False, False, True, False, False])  # no feature separates it alone
    found = leaking_features(X, labels, investment[:, None] * 0.6)
    assert found["feature"].tolist() == ["deposit_balance"] and found["reason"].tolist() == ["reconstructs_balance"]
    assert found["value"].iloc[0] == pytest.approx(1.0)
    assert leaking_features(X, labels, None).empty  # without the balance, nothing to rebuild


def test_models_drop_the_reconstruction_and_keep_the_signal():
    rng = np.random.default_rng(3)
    n = 6_000
    wealth = rng.normal(size=n)
    holds = wealth + rng.normal(scale=1.0, size=n) > 1.0
    investment = np.where(holds, np.exp(rng.normal(10, 1, n)), 0.0)
    deposits = np.exp(wealth + 10)
    X = pd.DataFrame(
        {
            "aum": np.log1p(deposits + investment),
            "deposit_balance": np.log1p(deposits),
            "age": rng.integers(20, 70, n).astype(float),
        }
    )
    models = PropensityModels(random_state=0).fit(
        X, pd.DataFrame({"wealth_management": holds}), balances=pd.DataFrame({"wealth_management": investment})
    )
    assert models.leaks_[["feature", "reason"]].values.tolist() == [["deposit_balance", "reconstructs_balance"]]
    assert models.coefficients_[models.features_.index("deposit_balance"), 0] == 0.0
    quality = models.quality_.iloc[0]
    assert 0.6 < quality["auc"] < 0.95 and quality["usable"]
    assert quality["top_decile_lift"] == pytest.approx(quality["top_decile_rate"] / quality["base_rate"])


def test_a_chance_model_is_flagged():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"noise": rng.normal(size=4_000)})
    models = PropensityModels(random_state=0).fit(X, pd.DataFrame({"savings_deposit": rng.random(4_000) < 0.3}))
    quality = models.quality_.iloc[0]
    assert abs(quality["auc"] - 0.5) < 0.05 and not quality["usable"]
    assert quality["auc_low"] < 0.5


def test_auc_interval_narrows_with_more_labels():
    few, many = auc_interval(0.8, 12, 3_000), auc_interval(0.8, 1_200, 3_000)
    assert few[0] < many[0] < 0.8 < many[1] < few[1]
    assert np.isnan(auc_interval(float("nan"), 10, 10)[0])


def test_next_best_skips_flagged_models_and_scales_by_conversion():
    propensity = np.array([[0.9, 0.2], [0.1, 0.2], [0.5, 0.2]])
    held = np.zeros((3, 2), dtype=bool)
    products = ("insurance", "credit_card")
    risk = np.full(3, 3.0)
    best = next_best_products(propensity, held, products, risk)
    # Insurance: mean propensity 0.5, conversion 3% x (0.9, 0.1, 0.5) / 0.5, value 1,500; card: 5% x 1, value 600.
    assert best.conversion == pytest.approx([0.054, 0.05, 0.03])
    assert best.product_codes.tolist() == [0, 1, 0]  # 81 > 30; 9 < 30; 45 > 30
    assert best.expected_value == pytest.approx([81.0, 30.0, 45.0])
    flagged = next_best_products(propensity, held, products, risk, usable_products=np.array([False, True]))
    assert flagged.product_codes.tolist() == [1, 1, 1] and flagged.propensity == pytest.approx([0.2, 0.2, 0.2])


def test_quality_figure_greys_out_flagged_models():
    quality = pd.DataFrame(
        {
            "product": ["funds", "savings_deposit"],
            "auc": [0.8, 0.48],
            "auc_low": [0.7, 0.4],
            "auc_high": [0.9, 0.56],
            "top_decile_lift": [4.0, 1.0],
            "usable": [True, False],
        }
    )
    figure = model_quality_figure(quality, "Models", flagged_label="flagged", product_labels={"funds": "Funds"})
    assert [t.name for t in figure.data] == ["ROC AUC", "flagged", "top-decile lift"]
    assert list(figure.data[0].x) == ["Funds"] and list(figure.data[1].x) == ["savings_deposit"]
    assert figure.data[0].error_y.array[0] == pytest.approx(0.1)
    assert figure.layout.shapes[0].y0 == 0.6


def test_sample_models_learn_openings_and_report_base_rates(small_sample):
    dataset = Dataset("small", small_sample.customers, small_sample.activity, small_sample.holdings, "small")
    prepared = prepared_dataset(dataset)
    features = propensity_features(prepared)
    models = propensity_models(prepared, features)
    assert models.design == "acquisition_out_of_time"
    assert "investment_balance" not in models.features_ and "satisfaction" not in models.features_
    quality = models.quality_.set_index("product")
    assert (quality["base_rate"] < 0.5).loc[["funds", "wealth_management", "insurance"]].all()
    balances = product_balances(prepared)
    assert balances["funds"].sum() == pytest.approx(small_sample.holdings.query("product == 'funds'")["balance"].sum())


def test_no_rows_to_screen_find_no_leak_instead_of_failing():
    # A product no customer of a small bank could be trained on: its screen sample is empty while its
    # balance column is given (preparing a four-customer bank with holdings failed here).
    X = pd.DataFrame({"aum": np.empty(0), "age": np.empty(0)})
    for balances in (np.empty((0, 1)), np.empty(0)):
        found = leaking_features(X, np.empty(0, dtype=bool), balances)
        assert found.empty and list(found.columns) == ["feature", "reason", "value"]


def test_a_four_customer_bank_with_holdings_trains_its_propensity_models():
    from crm_core.prepare import prepared_dataset
    from crm_core.products.propensity import propensity_features, propensity_models
    from tests.conftest import tiny_dataset

    prepared = prepared_dataset(tiny_dataset())
    models = propensity_models(prepared, propensity_features(prepared))
    assert set(models.quality_["product"]) == set(prepared.products)
    assert not models.quality_["usable"].any()  # four customers: no model a page may act on
