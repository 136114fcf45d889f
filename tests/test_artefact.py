"""The prepared-data artefact: round trip, manifest and the artefacts it refuses."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet
import pytest

from crm_core.artefact import (
    SCHEMA_VERSION,
    ArtefactError,
    canonical_customers,
    is_artefact,
    loaded_activity,
    loaded_holdings,
    read_artefact,
    read_manifest,
    write_artefact,
)
from crm_core.dataset import Dataset
from crm_core.prepare import prepared_dataset
from crm_core.prepare_cli import prepare_main
from crm_core.sample import SampleConfig, write_sample


@pytest.fixture
def tiny_prepared(tiny):
    return prepared_dataset(tiny)


@pytest.fixture
def tiny_artefact(tiny_prepared, tmp_path):
    return write_artefact(tiny_prepared, tmp_path / "artefact", source="tiny tables")


def test_manifest_records_what_the_manager_needs(tiny_artefact):
    manifest = read_manifest(tiny_artefact)
    created = manifest.pop("created")
    assert created.endswith("+00:00")
    assert manifest == {
        "schema_version": SCHEMA_VERSION,
        "source": "tiny tables",
        "name": "tiny",
        "engine": "local",
        "as_of": "2026-03-01",
        "fingerprint": "tiny",
        "products": ["credit_card", "savings_deposit"],
        "orphan_activity_rows": 1,
        "rows": {
            "customers.parquet": 4,
            "monthly_channels.parquet": 25 * 5 * 2,
            "activity.parquet": 6,
            "holdings.parquet": 4,
        },
    }
    assert is_artefact(tiny_artefact)


def test_round_trip_equals_the_prepared_dataset(tiny, tiny_prepared, tiny_artefact):
    result = read_artefact(tiny_artefact)
    pd.testing.assert_frame_equal(result.customers, tiny_prepared.customers)
    pd.testing.assert_frame_equal(result.monthly_channels, tiny_prepared.monthly_channels)
    assert result.dataset.holdings is None  # on disk until a new preparation needs it
    pd.testing.assert_frame_equal(loaded_holdings(result.dataset), tiny.holdings)
    # Ids come back categorical, as read_sample reads them from Parquet.
    activity = tiny.activity.assign(customer_id=tiny.activity["customer_id"].astype(str).astype("category"))
    assert result.dataset.activity is None and result.dataset.activity_row_count == len(activity)
    pd.testing.assert_frame_equal(loaded_activity(result.dataset), activity)
    assert (result.as_of, result.products, result.orphan_activity_rows, result.fingerprint) == (
        tiny_prepared.as_of,
        tiny_prepared.products,
        tiny_prepared.orphan_activity_rows,
        "tiny",
    )


def test_rebuilt_dataset_prepares_to_the_same_customers(tiny_prepared, tiny_artefact):
    dataset = read_artefact(tiny_artefact).dataset
    assert "is_active" not in dataset.customers and "has_credit_card" in dataset.customers
    # Same values; derived tenure and flags now sit among the canonical columns.
    pd.testing.assert_frame_equal(prepared_dataset(dataset).customers, tiny_prepared.customers, check_like=True)


def test_round_trip_of_the_generated_sample(small_sample, tmp_path):
    dataset = Dataset("small", small_sample.customers, small_sample.activity, small_sample.holdings, "small")
    prepared = prepared_dataset(dataset)
    result = read_artefact(write_artefact(prepared, tmp_path / "small", source="generated"))
    pd.testing.assert_frame_equal(result.customers, prepared.customers)
    pd.testing.assert_frame_equal(result.monthly_channels, prepared.monthly_channels)
    assert result.dataset.activity_row_count == len(small_sample.activity)


def test_visit_cube_read_in_batches_from_disk_equals_the_one_from_memory(small_sample, tmp_path, monkeypatch):
    from crm_core import artefact
    from crm_core.visits.cube import visit_availability, visit_cube

    dataset = Dataset("small", small_sample.customers, small_sample.activity, small_sample.holdings, "small")
    prepared = prepared_dataset(dataset)
    result = read_artefact(write_artefact(prepared, tmp_path / "small", source="generated"))
    monkeypatch.setattr(artefact, "ACTIVITY_BATCH_ROWS", 5_000)  # many batches, one shared id dictionary
    assert len(small_sample.activity) > 20_000
    on_disk, in_memory = visit_cube(result), visit_cube(prepared)
    pd.testing.assert_index_equal(on_disk.months, in_memory.months)
    for matrix in ("counter", "digital", "other"):
        np.testing.assert_array_equal(getattr(on_disk, matrix), getattr(in_memory, matrix))
        assert getattr(on_disk, matrix).dtype == getattr(in_memory, matrix).dtype == np.uint8  # < 256 a cell
    np.testing.assert_array_equal(on_disk.total, in_memory.total)
    pd.testing.assert_frame_equal(visit_availability(result), visit_availability(prepared))

    # As Spark writes it: plain strings, so every batch brings its own dictionary of ids.
    activity_file = tmp_path / "small" / "activity.parquet"
    plain = pd.read_parquet(activity_file)
    plain = plain.assign(customer_id=plain["customer_id"].astype(str), channel=plain["channel"].astype(str))
    plain.sample(frac=1.0, random_state=0).to_parquet(activity_file, index=False, row_group_size=7_000)
    reshuffled = visit_cube(read_artefact(tmp_path / "small"))
    for matrix in ("counter", "digital", "other"):
        np.testing.assert_array_equal(getattr(reshuffled, matrix), getattr(in_memory, matrix))


def test_without_activity_or_holdings(tiny, tmp_path):
    dataset = Dataset("bare", tiny.customers, None, None, "bare")
    prepared = prepared_dataset(dataset)
    result = read_artefact(write_artefact(prepared, tmp_path / "bare", source="customers only"))
    assert result.monthly_channels is None and result.dataset.activity is None and result.dataset.holdings is None
    pd.testing.assert_frame_equal(result.customers, prepared.customers)


def test_canonical_customers_drop_derived_columns(tiny_prepared):
    columns = list(canonical_customers(tiny_prepared.customers).columns)
    assert columns == [
        "customer_id",
        "aum",
        "aum_12m_ago",
        "branch",
        "age",
        "open_date",
        "closed_date",
        "churned",
        "tenure_months",
        "has_credit_card",
        "has_savings_deposit",
    ]


def test_missing_manifest_is_refused(tmp_path):
    with pytest.raises(ArtefactError, match=r"manifest\.json is missing"):
        read_artefact(tmp_path)
    assert not is_artefact(tmp_path)


def test_newer_schema_is_refused(tiny_artefact):
    path = tiny_artefact / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["schema_version"] = SCHEMA_VERSION + 1
    path.write_text(json.dumps(manifest))
    with pytest.raises(ArtefactError, match=f"schema version {SCHEMA_VERSION + 1}"):
        read_artefact(tiny_artefact)


def test_row_count_mismatch_is_refused(tiny_artefact):
    customers = pd.read_parquet(tiny_artefact / "customers.parquet")
    customers.head(3).to_parquet(tiny_artefact / "customers.parquet", index=False)
    with pytest.raises(ArtefactError, match="has 3 rows but the manifest says 4"):
        read_artefact(tiny_artefact)


def test_missing_file_and_unreadable_manifest_are_refused(tiny_artefact):
    (tiny_artefact / "holdings.parquet").unlink()
    with pytest.raises(ArtefactError, match=r"holdings\.parquet is missing"):
        read_artefact(tiny_artefact)
    (tiny_artefact / "manifest.json").write_text("{not json")
    with pytest.raises(ArtefactError, match="cannot be read"):
        read_artefact(tiny_artefact)


def test_artefact_error_is_a_value_error():
    assert issubclass(ArtefactError, ValueError)


def test_writing_over_a_folder_that_is_not_an_artefact_is_refused(tiny_prepared, tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(ArtefactError, match="not empty"):
        write_artefact(tiny_prepared, tmp_path, source="tiny")
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_writing_over_an_artefact_replaces_it(tiny, tiny_artefact):
    bare = prepared_dataset(Dataset("bare", tiny.customers, None, None, "bare"))
    write_artefact(bare, tiny_artefact, source="again")
    assert sorted(p.name for p in tiny_artefact.iterdir()) == ["customers.parquet", "manifest.json"]
    assert read_manifest(tiny_artefact)["source"] == "again"


def test_inputs_are_not_modified(tiny_prepared, tmp_path):
    before = tiny_prepared.customers.copy()
    write_artefact(tiny_prepared, tmp_path / "a", source="tiny")
    pd.testing.assert_frame_equal(tiny_prepared.customers, before)


# --- command line, local engine ------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    write_sample(folder, SampleConfig(n_customers=500, seed=3, months=24))
    return folder


def test_cli_local_writes_an_artefact_equal_to_read_sample(sample_folder, tmp_path, capsys):
    from crm_core.sample import read_sample

    out = tmp_path / "out"
    code = prepare_main(
        [
            "--engine",
            "local",
            "--customers",
            str(sample_folder / "customers.parquet"),
            "--activity",
            str(sample_folder / "activity.parquet"),
            "--holdings",
            str(sample_folder / "holdings.parquet"),
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert "as of 2026-10-01" in capsys.readouterr().out
    expected = prepared_dataset(read_sample(sample_folder))
    result = read_artefact(out)
    assert result.fingerprint == expected.fingerprint
    assert read_manifest(out)["engine"] == "local"
    pd.testing.assert_frame_equal(result.customers, expected.customers)
    pd.testing.assert_frame_equal(result.monthly_channels, expected.monthly_channels)


def test_cli_local_loads_csv_through_the_loader(tiny, tmp_path, capsys):
    customers, activity = tmp_path / "customers.csv", tmp_path / "activity.csv"
    tiny.customers.to_csv(customers, index=False)
    tiny.activity.to_csv(activity, index=False)
    code = prepare_main(["--customers", str(customers), "--activity", str(activity), "--out", str(tmp_path / "o")])
    assert code == 0, capsys.readouterr().err
    result = read_artefact(tmp_path / "o")
    assert result.customers["customer_id"].tolist() == ["A", "B", "C", "D"]
    assert result.as_of == pd.Timestamp("2026-03-01")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--customers", "nope.parquet", "--activity", "nope.parquet", "--out", "x"], "no such file"),
        (["--activity", "a.parquet", "--out", "x"], None),
        (["--engine", "cluster", "--customers", "a", "--activity", "a", "--out", "x"], None),
    ],
)
def test_cli_bad_arguments_exit_2(argv, message, capsys):
    assert prepare_main(argv) == 2
    if message:
        assert message in capsys.readouterr().err


def test_cli_unreadable_input_exits_2_without_traceback(tmp_path, capsys):
    bad = tmp_path / "customers.parquet"
    bad.write_bytes(b"not parquet at all")
    code = prepare_main(["--customers", str(bad), "--activity", str(bad), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("prepare: cannot prepare the data:") and "Traceback" not in err
    assert not is_artefact(tmp_path / "o")


def test_cli_bad_mapping_exits_2(sample_folder, tmp_path, capsys):
    mapping = tmp_path / "map.json"
    mapping.write_text("[1, 2]")
    code = prepare_main(
        [
            "--customers",
            str(sample_folder / "customers.parquet"),
            "--activity",
            str(sample_folder / "activity.parquet"),
            "--mapping",
            str(mapping),
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    assert "must be a JSON object" in capsys.readouterr().err


def test_a_cell_beyond_uint16_is_read_again_wider(tiny, tmp_path):
    from crm_core.visits.cube import visit_cube

    busy = tiny.activity.copy()
    busy.loc[busy.index[0], "transactions"] = 70_000  # one customer-month over 65,535
    dataset = Dataset("busy", tiny.customers, busy, tiny.holdings, "busy")
    prepared = prepared_dataset(dataset)
    on_disk = visit_cube(read_artefact(write_artefact(prepared, tmp_path / "busy", source="busy")))
    in_memory = visit_cube(prepared)
    for matrix in ("counter", "digital", "other"):
        np.testing.assert_array_equal(getattr(on_disk, matrix), getattr(in_memory, matrix))
        assert getattr(on_disk, matrix).dtype == getattr(in_memory, matrix).dtype
    assert int(on_disk.total.max()) >= 70_000 and on_disk.total.dtype == np.int64
    assert np.int32 in {getattr(on_disk, m).dtype.type for m in ("counter", "digital", "other")}


def test_an_opened_artefact_saved_again_copies_its_files_on_disk(tiny_artefact, tmp_path):
    opened = read_artefact(tiny_artefact)
    again = read_artefact(write_artefact(opened, tmp_path / "again", source="copied"))
    assert read_manifest(tmp_path / "again")["rows"] == read_manifest(tiny_artefact)["rows"]
    pd.testing.assert_frame_equal(loaded_holdings(again.dataset), loaded_holdings(opened.dataset))
    pd.testing.assert_frame_equal(loaded_activity(again.dataset), loaded_activity(opened.dataset))


def test_an_opened_artefact_saved_into_its_own_folder_keeps_its_files(tiny_artefact):
    opened = read_artefact(tiny_artefact)
    rows = read_manifest(tiny_artefact)["rows"]
    write_artefact(opened, tiny_artefact, source="saved again")
    again = read_artefact(tiny_artefact)
    assert read_manifest(tiny_artefact)["rows"] == rows
    assert not list(tiny_artefact.glob(".*.kept"))
    pd.testing.assert_frame_equal(loaded_holdings(again.dataset), loaded_holdings(opened.dataset))
    assert again.dataset.activity_row_count == opened.dataset.activity_row_count


@pytest.mark.parametrize("change", ["early_orphan", "negative", "missing_id"])
def test_visit_cube_on_disk_equals_memory_on_awkward_activity(tiny, tmp_path, change):
    from crm_core.visits.cube import visit_availability, visit_cube

    activity = tiny.activity.copy()
    if change == "early_orphan":  # an unknown customer's row years before everyone else's
        activity["customer_id"] = activity["customer_id"].astype("string")
        orphan = activity.index[activity["customer_id"].isin(tiny.customers["customer_id"]) == False]  # noqa: E712
        activity.loc[orphan, "month"] = pd.Timestamp("2022-01-01")
    elif change == "negative":  # a reversal an artefact written elsewhere may carry
        activity.loc[activity.index[0], "transactions"] = -1
    else:  # an activity row without a customer id
        activity["customer_id"] = activity["customer_id"].astype("string")
        activity.loc[activity.index[0], "customer_id"] = pd.NA
    dataset = Dataset("awkward", tiny.customers, activity, tiny.holdings, "awkward")
    prepared = prepared_dataset(dataset)
    opened = read_artefact(write_artefact(prepared, tmp_path / change, source="awkward"))
    on_disk, in_memory = visit_cube(opened), visit_cube(prepared)
    pd.testing.assert_index_equal(on_disk.months, in_memory.months)
    for matrix in ("counter", "digital", "other"):
        np.testing.assert_array_equal(getattr(on_disk, matrix), getattr(in_memory, matrix))
    pd.testing.assert_frame_equal(visit_availability(opened), visit_availability(prepared))


def _cube_planes(cube) -> dict:
    return {name: getattr(cube, name) for name in ("counter", "digital", "other")}


def test_stored_visit_cube_is_read_instead_of_the_activity(small_sample, tmp_path, monkeypatch):
    from crm_core import artefact
    from crm_core.filters import Filters, filtered_prepared
    from crm_core.visits import cube as cube_module
    from crm_core.visits.cube import store_visit_cube, visit_cube

    dataset = Dataset("small", small_sample.customers, small_sample.activity, small_sample.holdings, "small")
    prepared = prepared_dataset(dataset)
    folder = store_visit_cube(write_artefact(prepared, tmp_path / "small", source="generated"))
    assert store_visit_cube(folder) == folder  # stored again over the first one
    manifest = read_manifest(folder)
    n_months = visit_cube(prepared).n_months
    assert manifest["rows"]["visit_cube.arrow"] == n_months * len(prepared.customers)
    opened = read_artefact(folder)
    assert opened.dataset.visit_cube_file == str(folder / "visit_cube.arrow")
    in_memory = visit_cube(prepared)
    branches = tuple(sorted(prepared.customers["branch"].astype(str).unique())[1:3])
    filters = Filters(branches=branches)
    expected = visit_cube(filtered_prepared(prepared, filters))

    def refuse(*args, **kwargs):
        raise AssertionError("the activity rows were read")

    monkeypatch.setattr(cube_module, "activity_code_batches", refuse)
    stored = visit_cube(opened)
    pd.testing.assert_index_equal(stored.months, in_memory.months)
    for name, plane in _cube_planes(stored).items():
        np.testing.assert_array_equal(plane, getattr(in_memory, name))
        assert plane.dtype == getattr(in_memory, name).dtype
        assert not plane.flags.owndata and not plane.flags.writeable  # mapped from the file, not copied
        assert isinstance(plane, np.memmap) and plane.mode == "r"  # so a month's pages can be handed back
    for got, want in zip(stored.counter_cells, in_memory.counter_cells, strict=True):
        np.testing.assert_array_equal(got, want)

    # A branch filter keeps the stored cube's columns of its customers, in their order.
    cut = filtered_prepared(opened, filters)
    assert 0 < len(cut.customers) < len(prepared.customers)
    for name, plane in _cube_planes(visit_cube(cut)).items():
        np.testing.assert_array_equal(plane, getattr(expected, name))
        assert plane.dtype == getattr(expected, name).dtype
    monkeypatch.undo()

    # A cube stored for other months (or damaged) is not used: the activity is read as before.
    monkeypatch.setattr(artefact, "ACTIVITY_BATCH_ROWS", 50_000)
    with pa.OSFile(str(folder / "visit_cube.arrow")) as source:  # read into memory: the file is rewritten below
        table = pa.ipc.open_file(source).read_all()
    meta = json.loads(table.schema.metadata[b"crm_visit_cube"])
    # Values the activity would never give, so a test that read them would fail.
    table = table.set_column(0, "counter", pa.array(np.full(table.num_rows, 7, dtype=np.uint8)))
    half = table.num_rows // 2
    for changed, batches in (
        ({**meta, "first_month": "2001-01-01"}, None),
        ({**meta, "customers": meta["customers"] + 1}, None),
        (None, None),  # no metadata
        (meta, half),  # two record batches: the columns could not be mapped without a copy
    ):
        metadata = None if changed is None else {b"crm_visit_cube": json.dumps(changed).encode()}
        written = table.replace_schema_metadata(metadata)
        with pa.OSFile(str(folder / "visit_cube.arrow"), "wb") as sink, pa.ipc.new_file(sink, written.schema) as out:
            out.write_table(written, max_chunksize=batches)
        for name, plane in _cube_planes(visit_cube(read_artefact(folder))).items():
            np.testing.assert_array_equal(plane, getattr(in_memory, name))
    (folder / "visit_cube.arrow").write_bytes(b"not an arrow file")
    with pytest.raises(ArtefactError, match="not a readable Arrow IPC file"):
        read_artefact(folder)


def test_prepare_stores_the_visit_cube_and_a_rewrite_drops_it(tiny, tmp_path):
    from crm_core.visits.cube import visit_cube

    tables = {
        "customers": tiny.customers,
        "activity": tiny.activity.assign(channel=tiny.activity["channel"].astype(str)),
    }
    args = []
    for name, frame in tables.items():
        frame.to_parquet(tmp_path / f"{name}.parquet", index=False)
        args += [f"--{name}", str(tmp_path / f"{name}.parquet")]
    assert prepare_main([*args, "--no-models", "--out", str(tmp_path / "out")]) == 0
    opened = read_artefact(tmp_path / "out")
    assert opened.dataset.visit_cube_file is not None
    in_memory = visit_cube(prepared_dataset(Dataset("tiny", tiny.customers, tiny.activity, None, "tiny")))
    for name, plane in _cube_planes(visit_cube(opened)).items():
        np.testing.assert_array_equal(plane, getattr(in_memory, name))
    # Written again (another preparation into the folder): the old cube goes with the old rows.
    write_artefact(opened, tmp_path / "out", source="again")
    assert read_artefact(tmp_path / "out").dataset.visit_cube_file is None
    assert not (tmp_path / "out" / "visit_cube.arrow").exists()


def test_an_artefact_with_the_earlier_parquet_cube_opens_and_storing_replaces_it(tiny, tmp_path):
    from crm_core.artefact import write_manifest
    from crm_core.visits.cube import store_visit_cube, visit_cube

    prepared = prepared_dataset(Dataset("tiny", tiny.customers, tiny.activity, None, "tiny"))
    folder = write_artefact(prepared, tmp_path / "old", source="generated")
    legacy = pa.table({"counter": pa.array(np.zeros(6, dtype=np.uint8))})
    pa.parquet.write_table(legacy, folder / "visit_cube.parquet")
    manifest = read_manifest(folder)
    manifest["rows"]["visit_cube.parquet"] = 6
    write_manifest(folder, manifest)
    opened = read_artefact(folder)
    assert opened.dataset.visit_cube_file is None  # listed and checked, never read: the activity is streamed
    expected = visit_cube(prepared)
    for name, plane in _cube_planes(visit_cube(opened)).items():
        np.testing.assert_array_equal(plane, getattr(expected, name))
    store_visit_cube(folder)
    assert set(read_manifest(folder)["rows"]) >= {"visit_cube.arrow"}
    assert "visit_cube.parquet" not in read_manifest(folder)["rows"]
    assert not (folder / "visit_cube.parquet").exists()


def test_text_columns_are_read_as_one_chunk_whatever_the_row_groups(tmp_path):
    from crm_core.artefact import _parquet_frame

    table = pa.table({"branch": [f"B{i % 7}" for i in range(100)], "aum": np.arange(100.0)})
    pa.parquet.write_table(table, tmp_path / "t.parquet", row_group_size=10)
    assert pa.parquet.ParquetFile(tmp_path / "t.parquet").num_row_groups == 10
    frame = _parquet_frame(tmp_path / "t.parquet")
    assert frame["branch"].array.__arrow_array__().num_chunks == 1  # a filter's take is 5x faster on one chunk
    pd.testing.assert_frame_equal(frame, pd.read_parquet(tmp_path / "t.parquet"))


def test_prepared_text_columns_are_sorted_categories_on_both_paths(tmp_path):
    """Branch, city, manager, gender and place names are categories (5M customers: 35 MB, not 0.5 GB of
    strings), with the extract's values, missing kept missing, and the same categories whether the
    customers were prepared in memory or read back from an artefact (Parquet's dictionary order is
    first-seen: here "South" before "North")."""
    from crm_core.prepare import CATEGORY_TEXT

    customers = pd.DataFrame(
        {
            "customer_id": pd.array(["A", "B", "C", "D"], dtype="string"),
            "branch": pd.array(["South", "North", None, "South"], dtype="string"),
            "relationship_manager": pd.array(["R2", "R1", "R1", "R2"], dtype="string"),
            "gender": pd.array(["M", None, "F", "F"], dtype="string"),
            "aum": [1.0, 2.0, 3.0, 4.0],
        }
    )
    prepared = prepared_dataset(Dataset("text", customers, None, None, "text-categories"))
    write_artefact(prepared, tmp_path / "a", source="four customers")
    opened = read_artefact(tmp_path / "a")
    assert {"branch", "city", "relationship_manager", "gender", "branch_zh", "city_zh"} == set(CATEGORY_TEXT)
    for frame in (prepared.customers, opened.customers):
        assert isinstance(frame["customer_id"].dtype, pd.StringDtype)  # ids stay text: each is unique
        assert frame["branch"].cat.categories.tolist() == ["(none)", "North", "South"]  # blank unit named
        assert frame["gender"].cat.categories.tolist() == ["F", "M"]
        assert frame["gender"].isna().tolist() == [False, True, False, False]
        assert frame["relationship_manager"].astype("string").tolist() == ["R2", "R1", "R1", "R2"]
    pd.testing.assert_frame_equal(opened.customers, prepared.customers)
    # DuckDB and Spark write plain text; Parquet's dictionary then comes in first-seen order, recoded sorted.
    from crm_core.prepare import text_categories

    read = pa.table({"branch": pa.array(["South", None, "North"]).dictionary_encode()}).to_pandas()["branch"]
    assert read.cat.categories.tolist() == ["South", "North"]
    assert text_categories(read).cat.categories.tolist() == ["North", "South"]
    assert text_categories(read).astype("string").tolist() == ["South", pd.NA, "North"]


def test_prepared_counts_are_int32_on_both_paths_and_int64_when_one_does_not_fit(tiny, tmp_path):
    """Transactions a year per channel, months since active and products a year ago are int32 (5M
    customers: 260 MB less), the same values and dtypes in memory and read back; their sums are exact."""
    from crm_core.arrays import count_values
    from crm_core.prepare import COUNT_COLUMNS

    prepared = prepared_dataset(tiny)
    write_artefact(prepared, tmp_path / "a", source="tiny")
    opened = read_artefact(tmp_path / "a")
    present = [c for c in COUNT_COLUMNS if c in prepared.customers]
    assert {"counter_txn_12m", "mobile_txn_prev_12m", "months_since_active"} <= set(present)
    for frame in (prepared.customers, opened.customers):
        assert {str(frame[c].dtype) for c in present} == {"int32"}
    pd.testing.assert_frame_equal(opened.customers, prepared.customers)
    assert prepared.customers["counter_txn_12m"].sum() == 2  # the tiny bank's counter visits in the last 12 months
    assert count_values(np.array([2**31, 0])).tolist() == [2**31, 0]  # int64 rather than wrapped
    assert count_values(np.array([2**31, 0])).dtype == np.int64
