"""How long the churn model takes to train, and how fast a retention what-if refreshes.

* **training**: ``churn_risk_model`` (snapshot features, split, fit, calibration, held-out
  evaluation, permutation importance, scoring) at 100k customers and at ``--customers``;
  done once per dataset and churn definition, then cached.
* **what-if refresh**: ``retention_what_if`` for a new retained share, next to a numpy
  floor (one masked dot product of probabilities and AUM over the customers): the least
  any implementation must do.

Run ``python -m benchmarks.bench_loyalty --customers 1000000``. Goal: what-if at most 10x
the floor and under 150 ms at 1M customers.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks.common import best_time, row
from crm_core.loyalty import (
    ModelConfig,
    RetentionScenario,
    churn_risk_model,
    customer_value,
    retention_what_if,
    risk_bands,
)
from crm_core.prepare import prepared_dataset
from crm_core.sample import SampleConfig, sample_tables


def _train(n_customers: int) -> None:
    started = time.perf_counter()
    prepared = prepared_dataset(sample_tables(SampleConfig(n_customers=n_customers, seed=11)))
    print(f"generated and prepared {n_customers:,} customers in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    risk = churn_risk_model(prepared, config=ModelConfig())
    seconds = time.perf_counter() - started
    evaluation = risk.fitted.evaluation
    print(
        row(f"train churn model ({n_customers:,} customers)", seconds, rows=n_customers)
        + f"  {risk.fitted.model_kind}, ROC AUC {evaluation.roc_auc:.3f}, ECE {evaluation.calibration_error:.4f}"
    )
    return prepared, risk


def main(argv: list[str] | None = None) -> int:
    """Print training times at 100k and ``--customers`` and the what-if refresh time against the floor."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_loyalty")
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    sizes = sorted({min(100_000, args.customers), args.customers})
    for size in sizes:
        prepared, risk = _train(size)
    n = len(prepared.customers)
    codes = (np.arange(n) % 4).astype(np.int64)
    labels = ["a", "b", "c", "d"]
    values = customer_value(prepared, risk.probabilities, codes)
    bands = risk_bands(risk.probabilities)
    probabilities = risk.probabilities
    aum = values["aum"].to_numpy()
    error = risk.fitted.evaluation.calibration_error
    shares = iter(np.linspace(0.05, 0.95, 1_000))

    def what_if() -> object:
        scenario = RetentionScenario(float(next(shares)), (0, 2), ("high", "medium"))
        return retention_what_if(probabilities, bands, values, codes, labels, scenario, error)

    def floor() -> float:
        mask = bands >= 1
        return float(np.dot(np.nan_to_num(probabilities[mask]), aum[mask]))

    floor_seconds = best_time(floor, repeat=7)
    print(row("numpy floor (masked dot product)", floor_seconds, rows=n))
    print(row("what-if refresh (2 segments, 2 bands)", best_time(what_if, repeat=7), floor_seconds, n))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
