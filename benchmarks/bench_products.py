"""How fast product views refresh at bank scale, and how long the propensity models take to train.

The refresh timed is a **segment change** (new tier thresholds → new codes) followed by the
penetration matrix and its index, next to two references on the same data:

* **floor** — one ``numpy.bincount`` of the segment codes (a single scan, no product at all);
* **DuckDB** — the same segment × product penetration as SQL on the same frame (registered
  once; only the query is timed).

Then the per-dataset work (holding matrix, co-holding, features, model training, scoring)
and the per-control next-best refresh (a sizing change).

Run ``python -m benchmarks.bench_products --customers 1000000``. Goals: refresh at most 10x
the floor, 1.5x DuckDB and 150 ms.
"""

from __future__ import annotations

import argparse
import time

import duckdb
import numpy as np

from benchmarks.common import median_ms
from crm_core.contract import product_flag_column
from crm_core.dataset import Dataset, fingerprint_of
from crm_core.prepare import prepared_dataset
from crm_core.products import (
    ProductEconomics,
    SizingConfig,
    co_holding,
    holding_matrix,
    next_best_products,
    penetration_index,
    product_penetration,
    propensity_features,
    propensity_models,
    risk_levels_of,
    segment_holdings,
)
from crm_core.sample import SampleConfig, sample_tables

GOAL_FLOOR_RATIO = 10.0
GOAL_DUCKDB_RATIO = 1.5
GOAL_MS = 150.0

THRESHOLD_STEPS = ((5e4, 5e5, 6e6), (5e4, 6e5, 6e6), (5e4, 1e6, 6e6), (8e4, 8e5, 8e6))
LABELS = ("mass", "affluent", "high net worth", "private")


def tier_codes(aum: np.ndarray, thresholds: tuple[float, ...]) -> np.ndarray:
    """Tier code per customer (what the segments module hands over)."""
    codes = np.zeros(len(aum), dtype=np.int8)
    for threshold in thresholds:
        codes += (aum >= threshold).view(np.int8)
    return codes


def penetration_sql(column: str, products: tuple[str, ...]) -> str:
    """Active customers and holders per segment × product as one DuckDB query."""
    sums = ", ".join(f"sum({product_flag_column(p)}::INT) AS {p}" for p in products)
    return f"SELECT {column} AS segment, count(*) AS customers, {sums} FROM holdings WHERE is_active GROUP BY 1"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    tables = sample_tables(SampleConfig(n_customers=args.customers, seed=args.seed))
    dataset = Dataset("bench", tables.customers, tables.activity, tables.holdings, fingerprint_of([b"bench"]))
    prepared = prepared_dataset(dataset)
    customers = prepared.customers
    print(f"generated and prepared {len(customers):,} customers in {time.perf_counter() - start:.1f} s")

    # Once per dataset: what the app caches.
    start = time.perf_counter()
    holdings = holding_matrix(prepared)
    matrix_s = time.perf_counter() - start
    start = time.perf_counter()
    co_holding(holdings)
    co_s = time.perf_counter() - start

    aum = customers["aum"].to_numpy(dtype=float)
    steps = [tier_codes(aum, t) for t in THRESHOLD_STEPS]

    def refresh(i: int) -> object:
        segments = segment_holdings(holdings, steps[i % len(steps)], LABELS)
        return product_penetration(segments), penetration_index(segments)

    refresh_ms = median_ms(refresh, args.repeats)
    fixed = steps[0].astype(np.intp)
    floor_ms = median_ms(lambda i: np.bincount(fixed, minlength=4), args.repeats)

    con = duckdb.connect()
    frame = customers[["is_active", *(product_flag_column(p) for p in prepared.products)]].copy()
    for k, codes in enumerate(steps):
        frame[f"segment_{k}"] = codes
    con.register("holdings", frame)
    duck_ms = median_ms(
        lambda i: con.execute(penetration_sql(f"segment_{i % len(steps)}", prepared.products)).fetchall(),
        args.repeats,
    )

    start = time.perf_counter()
    features = propensity_features(prepared)
    features_s = time.perf_counter() - start
    start = time.perf_counter()
    models = propensity_models(prepared, features)
    train_s = time.perf_counter() - start
    start = time.perf_counter()
    propensity = models.predict_proba(features)
    score_s = time.perf_counter() - start

    risk = risk_levels_of(prepared)
    sizings = [
        SizingConfig(),
        SizingConfig().with_product(ProductEconomics("wealth_management", 0.1, "balance", 300_000, 0.006)),
    ]
    next_best_ms = median_ms(
        lambda i: next_best_products(
            propensity, holdings.held, holdings.products, risk, sizings[i % 2], eligible_customers=holdings.active
        ),
        max(3, args.repeats // 3),
    )

    print(f"\n{len(customers):,} customers, {len(prepared.products)} products, median of {args.repeats} runs")
    print(f"{'refresh':<36}{'ms':>8}{'floor ms':>10}{'x floor':>9}{'DuckDB ms':>11}{'x DuckDB':>10}  goals")
    checks = (
        refresh_ms / floor_ms <= GOAL_FLOOR_RATIO,
        refresh_ms / duck_ms <= GOAL_DUCKDB_RATIO,
        refresh_ms <= GOAL_MS,
    )
    marks = " ".join("ok" if c else "MISS" for c in checks)
    print(
        f"{'segment change -> penetration+index':<36}{refresh_ms:8.1f}{floor_ms:10.1f}{refresh_ms / floor_ms:9.1f}"
        f"{duck_ms:11.1f}{refresh_ms / duck_ms:10.2f}  {marks}"
    )
    print("goals: <= 10x floor, <= 1.5x DuckDB, <= 150 ms")
    print("\nper dataset (cached by fingerprint):")
    print(f"  holding matrix            {matrix_s * 1000:8.1f} ms")
    print(f"  co-holding (X.T @ X)      {co_s * 1000:8.1f} ms")
    print(f"  propensity features       {features_s:8.2f} s  ({features.shape[1]} features)")
    print(f"  model training            {train_s:8.2f} s  ({len(prepared.products)} models, AUC and lift on hold-out)")
    print(f"  scoring all customers     {score_s:8.2f} s")
    print(f"per control: next-best refresh after a sizing change {next_best_ms:.1f} ms")
    print(models.quality_.round(3).to_string(index=False))
    return 0 if all(checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
