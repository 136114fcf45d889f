"""The loader's activity rules on an engine: channel words and month spellings, through their distinct values.

An activity extract read by an engine (a CSV on Spark, say) names channels as the bank does
(柜面, 手机银行, "Mobile Banking") and months as it writes them (2024年3月, 202403, 2024-03).
``crm_core.loading`` already knows how to read both, value by value (``building.channel_of``,
``values.parse_months``). Those values are few — a handful of channels, a few dozen months —
so the engine groups the column, the loader's rule reads each distinct value once on the
driver, and the answer goes back to the engine as one ``CASE`` expression: the rule is written
once, in the loader, and the large table never leaves the engine.

Rows the loader would refuse are left out here too and counted by the same reasons (each row
under the first that applies, in the loader's order: customer id, month, channel), so the
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

REASONS: tuple[Message, ...] = (
    Message("load_reason_missing", field="customer_id"),
    Message("load_reason_missing", field="month"),
    Message("load_reason_invalid", field="month"),
    Message("load_reason_missing", field="channel"),
    Message("load_reason_unknown_channel"),
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
    channels : tuple of (str, str or None)
        Each distinct channel spelling and the channel it was read as (None: unknown).
    """

    frame: nw.LazyFrame
    left_out: tuple[tuple[Message, int], ...]
    channels: tuple[tuple[str, str | None], ...]

    @property
    def rows_left_out(self) -> int:
        """Rows not used, over every reason."""
        return sum(count for _, count in self.left_out)


def _mapped(column: str, lookup: dict, dtype) -> nw.Expr:
    """One ``CASE`` over the distinct values: each value to the loader's reading of it, anything else missing."""
    expression = nw.lit(None, dtype=dtype)
    for value, read in lookup.items():
        if read is not None:
            expression = nw.when(nw.col(column) == value).then(nw.lit(read, dtype=dtype)).otherwise(expression)
    return expression


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
    missing_id = customer.is_null() | customer.str.to_lowercase().is_in(sorted(MISSING_MARKERS))

    raw_channel = nw.col("channel").cast(nw.String).str.strip_chars()
    spellings = _distinct(activity.with_columns(channel=raw_channel), "channel")
    read = {value: channel_of(value) for value in spellings}
    channel = _mapped("channel", read, nw.String())
    missing_channel = raw_channel.is_null() | raw_channel.str.to_lowercase().is_in(sorted(MISSING_MARKERS))

    if schema["month"] == nw.String:
        raw_month = nw.col("month").str.strip_chars()
        written = _distinct(activity.with_columns(month=raw_month), "month")
        months, _ = parse_months(pd.Series(written, dtype="string"))
        lookup = {
            value: None if pd.isna(month) else datetime(month.year, month.month, 1)
            for value, month in zip(written, months, strict=True)
        }
        month = _mapped("month", lookup, nw.Datetime("us"))
        missing_month = raw_month.is_null() | raw_month.str.to_lowercase().is_in(sorted(MISSING_MARKERS))
    else:  # typed by the file: the first instant of its month, as the loader reads a date-time
        month = nw.col("month").dt.truncate("1mo")
        missing_month = nw.col("month").is_null()

    frame = activity.with_columns(
        customer_id=nw.when(missing_id).then(nw.lit(None, dtype=nw.String())).otherwise(customer),
        _raw_channel_missing=missing_channel,
        _raw_month_missing=missing_month,
        month=nw.when(missing_month).then(nw.lit(None, dtype=nw.Datetime("us"))).otherwise(month),
        channel=channel,
    )
    reason = nw.lit(0)
    conditions = (
        nw.col("customer_id").is_null(),
        nw.col("_raw_month_missing"),
        nw.col("month").is_null(),
        nw.col("_raw_channel_missing"),
        nw.col("channel").is_null(),
    )
    for code, condition in reversed(list(enumerate(conditions, start=1))):
        reason = nw.when(condition).then(nw.lit(code)).otherwise(reason)
    frame = frame.with_columns(_reason=reason)
    counts = frame.group_by("_reason").agg(nw.len().alias("_rows")).collect(backend="pandas").to_native()
    by_code = dict(zip(counts["_reason"].astype(int), counts["_rows"].astype(int), strict=True))
    left_out = tuple((REASONS[code - 1], by_code[code]) for code in range(1, len(REASONS) + 1) if by_code.get(code))
    usable = frame.filter(nw.col("_reason") == 0).drop("_reason", "_raw_channel_missing", "_raw_month_missing")
    return ActivityWords(usable, left_out, tuple(sorted(read.items())))
