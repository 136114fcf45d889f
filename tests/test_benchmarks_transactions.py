"""The transaction-log benchmark runs small: its log loads, reconciles, and the DuckDB floor aggregates the same."""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks import bench_transactions


def test_a_small_run_reports_both_ratios():
    result = bench_transactions.main(["--rows", "3000", "--customers", "40"])
    assert result["rows"] == 3000
    assert result["time_ratio"] > 0 and result["duckdb_ratio"] > 0 and result["arrow_group_ratio"] > 0


def test_the_duckdb_floor_groups_as_the_loader_does():
    """Same log, same groups: the floor measures the loader's aggregation, not a smaller job."""
    from crm_core.loading import load_dataset

    data = bench_transactions.transaction_log_csv(2000, 30)
    dataset, _ = load_dataset([("t.csv", data)])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(data)
        floor = bench_transactions.duckdb_activity(path).to_pandas()
        arrow = bench_transactions.arrow_activity(path).to_pandas()
    assert len(floor) == len(arrow) == len(dataset.activity)
    assert arrow["count_all"].sum() == 2000
    assert floor["transactions"].sum() == dataset.activity["transactions"].sum() == 2000
    assert abs(floor["amount"].sum() - dataset.activity["amount"].sum()) < 1e-6 * abs(floor["amount"]).sum()
