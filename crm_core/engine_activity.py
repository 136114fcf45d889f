"""The loader's activity rules on an engine: channel words and month spellings, through their distinct values.

An activity extract read by an engine (a CSV on Spark, say) names channels as the bank does
(柜面, 手机银行, "Mobile Banking") and months as it writes them (2024年3月, 202403, 2024-03).
``crm_core.loading`` already knows how to read both, value by value (``building.channel_of``,
``values.parse_months``). Those values are few — a handful of channels, a few dozen months —
so the engine groups the column, the loader's rule reads each distinct value once on the
driver, and the answer goes back to the engine as a map lookup: the rule is written once, in the
loader, and the large table never leaves the engine. ``summed_activity`` then sums the rows of one
customer, month and channel, as the loader does, on every engine.

Rows the loader would refuse are left out here too and counted by the same reasons (each row
under the first that applies, in the loader's order: customer id, month, channel, count), so the
command line can say how many rows were not used and why; none is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import narwhals.stable.v2 as nw
import pandas as pd

from crm_core.loading.building import channel_of
from crm_core.loading.values import MISSING_MARKERS, parse_months
from crm_core.messages import Message

MARKERS: list[str] = sorted(MISSING_MARKERS)
"""Cell texts read as missing (compared stripped and lower-cased), as the loader's ``parse_text`` reads them."""

REASONS: tuple[Message, ...] = (
    Message("load_reason_missing", field="customer_id"),
    Message("load_reason_missing", field="month"),
    Message("load_reason_invalid", field="month"),
    Message("load_reason_missing", field="channel"),
    Message("load_reason_unknown_channel"),
    Message("load_reason_missing", field="transactions"),
)
"""Why an activity row is left out, in the order a row's first reason is taken."""


@dataclass(frozen=True)
class ActivityWords:
    """An engine's activity with the loader's channel and month rules applied.

    Attributes
    ----------
    frame : narwhals.LazyFrame
        The usable rows, still lazy: ``customer_id`` stripped text, ``month`` the first instant of
        its month, ``channel`` a name of ``CHANNELS``; other columns as read.
    left_out : tuple of (Message, int)
        Rows not used, per reason of ``REASONS`` (only reasons with rows).
    """

    frame: nw.LazyFrame
    left_out: tuple[tuple[Message, int], ...]


def _mapped(expression: nw.Expr, lookup: dict, dtype) -> nw.Expr:
    """Each distinct value to the loader's reading of it (a map lookup on the engine), anything else missing."""
    known = {value: read for value, read in lookup.items() if read is not None}
    if not known:
        return nw.lit(None, dtype=dtype)
    return expression.replace_strict(
        list(known), list(known.values()), default=nw.lit(None, dtype=dtype), return_dtype=dtype
    )


def _as_case(expression: nw.Expr, lookup: dict, dtype) -> nw.Expr:
    """``_mapped`` as one ``CASE`` (for engines without a map lookup, such as Spark Connect)."""
    result = nw.lit(None, dtype=dtype)
    for value, read in lookup.items():
        if read is not None:
            result = nw.when(expression == value).then(nw.lit(read, dtype=dtype)).otherwise(result)
    return result


def _distinct(frame: nw.LazyFrame, column: str) -> list:
    """The distinct values of a column (a group-by: cheaper than ``unique`` on DuckDB)."""
    native = frame.group_by(column).agg(nw.len().alias("_rows")).collect(backend="pandas").to_native()
    return [value for value in native[column].tolist() if value is not None and not pd.isna(value)]


def activity_words(activity: nw.LazyFrame) -> ActivityWords:
    """Return the activity with channel words and month spellings read by the loader's rules.

    Parameters
    ----------
    activity : narwhals.LazyFrame
        Canonical column names (``customer_id``, ``month``, ``channel``, ``transactions``, ...) on
        any engine, cells as the file has them (text, or typed by a Parquet file).

    Returns
    -------
    ActivityWords
    """
    schema = activity.collect_schema()
    customer = nw.col("customer_id").cast(nw.String).str.strip_chars()
    text = {"channel": nw.col("channel").cast(nw.String).str.strip_chars()}
    if schema["month"] == nw.String:
        text["month"] = nw.col("month").str.strip_chars()
    numbers = {  # counts and amounts as text: stripped, a missing marker missing (the engine casts them after)
        name: nw.when(nw.col(name).str.strip_chars().str.to_lowercase().is_in(MARKERS))
        .then(nw.lit(None, dtype=nw.String()))
        .otherwise(nw.col(name).str.strip_chars())
        for name in ("transactions", "amount")
        if name in schema and schema[name] == nw.String
    }
    stripped = activity.with_columns(customer_id=customer, **text, **numbers)
    missing_id = nw.col("customer_id").is_null() | nw.col("customer_id").str.to_lowercase().is_in(MARKERS)
    lookups = {"channel": {value: channel_of(value) for value in _distinct(stripped, "channel")}}
    dtypes = {"channel": nw.String()}
    if "month" in text:
        written = _distinct(stripped, "month")
        months, _ = parse_months(pd.Series(written, dtype="string"))
        lookups["month"] = {
            value: None if pd.isna(month) else datetime(month.year, month.month, 1)
            for value, month in zip(written, months, strict=True)
        }
        dtypes["month"] = nw.Datetime("us")
    flags = {
        f"_{name}_missing": nw.col(name).is_null() | nw.col(name).str.to_lowercase().is_in(MARKERS) for name in text
    }
    if "month" not in text:  # typed by the file: the first instant of its month, as the loader reads a date-time
        flags["_month_missing"] = nw.col("month").is_null()
    marked = stripped.with_columns(
        customer_id=nw.when(missing_id).then(nw.lit(None, dtype=nw.String())).otherwise(nw.col("customer_id")),
        **flags,
    )
    try:
        frame = marked.with_columns(**{name: _mapped(nw.col(name), lookups[name], dtypes[name]) for name in lookups})
    except NotImplementedError:  # an engine without a map lookup
        frame = marked.with_columns(**{name: _as_case(nw.col(name), lookups[name], dtypes[name]) for name in lookups})
    if "month" not in text:
        frame = frame.with_columns(month=nw.col("month").dt.truncate("1mo"))
    reason = nw.lit(0)
    conditions = (
        nw.col("customer_id").is_null(),
        nw.col("_month_missing"),
        nw.col("month").is_null(),
        nw.col("_channel_missing"),
        nw.col("channel").is_null(),
        nw.col("transactions").is_null(),
    )
    for code, condition in reversed(list(enumerate(conditions, start=1))):
        reason = nw.when(condition).then(nw.lit(code)).otherwise(reason)
    frame = frame.with_columns(_reason=reason)
    counts = frame.group_by("_reason").agg(nw.len().alias("_rows")).collect(backend="pandas").to_native()
    by_code = dict(zip(counts["_reason"].astype(int), counts["_rows"].astype(int), strict=True))
    left_out = tuple((REASONS[code - 1], by_code[code]) for code in range(1, len(REASONS) + 1) if by_code.get(code))
    usable = frame.filter(nw.col("_reason") == 0).drop("_reason", "_channel_missing", "_month_missing")
    return ActivityWords(usable, left_out)


def summed_activity(frame: nw.LazyFrame) -> nw.LazyFrame:
    """Return one row per customer, month and channel, counts (``Int64``) and amounts (``Float64``) summed.

    As the loader sums repeated rows; an amount is missing where no row of the group has one.
    """
    sums = [nw.col("transactions").cast(nw.Int64).sum()]
    if "amount" in frame.collect_schema().names():
        sums.append(nw.col("amount").cast(nw.Float64).sum())
    grouped = frame.group_by("customer_id", "month", "channel").agg(*sums)
    return grouped.with_columns(nw.col("transactions").cast(nw.Int64))
