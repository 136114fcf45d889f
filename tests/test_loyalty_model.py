"""Churn model: planted signal recovered, shuffled labels at chance, calibration, cannot-model, no retraining."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from crm_core.dataset import Dataset
from crm_core.loyalty import (
    ChurnClassifier,
    ModelConfig,
    RetentionScenario,
    at_risk_customers,
    churn_risk_model,
    customer_value,
    driver_message,
    fitted_churn_model,
    retention_what_if,
    risk_bands,
)
from crm_core.messages import render
from crm_core.prepare import prepared_dataset

CALIBRATION_BOUND = 0.04
"""Expected calibration error allowed on 10,000 synthetic rows (2,500 held out)."""


def planted(n: int = 10_000, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Churn driven by few products and no payroll; noise columns and a branch besides."""
    rng = np.random.default_rng(seed)
    products = rng.integers(0, 7, n)
    payroll = rng.random(n) < 0.3
    frame = pd.DataFrame(
        {
            "products_held": products.astype(float),
            "is_payroll": payroll.astype(float),
            "noise": rng.normal(size=n),
            "branch": rng.choice(["North", "South", "East"], n),
        }
    )
    logit = -1.0 - 0.6 * (products - 3) - 1.2 * payroll
    outcome = rng.random(n) < 1 / (1 + np.exp(-logit))
    return frame, outcome


@pytest.fixture(scope="module")
def planted_fit():
    frame, outcome = planted()
    return fitted_churn_model(frame, outcome, ModelConfig(importance_rows=1_000, importance_repeats=2))


def test_planted_signal_is_recovered_and_calibrated(planted_fit):
    assert planted_fit.usable and planted_fit.model_kind == "gradient_boosting"
    evaluation = planted_fit.evaluation
    assert evaluation.roc_auc > 0.75
    assert evaluation.calibration_error < CALIBRATION_BOUND
    assert evaluation.top_decile_lift > 1.5
    assert list(evaluation.lift["decile"]) == list(range(1, 11))
    assert evaluation.calibration["rows"].sum() == evaluation.rows
    drivers = planted_fit.drivers
    assert set(drivers["feature"].head(2)) == {"products_held", "is_payroll"}
    products = drivers.set_index("feature").loc["products_held"]
    assert products["direction"] < 0 and products["message"] == driver_message("products_held", -1.0, None)
    assert render(products["message"], "en") == "Products held: the lower, the higher the churn risk."
    assert render(products["message"], "zh") == "持有产品数越低，流失风险越高。"


def test_shuffled_labels_give_chance_auc():
    frame, outcome = planted(seed=2)
    shuffled = np.random.default_rng(3).permutation(outcome)
    fit = fitted_churn_model(frame, shuffled, ModelConfig(importance_rows=500, importance_repeats=1))
    assert 0.45 <= fit.evaluation.roc_auc <= 0.55


def test_small_data_uses_logistic_regression():
    frame, outcome = planted(n=1_500, seed=4)
    fit = fitted_churn_model(frame, outcome, ModelConfig(importance_rows=500, importance_repeats=1))
    assert fit.model_kind == "logistic_regression" and fit.evaluation.roc_auc > 0.7


def test_cannot_model_with_too_few_churners():
    frame, _ = planted(n=2_000)
    outcome = np.zeros(2_000, dtype=bool)
    outcome[:20] = True
    fit = fitted_churn_model(frame, outcome)
    assert not fit.usable and fit.model is None and fit.evaluation is None
    assert fit.reason.key == "churn_reason_too_few_churners"
    assert render(fit.reason, "en").startswith("Too few churners") and "20" in render(fit.reason, "en")
    assert "流失客户太少" in render(fit.reason, "zh")
    assert not fitted_churn_model(frame.iloc[:, :0], outcome).usable


def test_model_reads_no_post_closure_columns(small_sample):
    prepared = prepared_dataset(small_sample)
    risk = churn_risk_model(prepared, config=ModelConfig(importance_rows=500, importance_repeats=1))
    assert risk.usable
    leaky = {"churned", "closed_last_12m", "is_active", "months_since_active", "complaints_12m", "aum_avg_3m"}
    assert not leaky & set(risk.fitted.features)
    active = prepared.customers["is_active"].to_numpy()
    assert np.isnan(risk.probabilities[~active]).all() and not np.isnan(risk.probabilities[active]).any()
    bands = risk_bands(risk.probabilities, ModelConfig(high_risk=0.2, medium_risk=0.1))
    listed = at_risk_customers(prepared, risk, bands, limit=50)
    assert len(listed) > 0 and (listed["risk_band"] == "high").all()
    assert listed["reasons"].map(len).gt(0).mean() > 0.8
    said = [render(m, "zh") for reasons in listed["reasons"] for m in reasons]
    assert said and all(text and "{" not in text and "feature_" not in text for text in said)


def test_what_if_never_refits(small_sample, monkeypatch):
    prepared = prepared_dataset(small_sample)
    risk = churn_risk_model(prepared, config=ModelConfig(importance_rows=500, importance_repeats=1))
    before = pickle.dumps(risk.fitted.model)

    def forbidden(*args, **kwargs):
        raise AssertionError("the what-if must not fit or predict")

    monkeypatch.setattr(ChurnClassifier, "fit", forbidden)
    monkeypatch.setattr(ChurnClassifier, "predict_proba", forbidden)
    codes = np.zeros(len(prepared.customers), dtype=int)
    values = customer_value(prepared, risk.probabilities, codes)
    bands = risk_bands(risk.probabilities)
    for share in (0.1, 0.5):
        frame = retention_what_if(
            risk.probabilities, bands, values, codes, ["all"], RetentionScenario(share, (), ("high", "medium")),
            risk.fitted.evaluation.calibration_error,
        )  # fmt: skip
        assert frame["aum_kept"].iloc[-1] > 0
    assert pickle.dumps(risk.fitted.model) == before


def test_cannot_model_path_on_a_dataset_without_churn():
    customers = pd.DataFrame({"customer_id": pd.array(["A", "B"], dtype="string"), "aum": [1.0, 2.0]})
    prepared = prepared_dataset(Dataset("none", customers, None, None, "none"))
    risk = churn_risk_model(prepared)
    assert not risk.usable and "churn flag" in render(risk.fitted.reason, "en")
    assert np.isnan(risk.probabilities).all()


@parametrize_with_checks([ChurnClassifier()])
def test_estimator_contract(estimator, check):
    check(estimator)


def test_large_data_trains_and_evaluates_on_capped_stratified_rows():
    frame, outcome = planted(seed=5)
    config = ModelConfig(importance_rows=500, importance_repeats=1, max_training_rows=2_000, max_evaluation_rows=1_500)
    fit = fitted_churn_model(frame, outcome, config)
    assert fit.rows == len(frame) > 4 * 2_000  # every labelled row counted, a sample learned from
    assert fit.evaluation.rows == 1_500
    assert abs(fit.evaluation.base_rate - outcome.mean()) < 0.01  # stratified: the churn rate is kept
    assert fit.evaluation.roc_auc > 0.7  # the planted signal survives the cap
