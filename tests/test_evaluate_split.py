"""An honest ``evaluate``: time-ordered hold-out, k-fold spread, calibration table, leak check on every column type."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_core.loyalty.backtest import FoldScores, fold_positions, held_out_positions
from crm_core.loyalty.cli import evaluate_main, possible_leaks
from crm_core.loyalty.estimator import ChurnClassifier, calibration_method


def test_time_hold_out_is_the_latest_rows_and_random_is_stratified():
    outcome = np.array([0, 0, 0, 1] * 5)
    train, test = held_out_positions(outcome, "time", 0.25, 0)
    assert train.tolist() == list(range(15)) and test.tolist() == [15, 16, 17, 18, 19]
    train, test = held_out_positions(outcome, "random", 0.2, 0)
    assert len(test) == 4 and outcome[test].sum() == 1 and sorted([*train, *test]) == list(range(20))
    with pytest.raises(ValueError, match="split must be"):
        held_out_positions(outcome, "shuffle", 0.25, 0)


def test_time_folds_never_learn_from_their_future():
    folds = fold_positions(np.array([0, 1] * 50), "time", 4, 0)
    assert len(folds) == 4
    for train, test in folds:
        assert train.max() < test.min()
    assert [len(test) for _, test in folds] == [20, 20, 20, 20]


def test_fold_summary_is_mean_and_sample_sd():
    folds = pd.DataFrame(
        {"roc_auc": [0.7, 0.8, 0.9], "pr_auc": 0.5, "brier": 0.1, "calibration_error": 0.02, "top_decile_lift": 3.0}
    )
    summary = FoldScores("time", folds).summary()
    assert summary["roc_auc"]["mean"] == pytest.approx(0.8) and summary["roc_auc"]["sd"] == pytest.approx(0.1)
    assert summary["brier"] == {"mean": pytest.approx(0.1), "sd": pytest.approx(0.0)}


def test_isotonic_only_with_a_large_calibration_fold():
    assert calibration_method(np.r_[np.zeros(800), np.ones(150)]) == "sigmoid"
    assert calibration_method(np.r_[np.zeros(1_400), np.ones(300)]) == "sigmoid"  # BankChurners-sized fold
    assert calibration_method(np.r_[np.zeros(5_000), np.ones(600)]) == "isotonic"
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4_000, 2))
    y = (X[:, 0] + rng.normal(size=4_000) > 1).astype(int)
    model = ChurnClassifier().fit(X, y)  # 800 calibration rows
    assert model.calibration_method_ == "sigmoid"
    assert len(np.unique(model.predict_proba(X)[:, 1])) > 1_000  # a smooth map keeps the ranking


def test_leak_check_covers_categories_and_missingness():
    n = 400
    outcome = np.array([1, 0] * (n // 2))
    frame = pd.DataFrame(
        {
            "status": np.where(outcome == 1, "closed", "open"),
            "closing_fee": np.where(outcome == 1, 25.0, np.nan),  # present only for leavers
            "age": np.tile([30.0, 40.0, 50.0, 60.0], n // 4),
        }
    )
    assert possible_leaks(frame, outcome) == [("status", 1.0), ("closing_fee", 1.0)]


@pytest.fixture(scope="module")
def drifting(tmp_path_factory) -> Path:
    """Rows in time order; the signal in `score` fades and reverses in the last third."""
    rng = np.random.default_rng(1)
    n = 3_000
    score = rng.normal(size=n)
    slope = np.where(np.arange(n) < 2 * n // 3, 1.5, -0.5)
    left = rng.random(n) < 1 / (1 + np.exp(-(slope * score - 1.0)))
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2020-01-01", periods=n, freq="h"),
            "score": score,
            "segment": rng.choice(["a", "b"], n),
            "left": np.where(left, "yes", "no"),
        }
    )
    path = tmp_path_factory.mktemp("drift") / "drift.csv"
    frame.to_csv(path, index=False)
    shuffled = tmp_path_factory.getbasetemp() / "drift_shuffled.csv"
    frame.sample(frac=1.0, random_state=0).to_csv(shuffled, index=False)
    return path


def _result(capsys, *args: str) -> dict:
    assert evaluate_main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_time_split_exposes_drift_that_a_random_split_hides(drifting, capsys):
    random = _result(capsys, "--data", str(drifting), "--outcome", "left", "--folds", "3")
    timed = _result(capsys, "--data", str(drifting), "--outcome", "left", "--split", "time", "--folds", "3")
    assert random["split"] == "random" and timed["split"] == "time" and timed["order"] == "sorted by date"
    assert timed["held_out"]["roc_auc"] < 0.5 < 0.6 < random["held_out"]["roc_auc"]
    assert timed["folds"]["count"] == 3 and random["folds"]["count"] == 3
    assert timed["folds"]["roc_auc"]["sd"] > random["folds"]["roc_auc"]["sd"]
    assert len(timed["calibration_table"]) == 10


@pytest.mark.slow
def test_time_column_orders_a_shuffled_file(drifting, capsys):
    shuffled = drifting.parent.parent / "drift_shuffled.csv"
    ordered = _result(capsys, "--data", str(drifting), "--outcome", "left", "--split", "time", "--folds", "0")
    resorted = _result(
        capsys, "--data", str(shuffled), "--outcome", "left", "--split", "time", "--time-column", "date", "--folds", "0"
    )
    assert resorted["order"] == "sorted by date" and resorted["folds"] is None
    assert resorted["held_out"] == pytest.approx(ordered["held_out"])


def test_text_report_prints_calibration_folds_and_warnings(drifting, capsys):
    assert evaluate_main(["--data", str(drifting), "--outcome", "left", "--split", "time", "--folds", "2"]) == 0
    out = capsys.readouterr().out
    assert "held-out (latest rows, sorted by date;" in out
    assert "calibration (held-out, 10 equal-count bins):" in out and out.count("\n   10  ") == 1
    assert "2 folds (forward-chaining in time), mean ± sd:" in out and "ROC AUC            0." in out
    assert evaluate_main(["--data", str(drifting), "--outcome", "left", "--folds", "1"]) == 2
    assert "--folds must be" in capsys.readouterr().err


UCI = Path("/work/shared/data/uci_bank_marketing/bank-full.csv")


@pytest.mark.slow
@pytest.mark.skipif(not UCI.exists(), reason="UCI bank marketing file absent")
def test_uci_latest_quarter_scores_below_a_random_quarter(capsys):
    args = ("--data", str(UCI), "--outcome", "y", "--drop", "duration", "--folds", "0")
    timed = _result(capsys, *args, "--split", "time")
    assert timed["order"] == "file order"  # the file has day and month but no year: its rows are in date order
    assert 0.65 <= timed["held_out"]["roc_auc"] <= 0.74  # a random quarter scores about 0.79
    assert timed["held_out"]["calibration_error"] > 0.05
