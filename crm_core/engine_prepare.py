"""Engine-neutral preparation rules, written once as Narwhals lazy expressions.

The same functions run on DuckDB (local, out of core: a memory limit and a spill folder) and
on PySpark (a cluster, or ``local[2]`` in the tests): they take and return
``narwhals.stable.v2.LazyFrame`` objects, and only the caller decides which engine sits below
(``narwhals.from_native`` on a ``duckdb.DuckDBPyRelation`` or a ``pyspark.sql.DataFrame``).
``crm_core.prepare`` keeps its numpy path for frames already in memory;
``tests/test_engine_prepare.py`` proves both give the same columns, value for value.

Month windows are cut by comparing the activity ``month`` with the first instant of a calendar
month (``month_start``): "at most ``k`` months before the as-of month" is "on or after the
first day of the month ``k`` months back", which is exact for any day within a month and needs
no per-row calendar arithmetic. On Spark the session time zone must be UTC (timestamps in the
extracts are naive), as the command line and the tests set it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import narwhals.stable.v2 as nw
import pandas as pd

from crm_core.arrays import count_values
from crm_core.contract import CHANNELS, DIGITAL_CHANNELS
from crm_core.prepare import COUNT_COLUMNS, NO_UNIT, RECENT_MONTHS

ACTIVITY_FEATURES: tuple[str, ...] = (
    *(f"{channel}_txn_{window}" for channel in CHANNELS for window in ("12m", "prev_12m")),
    "counter_trend",
    "digital_share_12m",
    "mobile_active",
    "digital_active",
    "digital_active_12m_ago",
    "months_since_active",
)
"""The per-customer activity columns, in the order ``PreparedDataset.customers`` holds them."""

TEXT_SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".txt")
"""File suffixes the engines read as delimited text (anything else is Parquet)."""

ACTIVITY_ROWS = "_activity_rows"
"""Column of ``activity_features`` with each customer's activity rows (for the orphan count; not a feature)."""
_LAST_MONTH = "_last_month"


def month_start(as_of: pd.Timestamp, months_back: int) -> datetime:
    """First instant of the calendar month ``months_back`` months before ``as_of``'s month.

    Examples
    --------
    >>> month_start(pd.Timestamp("2026-03-01"), 14)
    datetime.datetime(2025, 1, 1, 0, 0)
    """
    month = pd.Timestamp(as_of).to_period("M") - months_back
    return month.to_timestamp().to_pydatetime()


def month_number(as_of: pd.Timestamp) -> int:
    """Calendar months since January 1970 of a timestamp.

    Examples
    --------
    >>> month_number(pd.Timestamp("2026-10-15"))
    681
    """
    return (as_of.year - 1970) * 12 + as_of.month - 1


@dataclass(frozen=True)
class MonthWindows:
    """The month boundaries of the activity windows, for one as-of month.

    Attributes
    ----------
    as_of : pandas.Timestamp
        First day of the reference month (``prepare.reference_month``).
    """

    as_of: pd.Timestamp

    def since(self, months_back: int) -> nw.Expr:
        """Rows at most ``months_back`` months before the as-of month (later months included)."""
        return nw.col("month") >= month_start(self.as_of, months_back)

    def between(self, oldest: int, newest: int) -> nw.Expr:
        """Rows from ``oldest`` to ``newest`` months back, both included."""
        return (nw.col("month") >= month_start(self.as_of, oldest)) & (
            nw.col("month") < month_start(self.as_of, newest - 1)
        )


def activity_as_of(activity: nw.LazyFrame) -> pd.Timestamp | None:
    """First day of the last activity month (one scalar from the engine); None without activity rows.

    Parameters
    ----------
    activity : narwhals.LazyFrame
        Canonical activity (``month`` a datetime column).
    """
    latest = activity.select(nw.col("month").max()).collect().item()
    if latest is None or pd.isna(latest):
        return None
    return naive_timestamp(latest).to_period("M").to_timestamp()


def naive_timestamp(value) -> pd.Timestamp:
    """A scalar from an engine as a naive timestamp.

    Spark hands back its session time zone (UTC): the naive instant is the same.

    Examples
    --------
    >>> naive_timestamp(pd.Timestamp("2026-03-01 08:00", tz="UTC"))
    Timestamp('2026-03-01 08:00:00')
    """
    value = pd.Timestamp(value)
    return value.tz_convert("UTC").tz_localize(None) if value.tzinfo is not None else value


def customer_activity(activity: nw.LazyFrame, as_of: pd.Timestamp) -> nw.LazyFrame:
    """One row per activity ``customer_id`` (known or not): the window sums every feature is built from.

    Columns: ``<channel>_txn_12m`` and ``<channel>_txn_prev_12m`` for every channel of
    ``CHANNELS``, ``_mobile_recent``, ``_digital_recent``, ``_digital_year_ago`` (transactions in
    the last ``RECENT_MONTHS`` months, and in the same months a year earlier), the last month
    with a row and the number of rows.

    Parameters
    ----------
    activity : narwhals.LazyFrame
        Canonical activity: ``customer_id``, ``month``, ``channel``, ``transactions``.
    as_of : pandas.Timestamp
        First day of the reference month.

    Returns
    -------
    narwhals.LazyFrame
        Still lazy: nothing has run.
    """
    windows = MonthWindows(as_of)
    channel, transactions = nw.col("channel"), nw.col("transactions").cast(nw.Int64)
    digital = channel.is_in(list(DIGITAL_CHANNELS))
    last_12, prev_12 = windows.since(11), windows.between(23, 12)
    recent, year_ago_recent = windows.since(RECENT_MONTHS - 1), windows.between(11 + RECENT_MONTHS, 12)
    conditions = {}
    for name in CHANNELS:
        conditions[f"{name}_txn_12m"] = (channel == name) & last_12
        conditions[f"{name}_txn_prev_12m"] = (channel == name) & prev_12
    conditions["_mobile_recent"] = (channel == "mobile") & recent
    conditions["_digital_recent"] = digital & recent
    conditions["_digital_year_ago"] = digital & year_ago_recent
    # Conditional amounts as columns first, then plain sums: the aggregation every backend supports.
    amounts = {column: nw.when(condition).then(transactions).otherwise(0) for column, condition in conditions.items()}
    return (
        activity.with_columns(**amounts)
        .group_by("customer_id")
        .agg(
            *(nw.col(column).sum().cast(nw.Int64) for column in conditions),
            nw.col("month").max().alias(_LAST_MONTH),
            nw.len().alias(ACTIVITY_ROWS),
        )
    )


def activity_features(customers: nw.LazyFrame, per_customer: nw.LazyFrame, as_of: pd.Timestamp) -> nw.LazyFrame:
    """Return the customers with the ``ACTIVITY_FEATURES`` and ``ACTIVITY_ROWS`` added.

    The rules are those ``PreparedDataset`` documents: transactions per channel in the last 12
    months and the 12 before; ``counter_trend`` (last 12 over previous 12, minus one; null
    without previous counter transactions); ``digital_share_12m`` (online and mobile over all,
    null without any); ``mobile_active`` and ``digital_active`` (a transaction in the last three
    months), ``digital_active_12m_ago`` (in the same three months a year earlier);
    ``months_since_active`` (months from the last month with a row to the as-of month, -1 for a
    customer without rows).

    Parameters
    ----------
    customers : narwhals.LazyFrame
        The customers: a ``customer_id`` column and any others, kept as they are.
    per_customer : narwhals.LazyFrame
        ``customer_activity`` of the same engine.
    as_of : pandas.Timestamp
        First day of the reference month.

    Returns
    -------
    narwhals.LazyFrame
        One row per customer, in no particular order.
    """
    sums = [name for name in ACTIVITY_FEATURES if "_txn_" in name]
    kept = customers.collect_schema().names()
    joined = customers.join(per_customer, on="customer_id", how="left")
    zero_filled = joined.with_columns(
        *(nw.col(column).fill_null(0).cast(nw.Int64) for column in [*sums, "_mobile_recent", "_digital_recent"]),
        nw.col("_digital_year_ago").fill_null(0).cast(nw.Int64),
    )
    counter_last = nw.col("counter_txn_12m").cast(nw.Float64)
    counter_prev = nw.col("counter_txn_prev_12m").cast(nw.Float64)
    total = nw.sum_horizontal(*(nw.col(f"{name}_txn_12m") for name in CHANNELS)).cast(nw.Float64)
    digital = nw.sum_horizontal(*(nw.col(f"{name}_txn_12m") for name in DIGITAL_CHANNELS)).cast(nw.Float64)
    last_month = nw.col(_LAST_MONTH).dt.year() * 12 + nw.col(_LAST_MONTH).dt.month() - 1 - 1970 * 12
    return zero_filled.select(
        *kept,
        *sums,
        nw.when(counter_prev > 0).then(counter_last / counter_prev - 1.0).alias("counter_trend"),
        nw.when(total > 0).then(digital / total).alias("digital_share_12m"),
        (nw.col("_mobile_recent") > 0).alias("mobile_active"),
        (nw.col("_digital_recent") > 0).alias("digital_active"),
        (nw.col("_digital_year_ago") > 0).alias("digital_active_12m_ago"),
        (month_number(as_of) - last_month).fill_null(-1).cast(nw.Int64).alias("months_since_active"),
        nw.col(ACTIVITY_ROWS).fill_null(0).cast(nw.Int64),
    )


def orphan_activity_rows(activity: nw.LazyFrame, known_rows: int) -> int:
    """Activity rows whose customer is not in the customers table.

    Parameters
    ----------
    activity : narwhals.LazyFrame
        Canonical activity (its rows are counted by the engine; a Parquet footer read on DuckDB).
    known_rows : int
        The sum of ``ACTIVITY_ROWS`` over the customers.
    """
    return int(activity.select(nw.len()).collect().item()) - known_rows


def features_frame(features: nw.LazyFrame, activity: nw.LazyFrame) -> tuple[pd.DataFrame, int]:
    """Collect engine features into pandas with ``prepare.py``'s dtypes (``count_values``, float64 with NaN, bool).

    Parameters
    ----------
    features : narwhals.LazyFrame
        ``activity_features`` on any engine.
    activity : narwhals.LazyFrame
        The activity the features were computed from (for the orphan count).

    Returns
    -------
    (pandas.DataFrame, int)
        ``customer_id`` (string) and the ``ACTIVITY_FEATURES``, sorted by ``customer_id``; and the
        number of orphan activity rows.
    """
    frame = features.collect(backend="pandas").to_native()
    orphans = orphan_activity_rows(activity, int(frame[ACTIVITY_ROWS].sum()))
    ratios = ("counter_trend", "digital_share_12m")
    flags = ("mobile_active", "digital_active", "digital_active_12m_ago")
    types = {c: "float64" if c in ratios else "bool" if c in flags else "int64" for c in ACTIVITY_FEATURES}
    frame = frame.drop(columns=ACTIVITY_ROWS).astype({"customer_id": "string", **types})
    for column in COUNT_COLUMNS:  # int32 where every count fits, as prepare.py holds them
        if column in frame:
            frame[column] = count_values(frame[column].to_numpy())
    return frame.sort_values("customer_id", ignore_index=True), orphans


def monthly_channels(customers: nw.LazyFrame, activity: nw.LazyFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Return the month × channel × branch grid of ``PreparedDataset.monthly_channels``.

    The engine groups the known customers' activity rows by calendar month, channel and branch
    (a blank branch is ``NO_UNIT``; without a branch column every row is in ``"All"``); the
    grid, a few thousand cells whatever the bank's size, is then completed here with zeros for
    every month from the first known row to ``as_of``, every channel and every branch.

    Parameters
    ----------
    customers : narwhals.LazyFrame
        Canonical customers (``customer_id``, optionally ``branch``).
    activity : narwhals.LazyFrame
        Canonical activity.
    as_of : pandas.Timestamp
        First day of the reference month.

    Returns
    -------
    pandas.DataFrame
        ``month``, ``channel`` (categorical, ``CHANNELS`` order), ``branch`` (string),
        ``transactions``, ``active_customers`` (rows with a transaction), sorted by month,
        channel and branch.
    """
    has_branch = "branch" in customers.collect_schema().names()
    branch = nw.col("branch").cast(nw.String).fill_null(NO_UNIT) if has_branch else nw.lit("All")
    units = customers.select("customer_id", branch.alias("branch"))
    month = nw.col("month").dt.year() * 12 + nw.col("month").dt.month() - 1 - 1970 * 12
    cells = (
        activity.join(units, on="customer_id", how="inner")
        .with_columns(
            _month=month,
            channel=nw.col("channel").cast(nw.String),
            _active=(nw.col("transactions") > 0).cast(nw.Int64),
        )
        .group_by("_month", "channel", "branch")
        .agg(
            nw.col("transactions").cast(nw.Int64).sum().cast(nw.Int64),
            nw.col("_active").sum().cast(nw.Int64).alias("active_customers"),
        )
        .collect(backend="pandas")
        .to_native()
    )
    branches = sorted(units.select("branch").unique().collect(backend="pandas").to_native()["branch"].astype(str))
    last = month_number(as_of)
    n_months = int(last - cells["_month"].min()) + 1 if len(cells) else 1
    months = pd.date_range(end=as_of, periods=n_months, freq="MS")
    grid = pd.MultiIndex.from_product([months, list(CHANNELS), branches], names=["month", "channel", "branch"])
    cells["month"] = months[(cells["_month"] - (last - n_months + 1)).to_numpy()]
    counts = cells.set_index(["month", "channel", "branch"])[["transactions", "active_customers"]]
    frame = counts.reindex(grid, fill_value=0).reset_index()
    frame["channel"] = pd.Categorical(frame["channel"], categories=list(CHANNELS))
    frame["branch"] = frame["branch"].astype("string")
    return frame.astype({"transactions": "int64", "active_customers": "int64"})


def duckdb_connection(memory_limit: str | None = None, spill_directory: str | Path | None = None, threads: int = 0):
    """A new DuckDB connection for out-of-core preparation.

    Parameters
    ----------
    memory_limit : str, optional
        DuckDB's ``memory_limit`` (``"4GB"``); beyond it joins and group-bys spill to disk.
    spill_directory : str or Path, optional
        DuckDB's ``temp_directory``, where spilled data goes.
    threads : int
        Worker threads; 0 keeps DuckDB's default (one per core).

    Returns
    -------
    duckdb.DuckDBPyConnection
    """
    import duckdb

    # No query here needs rows in their file order (results are sorted or keyed), and without it
    # DuckDB streams large results and exports with less memory.
    config: dict[str, str | int | bool] = {"preserve_insertion_order": False}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if spill_directory is not None:
        config["temp_directory"] = str(spill_directory)
    if threads:
        config["threads"] = threads
    return duckdb.connect(config=config)


def duckdb_table(connection, path: str | Path) -> nw.LazyFrame:
    """A Parquet file, a folder of Parquet part files or a CSV file (by suffix), read lazily by DuckDB."""
    path = Path(path)
    if path.is_dir():
        return nw.from_native(connection.read_parquet(str(path / "*.parquet")))
    if path.suffix.lower() in TEXT_SUFFIXES:
        return nw.from_native(connection.read_csv(str(path), header=True))
    return nw.from_native(connection.read_parquet(str(path)))
