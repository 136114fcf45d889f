"""Foundation benchmark: dataset preparation and Overview aggregates next to a numpy scan floor.

Usage: ``bash dev.sh bench`` or ``python -m benchmarks.run --customers 100000 1000000``.

The floor is a plain numpy pass over the same columns the step reads (bincount of the
activity codes for preparation; sums and a partition of AUM for the Overview): the least
any implementation must spend touching that data once.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks.common import best_time, row
from crm_core.dataset import Dataset
from crm_core.overview import monthly_channel_totals, overview_kpis
from crm_core.prepare import prepared_dataset
from crm_core.sample import SampleConfig, sample_tables


def bench(n_customers: int) -> None:
    started = time.perf_counter()
    tables = sample_tables(SampleConfig(n_customers=n_customers))
    generated = time.perf_counter() - started
    dataset = Dataset("bench", tables.customers, tables.activity, tables.holdings, f"bench-{n_customers}")
    activity_rows = len(tables.activity)
    print(f"\n{n_customers:,} customers, {activity_rows:,} activity rows (generated in {generated:.1f} s)")

    # Floor for preparation: one bincount over integer customer x channel codes of the activity.
    codes = tables.activity["customer_id"].str.slice(1).astype(int).to_numpy() - 1
    channel = tables.activity["channel"].cat.codes.to_numpy()
    weights = tables.activity["transactions"].to_numpy()
    cell = codes * 5 + channel
    floor_prepare = best_time(lambda: np.bincount(cell, weights=weights, minlength=n_customers * 5), repeat=3)
    prepare = best_time(lambda: prepared_dataset(dataset), repeat=2)
    print(row("prepare dataset (once per fingerprint)", prepare, floor_prepare, activity_rows))
    print(row("  floor: numpy bincount of activity", floor_prepare, None, activity_rows))

    prepared = prepared_dataset(dataset)
    aum = prepared.customers["aum"].to_numpy()
    active = prepared.customers["is_active"].to_numpy()

    def floor_overview():
        values = aum[active]
        values.sum()
        np.partition(values, len(values) - max(1, len(values) // 10))

    floor = best_time(floor_overview)
    overview = best_time(lambda: (overview_kpis(prepared), monthly_channel_totals(prepared)))
    print(row("overview aggregates (per dataset, cached)", overview, floor, n_customers))
    print(row("  floor: numpy sum + partition of AUM", floor, None, n_customers))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args(argv)
    for n in args.customers:
        bench(n)


if __name__ == "__main__":
    main()
