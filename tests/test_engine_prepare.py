"""The engine-neutral preparation (Narwhals) equals ``crm_core.prepare`` on DuckDB and on Spark."""

from __future__ import annotations

from pathlib import Path

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pytest

from crm_core import engine_customers, engine_prepare
from crm_core.artefact import restored_customers
from crm_core.dataset import Dataset, channel_dtype
from crm_core.prepare import compact_customers, prepared_customers, prepared_dataset, reference_month
from crm_core.sample import SAMPLE_DIR, read_sample
from tests.conftest import tiny_dataset

ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.slow)]


def edge_bank() -> Dataset:
    """The tiny bank plus customers at the edges.

    F: a blank branch and no activity at all. G: a blank branch, activity only 30 months
    back and a row without transactions in the as-of month, dated mid-month. H: digital
    only, in the same three months a year earlier. The tiny bank brings closures in both
    windows (C, D), a customer without activity (D) and an orphan row (E).
    """
    tiny = tiny_dataset()
    extra = pd.DataFrame(
        {
            "customer_id": pd.array(["F", "G", "H"], dtype="string"),
            "aum": [10.0, 20.0, 30.0],
            "aum_12m_ago": [0.0, 20.0, 10.0],
            "branch": pd.array([None, None, "North"], dtype="string"),
            "age": pd.array([22, None, 45], dtype="Int64"),
            "open_date": pd.to_datetime(["2024-01-01", "2021-06-15", "2022-02-01"]),
            "closed_date": pd.to_datetime([None, None, None]),
        }
    )
    activity = pd.DataFrame(
        {
            "customer_id": pd.array(["G", "G", "H", "H", "H"], dtype="string"),
            "month": pd.to_datetime(["2023-09-01", "2026-03-15", "2025-03-01", "2025-01-01", "2024-12-01"]),
            "channel": pd.Categorical(["counter", "online", "mobile", "online", "counter"], dtype=channel_dtype()),
            "transactions": [6, 0, 2, 9, 1],
        }
    )
    customers = pd.concat([tiny.customers, extra], ignore_index=True)
    return Dataset("edges", customers, pd.concat([tiny.activity, activity], ignore_index=True), None, "edges")


def _engine_tables(engine: str, request, customers: Path, activity: Path):
    """The two tables as Narwhals lazy frames on the named engine."""
    if engine == "duckdb":
        connection = engine_prepare.duckdb_connection()
        return engine_prepare.duckdb_table(connection, customers), engine_prepare.duckdb_table(connection, activity)
    from crm_core.spark_prepare import canonical_spark_tables

    spark = request.getfixturevalue("spark")
    spark_customers, spark_activity, _ = canonical_spark_tables(spark, customers, activity)
    return nw.from_native(spark_customers), nw.from_native(spark_activity)


def _written(dataset: Dataset, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    dataset.customers.to_parquet(folder / "customers.parquet", index=False)
    dataset.activity.to_parquet(folder / "activity.parquet", index=False)
    return folder / "customers.parquet", folder / "activity.parquet"


def _assert_engine_equals_local(engine: str, request, dataset: Dataset, customers: Path, activity: Path) -> None:
    local = prepared_dataset(dataset)
    customer_table, activity_table = _engine_tables(engine, request, customers, activity)
    as_of = engine_prepare.activity_as_of(activity_table)
    assert as_of == local.as_of
    per_customer = engine_prepare.customer_activity(activity_table, as_of)
    features, orphans = engine_prepare.features_frame(
        engine_prepare.activity_features(customer_table.select("customer_id"), per_customer, as_of), activity_table
    )
    expected = local.customers[["customer_id", *engine_prepare.ACTIVITY_FEATURES]]
    expected = expected.astype({"customer_id": "string"}).sort_values("customer_id", ignore_index=True)
    pd.testing.assert_frame_equal(features, expected)
    assert orphans == local.orphan_activity_rows
    monthly = engine_prepare.monthly_channels(customer_table, activity_table, as_of)
    pd.testing.assert_frame_equal(monthly, local.monthly_channels)


def test_engine_equals_numpy_on_the_bundled_sample(request):
    # DuckDB here; Spark runs the same rules on the sample end to end in
    # tests/test_spark_prepare.py::test_spark_equals_local_on_the_bundled_sample (every prepared column, the
    # grid, the visit cube), so a Spark run of each part on the sample would only repeat it (80 s of the suite).
    _assert_engine_equals_local(
        "duckdb", request, read_sample(), SAMPLE_DIR / "customers.parquet", SAMPLE_DIR / "activity.parquet"
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_engine_equals_numpy_on_the_edge_bank(engine, request, tmp_path):
    dataset = edge_bank()
    _assert_engine_equals_local(engine, request, dataset, *_written(dataset, tmp_path))


def test_the_edge_bank_exercises_its_edges():
    customers = prepared_dataset(edge_bank()).customers.set_index("customer_id")
    assert customers.loc["F", "months_since_active"] == -1 and customers.loc["F", "branch"] == "(none)"
    assert customers.loc["G", "months_since_active"] == 0 and not customers.loc["G", "digital_active"]
    assert customers.loc["H", "digital_active_12m_ago"] and not customers.loc["H", "mobile_active"]
    assert customers.loc[["C", "D"], "is_active"].eq(False).all()
    assert pd.isna(customers.loc["D", "counter_trend"]) and pd.isna(customers.loc["D", "digital_share_12m"])


def flags_bank() -> Dataset:
    """The edge bank as an extract without open dates, with flags, counts and closed holdings.

    Tenure stands for the opening (12 and 24 months are the boundaries); ``has_funds``,
    ``has_payroll_service`` and ``churned`` have blanks (a blank payroll flag with the service held,
    one with it closed, one with nothing); ``num_products`` is given for some customers only; a branch is blank
    but no city is; one age is outside every band; the holdings carry open and close dates (a
    product closed in the year, one closed before it, one of an unknown customer).
    """
    edges = edge_bank()
    assert edges.customers["customer_id"].tolist() == ["A", "B", "C", "D", "F", "G", "H"]
    customers = edges.customers.drop(columns=["open_date", "closed_date"]).assign(
        tenure_months=pd.array([74, 6, 12, 24, None, 11, 23], dtype="Int64"),
        churned=pd.array([False, None, True, True, None, False, False], dtype="boolean"),
        has_funds=pd.array([True, None, False, True, None, False, False], dtype="boolean"),
        has_payroll_service=pd.array([None, None, False, True, None, None, False], dtype="boolean"),
        num_products=pd.array([None, 3, None, 1, None, 2, None], dtype="Int64"),
        city=pd.array(["Xi'an"] * 7, dtype="string"),
        age=pd.array([34, 61, 75, 29, None, 250, 45], dtype="Int64"),
    )
    holdings = pd.DataFrame(
        {
            "customer_id": pd.array(["A", "A", "B", "C", "G", "G", "H", "Z"], dtype="string"),
            "product": pd.array(
                [
                    "savings_deposit",
                    "payroll_service",
                    "funds",
                    "savings_deposit",
                    "mortgage",
                    "payroll_service",
                    "funds",
                    "funds",
                ],
                dtype="string",
            ),
            "open_date": pd.to_datetime(
                [
                    "2020-01-01",
                    "2024-02-01",
                    "2025-09-10",
                    "2019-05-01",
                    "2021-06-15",
                    "2021-06-15",
                    "2025-04-01",
                    "2020-01-01",
                ]
            ),
            "close_date": pd.to_datetime([None, "2025-06-30", None, "2024-01-31", None, None, "2026-03-31", None]),
        }
    )
    return Dataset("flags", customers, edges.activity, holdings, "flags")


def _customer_tables(engine: str, request, dataset: Dataset, folder: Path):
    """The customers and holdings as Narwhals lazy frames on the named engine (read from Parquet)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"customers": folder / "customers.parquet", "holdings": None}
    dataset.customers.to_parquet(paths["customers"], index=False)
    if dataset.holdings is not None:
        paths["holdings"] = folder / "holdings.parquet"
        dataset.holdings.to_parquet(paths["holdings"], index=False)
    if engine == "duckdb":
        connection = engine_prepare.duckdb_connection()
        tables = {k: v and engine_prepare.duckdb_table(connection, v) for k, v in paths.items()}
        return tables["customers"], tables["holdings"]
    from crm_core.spark_prepare import canonical_spark_tables

    spark = request.getfixturevalue("spark")
    customers, _, holdings = canonical_spark_tables(spark, paths["customers"], None, paths["holdings"])
    return nw.from_native(customers), holdings if holdings is None else nw.from_native(holdings)


CUSTOMER_BANKS = {"sample": read_sample, "edges": edge_bank, "flags": flags_bank, "tiny": tiny_dataset}


CUSTOMER_CASES = [("duckdb", bank) for bank in CUSTOMER_BANKS] + [
    pytest.param("spark", bank, marks=pytest.mark.slow) for bank in CUSTOMER_BANKS if bank != "sample"
]
"""Every bank on DuckDB, the small edge banks on Spark (the sample's Spark run is end to end:
``tests/test_spark_prepare.py::test_spark_equals_local_on_the_bundled_sample``)."""


@pytest.mark.parametrize(("engine", "bank"), CUSTOMER_CASES)
def test_engine_customer_rules_equal_numpy(engine, bank, request, tmp_path):
    dataset = CUSTOMER_BANKS[bank]()
    customer_table, holdings_table = _customer_tables(engine, request, dataset, tmp_path)
    as_of = reference_month(dataset)
    expected, expected_products = prepared_customers(dataset, as_of)
    expected = compact_customers(expected)  # the text categories and int32 counts prepared_dataset gives
    table, products = engine_customers.customer_features(customer_table, holdings_table, as_of)
    # Restored as an artefact's customers are: the engine's Parquet types back to prepare.py's dtypes.
    actual = restored_customers(table.collect(backend="pandas").to_native())
    assert products == expected_products
    # Spark keeps microseconds: the extract's own dates are compared in that unit (no rule makes them).
    dates = {c: "datetime64[us]" for c in expected.columns if pd.api.types.is_datetime64_any_dtype(expected[c])}
    pd.testing.assert_frame_equal(
        actual.astype(dates).sort_values("customer_id", ignore_index=True),
        expected.astype(dates).sort_values("customer_id", ignore_index=True),
    )


@pytest.mark.parametrize("bank", list(CUSTOMER_BANKS))
def test_preparation_keeps_every_extract_column_it_does_not_list_as_rewritten(bank):
    """What a filter takes from the prepared rows instead of the extract (``filtered_prepared``) is the extract's."""
    from crm_core.prepare import rewritten_by_preparation

    dataset = CUSTOMER_BANKS[bank]()
    customers, _ = prepared_customers(dataset, reference_month(dataset))
    kept = [c for c in dataset.customers.columns if not rewritten_by_preparation(c)]
    assert kept and set(kept) <= set(customers.columns)
    pd.testing.assert_frame_equal(customers[kept], dataset.customers[kept])


def test_the_flags_bank_exercises_its_edges():
    dataset = flags_bank()
    customers, products = prepared_customers(dataset, reference_month(dataset))
    customers = customers.set_index("customer_id")
    assert customers.loc["C", "alive_12m_ago"] and not customers.loc["C", "alive_24m_ago"]  # tenure 12
    assert customers.loc["D", "alive_24m_ago"] and not customers.loc["B", "alive_12m_ago"]
    assert not customers.loc["A", "has_payroll_service"] and customers.loc["A", "products_held_12m_ago"] == 2
    # paid here: the flag or the service held; a blank flag with nothing held now is not known
    assert customers["is_payroll"].tolist() == [pd.NA, pd.NA, False, True, pd.NA, True, False]
    assert customers.loc["B", "products_held"] == 3 and customers.loc["A", "products_held"] == 2
    assert not customers.loc["H", "has_funds"] and customers.loc["H", "products_held_12m_ago"] == 0
    assert pd.isna(customers.loc["G", "age_band"]) and customers.loc["B", "is_active"]
    assert "mortgage" in products and "Z" not in customers.index


def test_month_windows_cut_at_the_first_instant_of_a_month():
    windows = engine_prepare.MonthWindows(pd.Timestamp("2026-03-01"))
    months = ["2025-03-31 23:59", "2025-04-01 00:00", "2025-02-28 00:00", "2024-04-01 00:00"]
    frame = pd.DataFrame({"month": pd.to_datetime(months)})
    result = nw.from_native(frame).select(
        last_12=windows.since(11), prev_12=windows.between(23, 12), year_ago_recent=windows.between(14, 12)
    )
    assert result.to_native().to_dict("list") == {
        "last_12": [False, True, False, False],
        "prev_12": [True, False, True, True],
        "year_ago_recent": [True, False, True, False],
    }


def _prepare_argv(engine: str, tables: dict[str, Path], out: Path, *extra: str) -> list[str]:
    argv = ["--engine", engine, "--customers", str(tables["customers"]), "--activity", str(tables["activity"])]
    return [*argv, "--holdings", str(tables["holdings"]), "--out", str(out), "--no-models", *extra]


def test_cli_duckdb_writes_the_local_artefact(tmp_path, capsys):
    from crm_core.artefact import read_artefact, read_manifest
    from crm_core.prepare_cli import prepare_main
    from crm_core.sample import SampleConfig, write_sample

    tables = write_sample(tmp_path / "source", SampleConfig(n_customers=400, seed=5, months=18))
    assert prepare_main(_prepare_argv("local", tables, tmp_path / "local")) == 0, capsys.readouterr().err
    spill = tmp_path / "spill"
    argv = _prepare_argv("duckdb", tables, tmp_path / "duckdb", "--memory-limit", "1GB", "--spill-dir", str(spill))
    assert prepare_main(argv) == 0, capsys.readouterr().err
    assert "prepared with duckdb" in capsys.readouterr().out
    local, engine = read_artefact(tmp_path / "local"), read_artefact(tmp_path / "duckdb")
    assert read_manifest(tmp_path / "duckdb")["engine"] == "duckdb"
    assert (engine.fingerprint, engine.as_of, engine.products, engine.orphan_activity_rows, engine.dataset.name) == (
        local.fingerprint,
        local.as_of,
        local.products,
        local.orphan_activity_rows,
        local.dataset.name,
    )
    pd.testing.assert_frame_equal(engine.customers, local.customers)
    pd.testing.assert_frame_equal(engine.monthly_channels, local.monthly_channels)
    assert engine.dataset.activity_row_count == local.dataset.activity_row_count


def test_cli_duckdb_reads_folders_of_part_files(tmp_path, capsys):
    from crm_core.artefact import loaded_activity, read_artefact
    from crm_core.prepare_cli import prepare_main
    from crm_core.sample import SampleConfig, write_sample_shards

    tables = write_sample_shards(tmp_path / "source", SampleConfig(n_customers=300, seed=2, months=15), shards=3)
    assert prepare_main(_prepare_argv("duckdb", tables, tmp_path / "out")) == 0, capsys.readouterr().err
    frames = {table: pd.read_parquet(path) for table, path in tables.items()}
    activity = frames["activity"].astype({"channel": channel_dtype(), "customer_id": "category"})
    local = prepared_dataset(Dataset("parts", frames["customers"], activity, frames["holdings"], "parts"))
    result = read_artefact(tmp_path / "out")
    pd.testing.assert_frame_equal(result.customers, local.customers)
    pd.testing.assert_frame_equal(result.monthly_channels, local.monthly_channels)
    assert len(loaded_activity(result.dataset)) == len(activity)


@pytest.mark.parametrize("chinese_headers", [False, True])
def test_cli_duckdb_reads_a_csv_activity_out_of_core_as_the_loader_does(tmp_path, capsys, chinese_headers):
    """A bank's CSV (Chinese channel words and months, ids with zeros, refused rows; headers such as 客户号 /
    交易月份 found by the loader's suggestions): the customers and holdings go through the loader, the
    activity is read by DuckDB with the loader's words, and the artefact equals the local engine's."""
    from crm_core.artefact import loaded_activity, read_artefact, read_manifest
    from crm_core.prepare_cli import prepare_main
    from tests.bank_csv import LEFT_OUT, write_bank_csv

    source = write_bank_csv(tiny_dataset(), tmp_path / "source", chinese_headers=chinese_headers)
    tables = {table: source / f"{table}.csv" for table in ("customers", "activity", "holdings")}
    said = {}
    for engine in ("local", "duckdb"):
        assert prepare_main(_prepare_argv(engine, tables, tmp_path / engine)) == 0, capsys.readouterr().err
        out = capsys.readouterr().out
        assert f"prepared with {engine}" in out
        said[engine] = [line for line in out.splitlines() if line.startswith("rows left out")]
    assert said["duckdb"] == said["local"] == [LEFT_OUT]
    local, engine = read_artefact(tmp_path / "local"), read_artefact(tmp_path / "duckdb")
    assert read_manifest(tmp_path / "duckdb")["engine"] == "duckdb"
    assert engine.customers["customer_id"].tolist() == ["001", "002", "003", "004"]
    assert engine.customers["counter_txn_12m"].sum() > 0
    pd.testing.assert_frame_equal(engine.customers, local.customers)
    pd.testing.assert_frame_equal(engine.monthly_channels, local.monthly_channels)
    assert (engine.as_of, engine.products, engine.orphan_activity_rows) == (
        local.as_of, local.products, local.orphan_activity_rows,
    )  # fmt: skip
    pd.testing.assert_frame_equal(
        loaded_activity(engine.dataset).astype({"month": "datetime64[ns]", "channel": "string"}),
        loaded_activity(local.dataset).astype({"month": "datetime64[ns]", "channel": "string"}),
        check_categorical=False,
    )


def test_cli_duckdb_leaves_what_it_cannot_read_out_of_core_to_the_loader(tmp_path, capsys):
    """A GB18030 activity file and a transaction log are read in memory by the loader, as before."""
    from crm_core.artefact import read_manifest
    from crm_core.prepare_cli import prepare_main

    tiny = tiny_dataset()
    customers, activity = tmp_path / "customers.csv", tmp_path / "activity.csv"
    tiny.customers.to_csv(customers, index=False)
    tiny.activity.assign(channel=tiny.activity["channel"].astype(str).replace({"counter": "柜面"})).to_csv(
        activity, index=False, encoding="gb18030"
    )
    argv = ["--customers", str(customers), "--activity", str(activity), "--out", str(tmp_path / "o"), "--no-models"]
    assert prepare_main(argv) == 0, capsys.readouterr().err
    assert "prepared with local" in capsys.readouterr().out
    assert read_manifest(tmp_path / "o")["engine"] == "local"
    log = tmp_path / "log.csv"
    log.write_text("customer_id,txn_date,channel,amount\nA,2026-03-05 10:00,Mobile,5\nB,2026-02-01,ATM,7\n")
    argv = ["--customers", str(customers), "--activity", str(log), "--out", str(tmp_path / "l"), "--no-models"]
    assert prepare_main(argv) == 0, capsys.readouterr().err
    assert "prepared with local" in capsys.readouterr().out


def test_duckdb_connection_applies_the_memory_limit_and_spill_folder(tmp_path):
    connection = engine_prepare.duckdb_connection("1GB", tmp_path / "spill", threads=1)
    names = ("memory_limit", "temp_directory", "threads", "preserve_insertion_order")
    query = "SELECT " + ", ".join(f"current_setting('{name}')" for name in names)
    assert connection.execute(query).fetchone() == ("953.6 MiB", str(tmp_path / "spill"), 1, False)  # 1 GB = 10^9 bytes


def test_activity_words_read_channels_and_months_as_the_loader_does_on_duckdb(tmp_path):
    """Exact rows and reasons: the loader's words through distinct values, cells stripped, markers missing."""
    from crm_core.engine_activity import activity_words
    from crm_core.messages import Message

    csv = tmp_path / "activity.csv"
    csv.write_text(
        "customer_id,month,channel,transactions\n"
        "007,2024年3月,柜面,2\n"
        " 007 , 202404 , Mobile Banking ,3\n"
        "NA,2024-04,柜面,1\n"
        "008,not a month,ATM,1\n"
        "008,,ATM,1\n"
        "009,2024-05,-,4\n"
        "009,2024-05,信鸽,1\n",
        encoding="utf-8",
    )
    connection = engine_prepare.duckdb_connection()
    words = activity_words(nw.from_native(connection.read_csv(str(csv), header=True, all_varchar=True)))
    frame = words.frame.collect(backend="pandas").to_native().sort_values("month", ignore_index=True)
    expected = pd.DataFrame(
        {
            "customer_id": ["007", "007"],
            "month": pd.to_datetime(["2024-03-01", "2024-04-01"]).astype("datetime64[us]"),
            "channel": ["counter", "mobile"],
            "transactions": ["2", "3"],
        }
    )
    pd.testing.assert_frame_equal(frame, expected, check_dtype=False)
    assert words.left_out == (
        (Message("load_reason_missing", field="customer_id"), 1),
        (Message("load_reason_missing", field="month"), 1),
        (Message("load_reason_invalid", field="month"), 1),
        (Message("load_reason_missing", field="channel"), 1),
        (Message("load_reason_unknown_channel"), 1),
    )


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=pytest.mark.slow)])
def test_an_extract_that_records_no_digital_channel_has_no_digital_flags_on_every_engine(engine, tmp_path, capsys):
    # A branch-and-ATM bank (the Berka set): "not mobile active" would be invented for every customer.
    from crm_core import visits as vis
    from crm_core.artefact import read_artefact
    from crm_core.playbook.guarantees import guarantee_measures
    from crm_core.prepare import CHANNEL_FLAGS
    from crm_core.prepare_cli import prepare_main
    from crm_core.sample import SampleConfig, write_sample
    from crm_core.scenarios import Scenario
    from crm_core.staff.indicators import _available

    tables = write_sample(tmp_path / "source", SampleConfig(n_customers=300, seed=4, months=26))
    activity = pd.read_parquet(tables["activity"])
    activity[activity["channel"].astype(str).isin(["counter", "atm"])].to_parquet(tables["activity"], index=False)
    for name in ("local", engine):
        assert prepare_main(_prepare_argv(name, tables, tmp_path / name)) == 0, capsys.readouterr().err
    local, other = read_artefact(tmp_path / "local"), read_artefact(tmp_path / engine)
    assert not set(CHANNEL_FLAGS) & set(local.customers.columns), "flags of channels the extract does not record"
    pd.testing.assert_frame_equal(other.customers, local.customers)
    assert local.has("counter_txn_12m") and local.has("aum_trend")  # the rest of the activity features stay
    cube = vis.visit_cube(local)
    assert cube.n_months >= 24
    kpis = vis.visit_kpis(local, cube, vis.bank_decline(cube)).set_index("metric")["value"]
    assert np.isnan(kpis["mobile_active_share"]) and np.isnan(kpis["silent_attrition_customers"])
    silent = vis.visit_availability(local).set_index("view").loc["silent_attrition"]
    assert not silent["available"] and silent["missing"] == ("digital_channels",)
    assert vis.silent_attrition(local, cube).empty
    assert not _available(local.customers, "digital_adoption")
    assert not _available(local.customers, "silent_attrition_share")
    assert np.isnan(guarantee_measures(local, Scenario()).set_index("kpi").loc["digital_adoption", "current"])
    # with the mobile channel recorded, the same bank measures it again
    assert "mobile_active" in prepared_dataset(read_sample()).customers
