"""The DuckDB engine of ``python -m crm_core prepare``: the activity stays on disk, out of core.

Canonical Parquet tables (files, or folders of part files as the sharded generator writes
them) are prepared with the activity read by DuckDB only: the activity rules are
``crm_core.engine_prepare``'s (the code Spark runs too), the customer rules are
``prepare.prepared_customers`` on the customers and holdings in memory (one row per
customer, small next to the activity). DuckDB's memory limit and spill folder bound what
the activity costs; the activity file of the artefact is the source file copied, or the part
files streamed into one file by DuckDB, never rows through Python.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from crm_core import engine_prepare
from crm_core.artefact import ACTIVITY_FILE, read_manifest, source_fingerprint, write_artefact, write_manifest
from crm_core.dataset import Dataset
from crm_core.prepare import PreparedDataset, has_dates, prepared_customers, reference_month


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


def duckdb_prepared(paths: dict[str, str | None], settings: DuckDBSettings = DuckDBSettings()) -> PreparedDataset:
    """Return the prepared dataset of canonical Parquet tables, the activity read by DuckDB only.

    Parameters
    ----------
    paths : dict
        ``customers``, ``activity`` and optionally ``holdings``: Parquet files or folders of
        Parquet part files, canonical names and types (``crm_core.contract``).
    settings : DuckDBSettings
        Memory limit, spill folder and threads.

    Returns
    -------
    PreparedDataset
        Equal to ``prepare.prepared_dataset`` of the same tables in memory, except that its
        ``dataset`` holds no activity (``write_duckdb_artefact`` copies the activity file).
    """
    present = {table: path for table, path in paths.items() if path is not None}
    holdings = pd.read_parquet(present["holdings"]) if "holdings" in present else None
    name = ", ".join(Path(p).name for p in present.values())
    dataset = Dataset(name, pd.read_parquet(present["customers"]), None, holdings, source_fingerprint(present))
    connection = settings.connection()
    activity = engine_prepare.duckdb_table(connection, present["activity"])
    activity_month = engine_prepare.activity_as_of(activity)
    as_of = reference_month(dataset) if activity_month is None else activity_month
    customers, products = prepared_customers(dataset, as_of)
    monthly, orphans = None, 0
    if activity_month is not None:
        customer_table = engine_prepare.duckdb_table(connection, present["customers"])
        per_customer = engine_prepare.customer_activity(activity, as_of)
        features, orphans = engine_prepare.features_frame(
            engine_prepare.activity_features(customer_table.select("customer_id"), per_customer, as_of), activity
        )
        aligned = features.drop_duplicates("customer_id").set_index("customer_id").reindex(customers["customer_id"])
        for column in engine_prepare.ACTIVITY_FEATURES:
            customers[column] = aligned[column].to_numpy()
        monthly = engine_prepare.monthly_channels(customer_table, activity, as_of)
    return PreparedDataset(
        dataset=dataset,
        customers=customers,
        monthly_channels=monthly,
        as_of=as_of,
        products=products,
        orphan_activity_rows=orphans,
        dated=activity_month is not None or has_dates(dataset),
    )


def write_duckdb_artefact(
    paths: dict[str, str | None],
    out_dir: str | Path,
    source: str,
    settings: DuckDBSettings = DuckDBSettings(),
) -> Path:
    """Prepare canonical Parquet tables with DuckDB and write the artefact folder.

    The activity file of the artefact is the source file copied, or a folder of part files
    streamed into one file by DuckDB (zstd). Models are not trained here (``store_models``).

    Returns
    -------
    Path
        The artefact folder.
    """
    prepared = duckdb_prepared(paths, settings)
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
