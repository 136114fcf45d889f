"""``python -m crm_core evaluate`` exit codes and output, on generated files and the UCI extract when present."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_core.loyalty.cli import evaluate_main

UCI_CANDIDATES = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "uci_bank_marketing" / "bank-full.csv",
    Path("/work/shared/data/uci_bank_marketing/bank-full.csv"),
)
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "customers.parquet"


@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> Path:
    rng = np.random.default_rng(0)
    n = 3_000
    products = rng.integers(0, 6, n)
    frame = pd.DataFrame(
        {
            "id": np.arange(n),
            "products": products,
            "city": rng.choice(["Hangzhou", "Ningbo"], n),
            "left": np.where(rng.random(n) < 1 / (1 + np.exp(1 + 0.8 * (products - 3))), "yes", "no"),
            "grade": rng.choice(["a", "b", "c"], n),
            "rare": np.where(np.arange(n) < 10, "1", "0"),
        }
    )
    path = tmp_path_factory.mktemp("evaluate") / "extract.csv"
    frame.to_csv(path, index=False)
    return path


def test_usable_outcome_prints_the_evaluation(extract, capsys):
    assert evaluate_main(["--data", str(extract), "--outcome", "left", "--drop", "rare", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["positive_value"] == "yes" and result["held_out"]["roc_auc"] > 0.7
    assert "id" in result["skipped"] and "products" in result["features"] and "city" in result["features"]
    assert result["drivers"][0]["feature"] == "products"


@pytest.mark.parametrize(
    ("outcome", "message"),
    [("missing", "no column 'missing'"), ("grade", "exactly two values"), ("rare", "too rare")],
)
def test_unusable_outcome_exits_2_with_a_message(extract, capsys, outcome, message):
    assert evaluate_main(["--data", str(extract), "--outcome", outcome]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err


def test_bad_arguments_and_files_exit_2(tmp_path, capsys):
    assert evaluate_main(["--outcome", "y"]) == 2
    assert evaluate_main(["--data", str(tmp_path / "nope.csv"), "--outcome", "y"]) == 2
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    assert evaluate_main(["--data", str(binary), "--outcome", "y"]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(not SAMPLE.exists(), reason="committed sample absent")
def test_committed_sample_flags_leaky_columns(capsys):
    assert evaluate_main(["--data", str(SAMPLE), "--outcome", "churned", "--folds", "0"]) == 0
    assert "leakage" in capsys.readouterr().out


@pytest.mark.slow
def test_uci_bank_marketing_without_duration(capsys):
    path = next((p for p in UCI_CANDIDATES if p.exists()), None)
    if path is None:
        pytest.skip("UCI bank marketing file absent")
    assert evaluate_main(["--data", str(path), "--outcome", "y", "--drop", "duration", "--folds", "0", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert 0.72 <= result["held_out"]["roc_auc"] <= 0.85
    assert "duration" not in result["features"]
