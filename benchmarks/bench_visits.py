"""How fast the visits views are at bank scale: the cube build, a segment change and a what-if change.

Each step is timed next to two references on the same data:

* **floor** — the least any implementation must do: one numpy pass with precomputed integer
  codes (a ``bincount`` over the activity rows for the build; one sum over the counter matrix
  for a segment change; one ``bincount`` over the customers for a what-if);
* **DuckDB** — the same aggregation as SQL on the same data (registered once; only the query
  is timed).

Run ``python -m benchmarks.bench_visits --customers 1000000`` (36 months of history).
A what-if change works on a few per-branch arrays and never reads the activity table.
"""

from __future__ import annotations

import argparse
import time

import duckdb
import numpy as np
import pandas as pd

from benchmarks.common import median_ms
from crm_core.contract import CHANNELS
from crm_core.dataset import Dataset, fingerprint_of
from crm_core.prepare import customer_positions, prepared_dataset
from crm_core.sample import SampleConfig, sample_tables
from crm_core.visits import (
    WhatIfInputs,
    branch_declines,
    segment_declines,
    substitution_flows,
    visit_cube,
    what_if_base,
    what_if_staffing,
)


def line(label: str, ms: float, floor_ms: float, duck_ms: float) -> str:
    return f"{label:<34} {ms:10.2f} ms   {ms / floor_ms:7.2f}x floor   {ms / duck_ms:7.2f}x DuckDB"


def segment_schemes(prepared) -> list[tuple[np.ndarray, list[str]]]:
    """Three schemes to switch between: AUM tiers, age bands, AUM quintiles."""
    aum = prepared.customers["aum"].to_numpy(dtype=float)
    tiers = np.searchsorted(np.array([5e4, 5e5, 6e6]), aum, side="right").astype(np.int8)
    age = prepared.customers["age_band"].cat.codes.to_numpy().astype(np.int8)
    quintile = np.searchsorted(np.quantile(aum, [0.2, 0.4, 0.6, 0.8]), aum, side="right").astype(np.int8)
    return [
        (tiers, ["mass", "affluent", "hnw", "private"]),
        (age, [str(c) for c in prepared.customers["age_band"].cat.categories]),
        (quintile, ["q1", "q2", "q3", "q4", "q5"]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    tables = sample_tables(SampleConfig(n_customers=args.customers, seed=args.seed))
    dataset = Dataset("bench", tables.customers, tables.activity, tables.holdings, fingerprint_of([b"bench"]))
    prepared = prepared_dataset(dataset)
    activity = dataset.activity
    n = len(prepared.customers)
    print(f"{n:,} customers, {len(activity):,} activity rows; generated and prepared in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip

    # --- per-dataset cube build --------------------------------------------------------------
    cube_ms = median_ms(lambda _: visit_cube(prepared), max(1, args.repeats // 2))
    cube = visit_cube(prepared)
    m = cube.n_months
    position = customer_positions(prepared.customers["customer_id"], activity["customer_id"])
    month = (activity["month"].dt.year - cube.months[0].year) * 12 + activity["month"].dt.month - cube.months[0].month
    month = month.to_numpy(dtype=np.int64)
    channel = activity["channel"].cat.codes.to_numpy().astype(np.int64)
    txn = activity["transactions"].to_numpy(dtype=np.float64)
    cell = (channel * m + month) * n + position
    floor_build = median_ms(lambda _: np.bincount(cell, weights=txn, minlength=len(CHANNELS) * m * n), 3)
    con = duckdb.connect()
    con.register("activity", pd.DataFrame({"pos": position, "month": month, "channel": channel, "txn": txn}))
    counter, mobile, online = CHANNELS.index("counter"), CHANNELS.index("mobile"), CHANNELS.index("online")
    build_sql = f"""
        SELECT pos, month,
               sum(txn) FILTER (WHERE channel = {counter}) AS counter,
               sum(txn) FILTER (WHERE channel IN ({mobile}, {online})) AS digital,
               sum(txn) AS total
        FROM activity GROUP BY pos, month
    """
    duck_build = median_ms(lambda _: con.execute(build_sql).fetchnumpy(), 3)
    print(f"cube: {m} months, {cube.nbytes / 2**20:,.0f} MiB")
    print(line("cube build (once per dataset)", cube_ms, floor_build, duck_build))

    # --- per-dataset branch fits (the what-if's forecast) ----------------------------------------
    branch_ms = median_ms(lambda _: branch_declines(cube), args.repeats)
    _, fits = branch_declines(cube)
    print(f"{'branch decline fits (once)':<34} {branch_ms:10.2f} ms")

    # --- segment change: decline by segment, substitution flows, what-if base --------------------
    schemes = segment_schemes(prepared)

    def segment_change(i: int) -> None:
        codes, labels = schemes[i % len(schemes)]
        segment_declines(cube, codes, labels)
        substitution_flows(cube, codes, labels)
        what_if_base(cube, codes, labels, fits)

    segment_ms = median_ms(segment_change, args.repeats)
    floor_segment = median_ms(lambda _: cube.counter.sum(axis=1, dtype=np.int64), args.repeats)
    wide = pd.DataFrame({f"m{j}": cube.counter[j] for j in range(m)})
    wide["segment"] = schemes[0][0]
    con.register("wide", wide)
    segment_sql = "SELECT segment, " + ", ".join(f"sum(m{j})" for j in range(m)) + " FROM wide GROUP BY segment"
    duck_segment = median_ms(lambda _: con.execute(segment_sql).fetchnumpy(), args.repeats)
    print(line("segment change", segment_ms, floor_segment, duck_segment))

    # --- what-if change: only the per-branch base, never the activity --------------------------
    codes, labels = schemes[0]
    base = what_if_base(cube, codes, labels, fits)
    steps = [WhatIfInputs(segments=(0, 1), adoption_increase_pp=pp, transactions_per_teller_month=y)
             for pp, y in ((5, 1500), (10, 1500), (20, 1200), (30, 1800))]  # fmt: skip
    whatif_ms = median_ms(lambda i: what_if_staffing(base, steps[i % len(steps)]), args.repeats * 4)
    branch = cube.branch_codes.astype(np.intp)
    volume = cube.counter_12m.astype(np.float64)
    floor_whatif = median_ms(lambda _: np.bincount(branch, weights=volume, minlength=len(cube.branch_labels)), 5)
    customers = pd.DataFrame(
        {"branch": branch, "segment": codes, "counter": volume, "digital": cube.digital_active, "open": cube.is_active}
    )
    con.register("customers", customers)
    whatif_sql = """
        SELECT branch, sum(counter) FILTER (WHERE segment IN (0, 1) AND NOT digital) AS in_scope, sum(counter) AS total
        FROM customers WHERE open GROUP BY branch
    """
    duck_whatif = median_ms(lambda _: con.execute(whatif_sql).fetchnumpy(), 5)
    print(line("what-if change", whatif_ms, floor_whatif, duck_whatif))
    print("floor = one numpy pass with integer codes; DuckDB = the same aggregation as SQL (query only).")


if __name__ == "__main__":
    main()
