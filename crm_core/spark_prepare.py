"""Preparation with Spark: the features of ``crm_core.prepare`` for extracts too big for one machine.

``spark_prepared`` computes every column of ``prepared_dataset`` with Spark DataFrame
operations; ``write_spark_artefact`` writes the result as the artefact ``read_artefact``
opens (see ``crm_core.artefact`` and ``docs/spark.md``). Nothing row-level is collected to
the driver: only scalars (the as-of month, the product names, the orphan count) and the
monthly month × channel × branch grid, which has a few thousand rows whatever the number of
customers.

No preparation rule is written here: the customer rules (units, closures, tenure, alive flags,
products, AUM trend, age bands) are ``crm_core.engine_customers``'s and the activity rules
(channel windows, trends, activity flags, months since active, the monthly grid, the orphan
count) ``crm_core.engine_prepare``'s, Narwhals expressions DuckDB runs too, applied here to the
Spark frames. The date boundaries are computed once on the driver with the same pandas
arithmetic as ``prepare.py``; ``tests/test_engine_prepare.py`` and ``tests/test_spark_prepare.py``
prove the results agree with ``prepare.py`` column by column. Month cuts assume the session time
zone is UTC (the command line sets it). For a CSV or a mapping the command line reads the customers
and holdings through ``crm_core.loading`` first, as the local engine does, so the loader's parsing and
unit conversions are written once, there.

Input expectations: canonical tables (``crm_core.contract``), channels already spelled as in
``CHANNELS``, unless the tables come from a CSV or a mapping (then the loader's reading, above,
and ``spark_activity_words`` for the activity). Parquet written by pandas stores nanosecond
timestamps, which Spark cannot read as timestamps; the session setting
``spark.sql.legacy.parquet.nanosAsLong`` is switched on and such columns are converted here.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa

try:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql import functions as F
except ImportError:  # the dashboard itself runs without Spark: only this engine needs it
    DataFrame = SparkSession = F = None

import narwhals.stable.v2 as nw

from crm_core import engine_customers, engine_prepare
from crm_core.artefact import (
    ACTIVITY_FILE,
    CUSTOMERS_FILE,
    HOLDINGS_FILE,
    MONTHLY_FILE,
    artefact_folder,
    manifest_of,
    source_fingerprint,
    write_manifest,
)
from crm_core.contract import ACTIVITY_FIELDS, CUSTOMER_FIELDS, HOLDING_FIELDS
from crm_core.engine_activity import activity_words, summed_activity
from crm_core.loading.mapping import table_columns
from crm_core.prepare import unrecorded_channel_flags

NANOS_AS_LONG = "spark.sql.legacy.parquet.nanosAsLong"


@dataclass(frozen=True, eq=False)
class SparkPrepared:
    """Spark result of preparation: the two prepared tables plus what the manifest records.

    Attributes
    ----------
    customers : pyspark.sql.DataFrame
        One row per customer, the columns of ``PreparedDataset.customers`` in the same order
        (``age_band`` as text).
    monthly_channels : pandas.DataFrame or None
        ``month``, ``channel``, ``branch``, ``transactions``, ``active_customers``: a few thousand
        rows whatever the bank's size, collected at preparation (``engine_prepare.monthly_channels``).
    activity, holdings : pyspark.sql.DataFrame or None
        The canonical input tables, written into the artefact as they are.
    as_of : pandas.Timestamp
        First day of the last activity month.
    products : tuple of str
        Products found, sorted.
    orphan_activity_rows : int
        Activity rows whose customer is not in the customers table.
    activity_left_out : tuple of (Message, int)
        Activity rows of a CSV or mapped extract not used, per reason (``engine_activity.REASONS``).
    fingerprint : str
        sha256 of the source files (see ``source_fingerprint``).
    name : str
        What the user calls the data.
    """

    customers: DataFrame
    monthly_channels: pd.DataFrame | None
    activity: DataFrame | None
    holdings: DataFrame | None
    as_of: pd.Timestamp
    products: tuple[str, ...]
    orphan_activity_rows: int
    fingerprint: str
    name: str
    activity_left_out: tuple = ()


def _read(
    spark: SparkSession,
    path: str | Path,
    columns: dict[str, str] | None,
    infer: bool = True,
    delimiter: str | None = None,
) -> DataFrame:
    """A Parquet or CSV table (by suffix; folders of part files are Parquet), renamed by the mapping.

    With ``infer=False`` a CSV's cells stay text (an id such as 00123 keeps its zeros); ``delimiter``
    is the CSV's when known (tab for ``.tsv``, else a comma).
    """
    text = str(path)
    suffix = Path(text.rstrip("/")).suffix.lower()
    if suffix in engine_prepare.TEXT_SUFFIXES:
        reader = spark.read.option("header", True).option("inferSchema", infer)
        frame = reader.option("sep", delimiter or ("\t" if suffix == ".tsv" else ",")).csv(text)
    else:
        frame = spark.read.parquet(text)
    if columns:
        missing = sorted(set(columns) - set(frame.columns))
        if missing:
            raise ValueError(f"{text} has no column {', '.join(missing)} named in the mapping")
        frame = frame.select([F.col(f"`{source}`").alias(field) for source, field in columns.items()])
    return frame


def _from_loader(spark: SparkSession, frame: pd.DataFrame) -> DataFrame:
    """A table as ``crm_core.loading`` read it, as a Spark frame: through Arrow (``pyarrow.Table``, which
    keeps the loader's nullable numbers, flags, text and categories typed even where a column is all
    missing), shipped from the driver in Arrow batches."""
    return spark.createDataFrame(pa.Table.from_pandas(frame, preserve_index=False))


def _timestamp(frame: DataFrame, column: str):
    """A column as a Spark timestamp, whatever Parquet or CSV made of it."""
    kind = dict(frame.dtypes)[column]
    values = F.col(column)
    if kind in ("bigint", "int"):  # nanoseconds since the epoch (pandas Parquet read with nanosAsLong)
        micros = (values - F.pmod(values, F.lit(1000))) / 1000
        return F.timestamp_micros(micros.cast("long"))
    if kind == "string":
        return F.to_timestamp(values)
    return values.cast("timestamp")


def _canonical(frame: DataFrame, fields, required: tuple[str, ...], table: str) -> DataFrame:
    """Cast a table's contract columns to their Spark types; other columns pass through."""
    missing = [name for name in required if name not in frame.columns]
    if missing:
        raise ValueError(f"the {table} table has no {', '.join(missing)} column")
    types = {"string": "string", "int": "long", "float": "double", "bool": "boolean"}
    kinds = {f.name: f.dtype for f in fields}
    for column in frame.columns:
        kind = "bool" if column.startswith("has_") and table == "customers" else kinds.get(column)
        if kind in ("date", "month"):
            frame = frame.withColumn(column, _timestamp(frame, column))
        elif kind == "string" and column == "channel":
            frame = frame.withColumn(column, F.lower(F.trim(F.col(column).cast("string"))))
        elif kind in types:
            frame = frame.withColumn(column, F.col(column).cast(types[kind]))
    return frame


def spark_activity_words(
    spark: SparkSession, activity_path: str | Path, columns: dict[str, str] | None, delimiter: str | None = None
) -> tuple[DataFrame, tuple]:
    """Return the activity of a CSV or mapped extract read by Spark as the loader reads it, and the rows left out.

    The cells are read as text (no type guessing: ids keep their leading zeros), renamed by ``columns``
    (the mapping's, or the loader's suggestions: ``duckdb_prepare.activity_columns``), then the
    loader's channel words and month spellings are applied through their distinct values
    (``engine_activity.activity_words``) and rows of one customer, month and channel summed
    (``summed_activity``), as the loader and the DuckDB engine do.
    """
    spark.conf.set(NANOS_AS_LONG, "true")
    words = activity_words(nw.from_native(_read(spark, activity_path, columns, infer=False, delimiter=delimiter)))
    activity = _canonical(
        summed_activity(words.frame).to_native(),
        ACTIVITY_FIELDS,
        ("customer_id", "month", "channel", "transactions"),
        "activity",
    )
    return activity, words.left_out


def canonical_spark_tables(
    spark: SparkSession,
    customers_path: str | Path,
    activity_path: str | Path | None,
    holdings_path: str | Path | None = None,
    mapping: dict | None = None,
    loaded_customers: pd.DataFrame | None = None,
    loaded_holdings: pd.DataFrame | None = None,
) -> tuple[DataFrame, DataFrame | None, DataFrame | None]:
    """Return the customers, activity and holdings tables read by Spark with canonical names and types.

    ``mapping`` is ``{table: {file column: canonical field}}`` (or ``{table: saved Mapping dict}``);
    a table without an entry must already use canonical names. ``loaded_customers`` and
    ``loaded_holdings``, when given, are those tables as ``crm_core.loading`` read them
    (``prepare_cli`` passes them for a CSV or a mapping): they are used instead of reading the files
    again, so the loader's parsing (万, dates, product names such as 活期存款, duplicate ids) and its
    unit conversions (tenure in years, monthly income, an age from a birth date, contract order)
    exist once, in the loader. The activity, the large table, is always read by Spark (for a CSV or
    a mapping ``spark_preparation`` reads it with ``spark_activity_words`` instead).
    """
    spark.conf.set(NANOS_AS_LONG, "true")
    if loaded_customers is not None:
        source = _from_loader(spark, loaded_customers)
    else:
        source = _read(spark, customers_path, table_columns(mapping, "customers"))
    customers = _canonical(source, CUSTOMER_FIELDS, ("customer_id", "aum"), "customers")
    activity = None
    if activity_path is not None:
        activity = _canonical(
            _read(spark, activity_path, table_columns(mapping, "activity")),
            ACTIVITY_FIELDS,
            ("customer_id", "month", "channel", "transactions"),
            "activity",
        )
    holdings = None
    if loaded_holdings is not None:
        holdings = _canonical(
            _from_loader(spark, loaded_holdings), HOLDING_FIELDS, ("customer_id", "product"), "holdings"
        )
    elif holdings_path is not None:
        holdings = _canonical(
            _read(spark, holdings_path, table_columns(mapping, "holdings")),
            HOLDING_FIELDS,
            ("customer_id", "product"),
            "holdings",
        )
    return customers, activity, holdings


def prepared_spark_frames(
    customers: DataFrame,
    activity: DataFrame | None,
    holdings: DataFrame | None,
    *,
    fingerprint: str = "",
    name: str = "",
) -> SparkPrepared:
    """Return the Spark equivalent of ``prepared_dataset`` for canonical Spark tables.

    Every rule is ``crm_core.engine_customers``'s or ``crm_core.engine_prepare``'s, run on Spark.

    Parameters
    ----------
    customers, activity, holdings : pyspark.sql.DataFrame
        Canonical tables (``canonical_spark_tables``); ``activity`` and ``holdings`` may be None.
    fingerprint, name : str
        Recorded with the result for the manifest.

    Returns
    -------
    SparkPrepared
        Lazy Spark customers; scalars and the small monthly grid have been computed.
    """
    customer_table = nw.from_native(customers)
    activity_table = None if activity is None else nw.from_native(activity)
    as_of = engine_customers.reference_month(customer_table, activity_table)
    holdings_table = None if holdings is None else nw.from_native(holdings)
    prepared, products = engine_customers.customer_features(customer_table, holdings_table, as_of)
    frame = prepared.to_native()
    order = list(frame.columns)

    monthly, orphans = None, 0
    if activity is not None and not activity.isEmpty():
        per_customer = engine_prepare.customer_activity(activity_table, as_of)
        features = engine_prepare.ACTIVITY_FEATURES
        # An extract's own column of a feature's name is replaced in place, as prepare.py does.
        without = frame.drop(*(column for column in features if column in frame.columns))
        with_features = engine_prepare.activity_features(nw.from_native(without), per_customer, as_of)
        known_rows = with_features.select(nw.col(engine_prepare.ACTIVITY_ROWS).sum()).collect().item()
        orphans = engine_prepare.orphan_activity_rows(activity_table, int(known_rows or 0))
        frame = with_features.to_native()
        monthly = engine_prepare.monthly_channels(customer_table, activity_table, as_of)
        unrecorded = unrecorded_channel_flags(monthly)
        order += [column for column in features if column not in order]
        order = [column for column in order if column not in unrecorded]  # flags of channels never recorded
    return SparkPrepared(
        customers=frame.select(*order),
        monthly_channels=monthly,
        activity=activity,
        holdings=holdings,
        as_of=as_of,
        products=products,
        orphan_activity_rows=orphans,
        fingerprint=fingerprint,
        name=name,
    )


def spark_preparation(
    spark: SparkSession,
    customers_path: str | Path,
    activity_path: str | Path | None,
    holdings_path: str | Path | None = None,
    mapping: dict | None = None,
    *,
    loaded_customers: pd.DataFrame | None = None,
    loaded_holdings: pd.DataFrame | None = None,
    activity_read: tuple[dict[str, str], str] | None = None,
) -> SparkPrepared:
    """Read the source tables with Spark and return the full ``SparkPrepared`` (tables and scalars).

    ``loaded_customers`` and ``loaded_holdings`` are those tables as ``crm_core.loading`` read them,
    for files the local engine reads through the loader (a CSV, a mapping): see
    ``canonical_spark_tables``. The activity is then read by ``spark_activity_words`` with
    ``activity_read`` (columns and delimiter, ``duckdb_prepare.activity_columns``) when given, else
    with the mapping's activity columns.
    """
    if F is None:
        raise ImportError("pyspark is not installed (pip install pyspark==4.3.0; Spark also needs Java 17)")
    through_loader = loaded_customers is not None  # a CSV or a mapping: the activity read as the loader reads it
    customers, activity, holdings = canonical_spark_tables(
        spark, customers_path, None if through_loader else activity_path, holdings_path, mapping,
        loaded_customers, loaded_holdings,
    )  # fmt: skip
    left_out = ()
    if through_loader and activity_path is not None:
        columns, delimiter = activity_read or (table_columns(mapping, "activity"), None)
        activity, left_out = spark_activity_words(spark, activity_path, columns, delimiter)
    paths = {"customers": customers_path, "activity": activity_path, "holdings": holdings_path}
    name = ", ".join(Path(str(p)).name for p in paths.values() if p is not None)
    prepared = prepared_spark_frames(
        customers, activity, holdings, fingerprint=source_fingerprint(paths, mapping), name=name
    )
    return replace(prepared, activity_left_out=left_out)


def spark_prepared(
    spark: SparkSession,
    customers_path: str | Path,
    activity_path: str | Path | None,
    holdings_path: str | Path | None = None,
    mapping: dict | None = None,
) -> tuple[DataFrame, pd.DataFrame | None]:
    """Return the prepared customers and monthly channel grid computed by Spark.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        Any session: ``local[*]``, a cluster, or Spark Connect.
    customers_path, activity_path, holdings_path : str or Path
        Parquet files or folders, or CSV files (by suffix) with a header row.
    mapping : dict, optional
        ``{table: {file column: canonical field}}`` for files not in canonical names.

    Returns
    -------
    (pyspark.sql.DataFrame, pandas.DataFrame or None)
        Customers with the columns of ``PreparedDataset.customers``, and the small month ×
        channel × branch grid (None without activity).
    """
    prepared = spark_preparation(spark, customers_path, activity_path, holdings_path, mapping)
    return prepared.customers, prepared.monthly_channels


def _single_parquet(frame: DataFrame, out: Path, file: str) -> int:
    """Write a Spark frame as one Parquet file ``out/file`` and return its rows (from the footer)."""
    import pyarrow.parquet as pq

    staging = out / f".staging-{file}"
    shutil.rmtree(staging, ignore_errors=True)
    # One task writes the file: the rows go executor -> disk, never through the driver.
    frame.coalesce(1).write.mode("overwrite").option("compression", "zstd").parquet(str(staging))
    parts = sorted(staging.glob("part-*.parquet"))
    if len(parts) != 1:
        raise RuntimeError(f"Spark wrote {len(parts)} part files for {file}; expected one")
    target = out / file
    parts[0].replace(target)
    shutil.rmtree(staging)
    return pq.read_metadata(target).num_rows


def write_spark_artefact(prepared: SparkPrepared, out_dir: str | Path, source: str) -> Path:
    """Write a Spark preparation as an artefact folder (the format of ``crm_core.artefact``).

    Customers (sorted by ``customer_id``), activity and holdings are written by Spark into a
    staging folder inside ``out_dir`` with one partition each, and the part file is renamed;
    only the monthly grid goes through the driver. ``out_dir`` must be a local or shared path
    visible to the driver and the executors.

    Returns
    -------
    Path
        The artefact folder.
    """
    out = artefact_folder(out_dir)
    rows = {CUSTOMERS_FILE: _single_parquet(prepared.customers.orderBy("customer_id"), out, CUSTOMERS_FILE)}
    if prepared.monthly_channels is not None:
        monthly = prepared.monthly_channels
        monthly.to_parquet(out / MONTHLY_FILE, index=False, compression="zstd")
        rows[MONTHLY_FILE] = len(monthly)
    if prepared.activity is not None:
        rows[ACTIVITY_FILE] = _single_parquet(prepared.activity, out, ACTIVITY_FILE)
    if prepared.holdings is not None:
        rows[HOLDINGS_FILE] = _single_parquet(prepared.holdings, out, HOLDINGS_FILE)
    manifest = manifest_of(
        source=source,
        engine="spark",
        name=prepared.name,
        as_of=prepared.as_of,
        fingerprint=prepared.fingerprint,
        products=prepared.products,
        orphan_activity_rows=prepared.orphan_activity_rows,
        rows=rows,
    )
    return write_manifest(out, manifest)
