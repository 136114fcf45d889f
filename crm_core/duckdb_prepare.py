"""The DuckDB engine of ``python -m crm_core prepare``: the activity stays on disk, out of core.

Canonical Parquet tables (files, or folders of part files as the sharded generator writes
them) are prepared with the activity read by DuckDB only: the activity rules are
``crm_core.engine_prepare``'s and the customer rules ``crm_core.engine_customers``'s, the code
Spark runs too (``prepare.prepared_customers``, their numpy twin under the equality test, stays
for data already in memory). DuckDB's memory limit and spill folder bound what the activity
costs; the activity file of the artefact is the source file copied, or the part files streamed
into one file by DuckDB, never rows through Python. A CSV or mapped extract has its customers and
holdings read by the loader and its activity by DuckDB (``activity_parquet``).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import narwhals.stable.v2 as nw
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from crm_core import engine_customers, engine_prepare
from crm_core.artefact import (
    ACTIVITY_FILE,
    read_manifest,
    restored_customers,
    source_fingerprint,
    write_artefact,
    write_manifest,
)
from crm_core.dataset import Dataset
from crm_core.prepare import PreparedDataset, has_dates, reference_month, unrecorded_channel_flags


@dataclass(frozen=True)
class DuckDBSettings:
    """How much of the machine DuckDB may take.

    Attributes
    ----------
    memory_limit : str or None
        DuckDB's ``memory_limit`` (``"4GB"``); None keeps DuckDB's default (80% of RAM).
    spill_directory : str or None
        Where joins and group-bys beyond the limit spill; None keeps DuckDB's default
        (``.tmp`` beside a database file, none for an in-memory connection).
    threads : int
        Worker threads; 0 keeps one per core.
    """

    memory_limit: str | None = None
    spill_directory: str | None = None
    threads: int = 0

    def connection(self):
        """A new DuckDB connection with these settings."""
        return engine_prepare.duckdb_connection(self.memory_limit, self.spill_directory, self.threads)


_HEAD = 1 << 20
"""Bytes of an activity file the loader previews to find its columns, delimiter and encoding."""


def activity_columns(path: str | Path, columns: dict[str, str] | None) -> tuple[dict[str, str], str] | None:
    """Return how DuckDB can read an activity file as the loader would: ``{file column: field}`` and the delimiter.

    The loader previews the file's head (its encoding, delimiter and, without ``columns``, the
    fields it suggests for the headers: 客户号, 交易月份, 渠道 ...). None when DuckDB cannot take it
    out of core: not UTF-8 text, or not a monthly activity table (a transaction log, say), which
    the loader then reads in memory as before.
    """
    from crm_core.loading.errors import LoadError
    from crm_core.loading.loader import suggested_mapping_for
    from crm_core.loading.reading import preview_file

    path = Path(path)
    if path.suffix.lower() not in engine_prepare.TEXT_SUFFIXES:
        return None
    with path.open("rb") as file:
        head = file.read(_HEAD)
    head = head if len(head) < _HEAD else head[: head.rfind(b"\n") + 1]
    try:
        preview = preview_file(path.name, head)
    except LoadError:  # the loader, reading the whole file in memory, says what is wrong with it
        return None
    if preview.format != "text" or preview.encoding not in ("utf-8", "utf-8-sig", "ascii"):
        return None
    if columns is None:
        mapping = suggested_mapping_for(preview)
        if mapping.table != "activity":
            return None
        columns = dict(mapping.columns)
    if not {"customer_id", "month", "channel", "transactions"} <= set(columns.values()):
        return None
    return columns, preview.delimiter or ","


def activity_parquet(
    connection, path: str | Path, columns: dict[str, str], delimiter: str, destination: str | Path
) -> tuple[Path, tuple]:
    """Write an activity CSV as the canonical activity Parquet, read by DuckDB as the loader reads it.

    Cells are read as text (once, into a Parquet file beside ``destination``), renamed by ``columns``,
    channel words and month spellings read by the loader's rules (``engine_activity.activity_words``;
    the refused rows counted), counts and amounts cast, and rows of one customer, month and channel
    summed, as the loader sums them.

    Returns
    -------
    (Path, tuple of (Message, int))
        The Parquet file and the rows left out per reason.
    """
    from crm_core.engine_activity import activity_words, summed_activity

    relation = connection.read_csv(str(path), header=True, all_varchar=True, sep=delimiter)
    missing = sorted(set(columns) - set(relation.columns))
    if missing:
        raise ValueError(f"{Path(path).name} has no column {', '.join(missing)} named in the mapping")
    renamed = nw.from_native(relation).select(*(nw.col(source).alias(field) for source, field in columns.items()))
    # The text parsed once into a Parquet file beside the result: the distinct values, the refused rows and
    # the sums each scan it (at 1M customers 9 s + 2 s + 30 s, against 206 s scanning the CSV four times).
    text = Path(destination).with_name(f"{Path(destination).stem}_text.parquet")
    renamed.to_native().write_parquet(str(text))
    words = activity_words(nw.from_native(connection.read_parquet(str(text))))
    summed = summed_activity(words.frame).sort("customer_id", "month", "channel")
    summed.to_native().write_parquet(str(destination), compression="zstd")
    text.unlink()
    return Path(destination), words.left_out


def duckdb_prepared(
    paths: dict[str, str | None], settings: DuckDBSettings = DuckDBSettings(), loaded: Dataset | None = None
) -> PreparedDataset:
    """Return the prepared dataset of canonical Parquet tables, the activity read by DuckDB only.

    Parameters
    ----------
    paths : dict
        ``customers``, ``activity`` and optionally ``holdings``: Parquet files or folders of
        Parquet part files, canonical names and types (``crm_core.contract``).
    settings : DuckDBSettings
        Memory limit, spill folder and threads.
    loaded : Dataset, optional
        The customers and holdings as ``crm_core.loading`` read them (a CSV or a mapping), with the
        name and fingerprint of the source files; then only ``paths["activity"]`` is read here.

    Returns
    -------
    PreparedDataset
        Equal to ``prepare.prepared_dataset`` of the same tables in memory, except that its
        ``dataset`` holds no activity (``write_duckdb_artefact`` copies the activity file).
    """
    present = {table: path for table, path in paths.items() if path is not None}
    if loaded is None:
        holdings = pd.read_parquet(present["holdings"]) if "holdings" in present else None
        name = ", ".join(Path(p).name for p in present.values())
        dataset = Dataset(name, pd.read_parquet(present["customers"]), None, holdings, source_fingerprint(present))
    else:
        dataset = replace(loaded, activity=None)
    connection = settings.connection()
    activity = engine_prepare.duckdb_table(connection, present["activity"])
    activity_month = engine_prepare.activity_as_of(activity)
    as_of = reference_month(dataset) if activity_month is None else activity_month
    customers, products = _customer_rules(settings, present, dataset, loaded is not None, as_of)
    if loaded is None:
        customer_table = engine_prepare.duckdb_table(connection, present["customers"])
    else:  # the loader's customers: their ids and branches are all the activity rules take from them
        units = [c for c in ("customer_id", "branch") if c in dataset.customers.columns]
        customer_table = _duckdb_frame(connection, dataset.customers[units])
    monthly, orphans = None, 0
    if activity_month is not None:
        per_customer = engine_prepare.customer_activity(activity, as_of)
        features, orphans = engine_prepare.features_frame(
            engine_prepare.activity_features(customer_table.select("customer_id"), per_customer, as_of), activity
        )
        aligned = features.drop_duplicates("customer_id").set_index("customer_id").reindex(customers["customer_id"])
        monthly = engine_prepare.monthly_channels(customer_table, activity, as_of)
        unrecorded = unrecorded_channel_flags(monthly)
        for column in engine_prepare.ACTIVITY_FEATURES:
            if column not in unrecorded:
                customers[column] = aligned[column].to_numpy()
    return PreparedDataset(
        dataset=dataset,
        customers=customers,
        monthly_channels=monthly,
        as_of=as_of,
        products=products,
        orphan_activity_rows=orphans,
        dated=activity_month is not None or has_dates(dataset),
    )


_CUSTOMER_MEMORY = "1GB"
"""DuckDB's memory limit for the customer rules (``_customer_rules``)."""


def _customer_rules(
    settings: DuckDBSettings, present: dict[str, str], dataset: Dataset, loaded: bool, as_of: pd.Timestamp
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The customer rules as Spark runs them (``engine_customers``) on DuckDB, in the customers' own order.

    On a connection of their own with a small memory limit, closed once the result is in pandas (its
    buffers go with it), and converted from Arrow column by column (``self_destruct``): at 5M
    customers the shared 4 GB connection and a whole Arrow copy beside the frame took the peak of
    ``prepare`` from 7.1 to 8.5 GB.
    """
    # One row per customer: a 1 GB working set (spilling beyond it) keeps its peak near the numpy rules'.
    connection = engine_prepare.duckdb_connection(_CUSTOMER_MEMORY, settings.spill_directory, settings.threads)
    try:
        if loaded:  # the loader's tables, handed to DuckDB through Arrow
            customer_table = _duckdb_frame(connection, dataset.customers)
            holdings_table = None if dataset.holdings is None else _duckdb_frame(connection, dataset.holdings)
        else:
            customer_table = engine_prepare.duckdb_table(connection, present["customers"])
            holdings = present.get("holdings")
            holdings_table = engine_prepare.duckdb_table(connection, holdings) if holdings else None
        table, products = engine_customers.customer_features(customer_table, holdings_table, as_of)
        arrow = table.collect(backend="pyarrow").to_native()
    finally:
        connection.close()
    frame = arrow.to_pandas(split_blocks=True, self_destruct=True)
    del arrow
    customers = restored_customers(frame)
    position = pd.Index(customers["customer_id"]).get_indexer(dataset.customers["customer_id"])
    return customers.iloc[position].reset_index(drop=True), products


def _duckdb_frame(connection, frame: pd.DataFrame) -> nw.LazyFrame:
    """A frame in memory as a DuckDB relation (through Arrow, which keeps nullable and all-missing columns typed)."""
    return nw.from_native(connection.from_arrow(pa.Table.from_pandas(frame, preserve_index=False)))


def write_duckdb_artefact(
    paths: dict[str, str | None],
    out_dir: str | Path,
    source: str,
    settings: DuckDBSettings = DuckDBSettings(),
    loaded: Dataset | None = None,
) -> Path:
    """Prepare canonical Parquet tables with DuckDB and write the artefact folder.

    The activity file of the artefact is the source file copied, or a folder of part files
    streamed into one file by DuckDB (zstd). Models are not trained here (``store_models``).

    Returns
    -------
    Path
        The artefact folder.
    """
    prepared = duckdb_prepared(paths, settings, loaded)
    out = write_artefact(prepared, out_dir, source=source, engine="duckdb")
    activity = Path(paths["activity"])
    target = out / ACTIVITY_FILE
    if activity.is_dir():
        connection = settings.connection()
        pattern = str(activity / "*.parquet").replace("'", "''")
        destination = str(target).replace("'", "''")
        connection.execute(
            f"COPY (SELECT * FROM read_parquet('{pattern}')) TO '{destination}' (FORMAT parquet, COMPRESSION zstd)"
        )
    else:
        shutil.copyfile(activity, target)
    manifest = read_manifest(out)
    manifest["rows"][ACTIVITY_FILE] = pq.read_metadata(target).num_rows
    return write_manifest(out, manifest)
