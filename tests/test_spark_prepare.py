"""The Spark preparation agrees with ``crm_core.prepare`` column by column, and writes the same artefact."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_core.artefact import loaded_holdings, read_artefact
from crm_core.prepare import prepared_dataset
from crm_core.sample import SampleConfig, read_sample, write_sample
from tests.bank_csv import LEFT_OUT, write_bank_csv


def assert_same_customers(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same columns in the same order; exact for everything but floats (1e-9 relative)."""
    assert list(actual.columns) == list(expected.columns)
    actual = actual.sort_values("customer_id", ignore_index=True)
    expected = expected.sort_values("customer_id", ignore_index=True)
    assert len(actual) == len(expected)
    for column in expected.columns:
        left, right = actual[column], expected[column]
        if pd.api.types.is_float_dtype(right.dtype):
            np.testing.assert_allclose(
                left.to_numpy(float), right.to_numpy(float), rtol=1e-9, equal_nan=True, err_msg=column
            )
        elif pd.api.types.is_datetime64_any_dtype(right.dtype):
            assert left.astype("datetime64[us]").equals(right.astype("datetime64[us]")), column
        else:
            pd.testing.assert_series_equal(left, right, check_names=False, obj=column)


def assert_same_monthly(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        actual.astype({"month": "datetime64[us]"}), expected.astype({"month": "datetime64[us]"})
    )


def test_spark_artefact_equals_local_on_the_generated_sample(spark, tmp_path):
    from crm_core.spark_prepare import spark_preparation, write_spark_artefact

    source = tmp_path / "sample"
    write_sample(source, SampleConfig(n_customers=3_000, seed=11))
    started = time.perf_counter()
    local = prepared_dataset(read_sample(source))
    local_seconds = time.perf_counter() - started
    started = time.perf_counter()
    prepared = spark_preparation(
        spark, source / "customers.parquet", source / "activity.parquet", source / "holdings.parquet"
    )
    folder = write_spark_artefact(prepared, tmp_path / "spark", source="sample")
    spark_seconds = time.perf_counter() - started
    print(f"3k customers: local {local_seconds:.2f} s, spark {spark_seconds:.2f} s")

    result = read_artefact(folder)
    assert result.as_of == local.as_of
    assert result.products == local.products
    assert result.orphan_activity_rows == local.orphan_activity_rows
    assert result.fingerprint == local.fingerprint
    assert_same_customers(result.customers, local.customers)
    assert_same_monthly(result.monthly_channels, local.monthly_channels)
    assert result.dataset.activity_row_count == len(local.dataset.activity)
    assert len(loaded_holdings(result.dataset)) == len(local.dataset.holdings)


def _spark_artefact(spark, dataset, folder: Path, suffix: str = "parquet") -> Path:
    """Write a Dataset's tables as files, prepare them with Spark and return the artefact folder."""
    from crm_core.spark_prepare import spark_preparation, write_spark_artefact

    source = folder / "source"
    source.mkdir(parents=True)
    paths = {}
    for table in ("customers", "activity", "holdings"):
        frame = getattr(dataset, table)
        if frame is None:
            paths[table] = None
            continue
        paths[table] = source / f"{table}.{suffix}"
        if suffix == "csv":
            frame.to_csv(paths[table], index=False)
        else:
            frame.to_parquet(paths[table], index=False)
    prepared = spark_preparation(spark, paths["customers"], paths["activity"], paths["holdings"])
    return write_spark_artefact(prepared, folder / "artefact", source="tiny")


def test_spark_agrees_on_the_tiny_bank(spark, tmp_path, tiny):
    # Exercises derived tenure, closures in both windows, an orphan row and holdings with dates.
    local = prepared_dataset(tiny)
    result = read_artefact(_spark_artefact(spark, tiny, tmp_path))
    assert (result.as_of, result.products, result.orphan_activity_rows) == (
        local.as_of,
        local.products,
        local.orphan_activity_rows,
    )
    assert result.orphan_activity_rows == 1
    assert_same_customers(result.customers, local.customers)
    assert_same_monthly(result.monthly_channels, local.monthly_channels)


def test_spark_agrees_with_tenure_flags_and_no_holdings(spark, tmp_path, tiny):
    customers = tiny.customers.drop(columns=["open_date"]).assign(
        tenure_months=pd.array([74, 6, 80, 100], dtype="Int64"),
        has_funds=pd.array([True, None, False, True], dtype="boolean"),
        branch=pd.array(["North", None, "South", "South"], dtype="string"),
    )
    dataset = type(tiny)("flags", customers, tiny.activity, None, fingerprint="flags")
    local = prepared_dataset(dataset)
    result = read_artefact(_spark_artefact(spark, dataset, tmp_path))
    assert result.products == ("funds",)
    assert_same_customers(result.customers, local.customers)
    assert_same_monthly(result.monthly_channels, local.monthly_channels)


def test_spark_replaces_an_extract_column_named_like_a_feature(spark, tmp_path, tiny):
    customers = tiny.customers.assign(months_since_active=pd.array([9, 9, 9, 9], dtype="Int64"))
    dataset = type(tiny)("named", customers, tiny.activity, tiny.holdings, fingerprint="named")
    local = prepared_dataset(dataset)
    result = read_artefact(_spark_artefact(spark, dataset, tmp_path))
    assert local.customers["months_since_active"].tolist() == [0, 11, 24, -1]
    assert_same_customers(result.customers, local.customers)


def test_spark_reads_csv(spark, tmp_path, tiny):
    local = prepared_dataset(tiny)
    result = read_artefact(_spark_artefact(spark, tiny, tmp_path, suffix="csv"))
    assert_same_customers(result.customers, local.customers)
    assert_same_monthly(result.monthly_channels, local.monthly_channels)


def test_spark_prepared_returns_the_two_tables(spark, tmp_path, tiny):
    from crm_core.spark_prepare import spark_prepared

    source = tmp_path / "src"
    source.mkdir()
    tiny.customers.to_parquet(source / "customers.parquet", index=False)
    tiny.activity.to_parquet(source / "activity.parquet", index=False)
    customers, monthly = spark_prepared(spark, source / "customers.parquet", source / "activity.parquet")
    assert customers.count() == 4
    assert len(monthly) == 25 * 5 * 2
    without_holdings = type(tiny)("tiny", tiny.customers, tiny.activity, None, fingerprint="tiny")
    assert list(customers.columns) == list(prepared_dataset(without_holdings).customers.columns)


def _cli_args(engine: str, folder: Path, out: Path, mapping: Path | None = None, suffix: str = "parquet") -> list[str]:
    argv = ["--engine", engine, "--customers", str(folder / f"customers.{suffix}")]
    argv += ["--activity", str(folder / f"activity.{suffix}")]
    if (folder / f"holdings.{suffix}").exists():
        argv += ["--holdings", str(folder / f"holdings.{suffix}")]
    if mapping is not None:
        argv += ["--mapping", str(mapping)]
    return [*argv, "--out", str(out)]


def test_cli_both_engines_write_the_same_artefact(spark, tmp_path, capsys):
    from crm_core.prepare_cli import prepare_main

    source = tmp_path / "sample"
    write_sample(source, SampleConfig(n_customers=400, seed=5, months=18))
    assert prepare_main(_cli_args("local", source, tmp_path / "local")) == 0, capsys.readouterr().err
    assert prepare_main(_cli_args("spark", source, tmp_path / "spark")) == 0, capsys.readouterr().err
    local, remote = read_artefact(tmp_path / "local"), read_artefact(tmp_path / "spark")
    assert remote.fingerprint == local.fingerprint
    assert remote.dataset.name == local.dataset.name == "customers.parquet, activity.parquet, holdings.parquet"
    assert_same_customers(remote.customers, local.customers)
    assert_same_monthly(remote.monthly_channels, local.monthly_channels)


def test_cli_both_engines_apply_a_mapping(spark, tmp_path, tiny, capsys):
    import json

    from crm_core.prepare_cli import prepare_main

    source = tmp_path / "source"
    source.mkdir()
    renamed = {"customer_id": "cust_no", "aum": "total_assets"}
    # Product flags and a close date: preparation derives is_payroll, products_held and churned from them
    # and the holdings (the Spark engine takes the customers and holdings the loader read).
    flagged = tiny.customers.assign(has_payroll_service=[True, False, True, False], has_credit_card=[1, 1, 0, 0])
    customers = flagged.rename(columns=renamed)
    customers.to_csv(source / "customers.csv", index=False)
    tiny.activity.to_csv(source / "activity.csv", index=False)
    # Holdings as a bank writes them: the loader reads 活期存款 as the savings deposit (Spark alone would not).
    named = tiny.holdings.replace({"product": {"savings_deposit": "活期存款"}})
    named.to_csv(source / "holdings.csv", index=False)
    columns = {renamed.get(c, c): c for c in flagged.columns}
    mapping = tmp_path / "map.json"
    tables = {"activity": tiny.activity, "holdings": tiny.holdings}
    mapping.write_text(json.dumps({"customers": columns, **{t: {c: c for c in f.columns} for t, f in tables.items()}}))
    for engine in ("local", "spark"):
        code = prepare_main(_cli_args(engine, source, tmp_path / engine, mapping, suffix="csv"))
        assert code == 0, capsys.readouterr().err
    local, remote = read_artefact(tmp_path / "local"), read_artefact(tmp_path / "spark")
    assert remote.customers["customer_id"].tolist() == ["A", "B", "C", "D"]
    held = remote.customers[[f"has_{p}" for p in remote.products]].sum(axis=1)  # the flags and the holdings
    assert remote.customers["products_held"].tolist() == held.tolist() == [3, 2, 2, 0]
    assert remote.customers["is_payroll"].tolist() == [True, False, True, False]
    assert remote.customers["churned"].tolist() == local.customers["churned"].tolist()
    assert remote.products == local.products == ("credit_card", "payroll_service", "savings_deposit")
    assert remote.customers["has_savings_deposit"].tolist() == [True, True, True, False]
    assert_same_customers(remote.customers, local.customers)
    assert_same_monthly(remote.monthly_channels, local.monthly_channels)


@pytest.mark.parametrize("chinese_headers", [False, True])
def test_cli_spark_reads_an_activity_csv_as_the_loader_does(spark, tmp_path, tiny, capsys, chinese_headers):
    """A bank's activity CSV: Chinese channel words, months as 2024年3月 / 202404, ids with leading zeros, and
    rows the loader refuses. Spark once counted every such transaction as no channel (all zeros), lost the
    zeros of the ids and stopped at the first Chinese month; now both engines give the same artefact and
    say the same rows were left out, for the same reasons."""
    from crm_core.prepare_cli import prepare_main

    source = write_bank_csv(tiny, tmp_path / "source", chinese_headers=chinese_headers)  # 客户号 … found unmapped
    said = {}
    for engine in ("local", "spark"):
        code = prepare_main(_cli_args(engine, source, tmp_path / engine, suffix="csv"))
        output = capsys.readouterr()
        assert code == 0, output.err
        said[engine] = [line for line in output.out.splitlines() if line.startswith("rows left out")]
    local, remote = read_artefact(tmp_path / "local"), read_artefact(tmp_path / "spark")
    assert remote.customers["customer_id"].tolist() == ["001", "002", "003", "004"]
    assert remote.customers["counter_txn_12m"].sum() == local.customers["counter_txn_12m"].sum() > 0
    assert_same_customers(remote.customers, local.customers)
    assert_same_monthly(remote.monthly_channels, local.monthly_channels)
    assert said["spark"] == said["local"] == [LEFT_OUT]
    # Rows of one customer, month and channel summed as the loader sums them: the same activity rows.
    assert remote.dataset.activity_row_count == local.dataset.activity_row_count


def test_cli_spark_refuses_an_activity_csv_it_cannot_read_as_the_loader_does(tmp_path, tiny, capsys):
    """A transaction log (or text not in UTF-8) is refused before Spark starts, with the engines that take it."""
    pytest.importorskip("pyspark")
    from crm_core.prepare_cli import prepare_main

    source = write_bank_csv(tiny, tmp_path / "source")
    (source / "activity.csv").write_text("customer_id,txn_date,channel,amount\n001,2026-03-05 10:00,Mobile,5\n")
    code = prepare_main(_cli_args("spark", source, tmp_path / "out", suffix="csv"))
    err = capsys.readouterr().err
    assert code == 2
    assert "activity.csv is not a UTF-8 table of monthly activity" in err and "--engine duckdb or local" in err
    assert "Traceback" not in err


def test_cli_spark_bad_input_exits_2(spark, tmp_path, capsys):
    from crm_core.prepare_cli import prepare_main

    bad = tmp_path / "customers.parquet"
    bad.write_bytes(b"not parquet")
    code = prepare_main(
        ["--engine", "spark", "--customers", str(bad), "--activity", str(bad), "--out", str(tmp_path / "o")]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("prepare: cannot prepare the data:") and "Traceback" not in err


@pytest.mark.slow  # about a minute on two cores; part of the suite because the issue asks for it
def test_spark_equals_local_on_200k_customers(spark, tmp_path):
    from crm_core.spark_prepare import spark_preparation, write_spark_artefact

    source = tmp_path / "sample"
    write_sample(source, SampleConfig(n_customers=200_000, seed=13))
    started = time.perf_counter()
    local = prepared_dataset(read_sample(source))
    local_seconds = time.perf_counter() - started
    started = time.perf_counter()
    prepared = spark_preparation(
        spark, source / "customers.parquet", source / "activity.parquet", source / "holdings.parquet"
    )
    folder = write_spark_artefact(prepared, tmp_path / "spark", source="sample")
    spark_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = read_artefact(folder)
    read_seconds = time.perf_counter() - started
    print(f"200k customers: local {local_seconds:.1f} s, spark {spark_seconds:.1f} s, read {read_seconds:.1f} s")
    assert_same_customers(result.customers, local.customers)
    assert_same_monthly(result.monthly_channels, local.monthly_channels)


def test_spark_equals_local_on_the_bundled_sample(spark, tmp_path):
    from crm_core.sample import SAMPLE_DIR
    from crm_core.spark_prepare import spark_preparation, write_spark_artefact

    local = prepared_dataset(read_sample())
    prepared = spark_preparation(
        spark, SAMPLE_DIR / "customers.parquet", SAMPLE_DIR / "activity.parquet", SAMPLE_DIR / "holdings.parquet"
    )
    result = read_artefact(write_spark_artefact(prepared, tmp_path / "spark", source="Bank A sample"))
    # The committed files predate the sample's Chinese place names: read_sample adds them from
    # SAMPLE_PLACE_NAMES (keeping the files' bytes and fingerprint), Spark reads the files alone.
    assert_same_customers(result.customers, local.customers.drop(columns=["branch_zh", "city_zh"]))
    assert_same_monthly(result.monthly_channels, local.monthly_channels)
    assert result.fingerprint == local.fingerprint
    # The visits cube streamed from Spark's activity file (plain strings, Spark timestamps) equals
    # the one built from the sample in memory.
    from crm_core.visits.cube import visit_cube

    on_disk, in_memory = visit_cube(result), visit_cube(local)
    assert list(on_disk.months) == list(in_memory.months)
    for matrix in ("counter", "digital", "other"):
        np.testing.assert_array_equal(getattr(on_disk, matrix), getattr(in_memory, matrix))
