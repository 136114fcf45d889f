"""Transaction logs: one row per transaction, aggregated into the monthly activity contract.

A transaction log holds a customer id, a transaction date or date-time and at least one of a
channel, a location or an amount; ids repeat (a customer transacts more than once). It becomes:

* **activity**: transactions (and summed amounts) per customer × month × channel, the
  contract's ``activity`` table. Without a channel column no activity row can be built (the
  contract needs one, and a channel is never guessed): the report says so.
* **derived customers**, when no customers file is given: one row per distinct customer id,
  ``branch`` = the location (or branch column) where the customer made most transactions
  (ties: the alphabetically first), ``aum`` = the customer's last recorded balance when the
  log has a balance column, else missing for everyone (never a zero) with a warning.

Dates may mix formats in one column (``2024-03-05``, ``05-03-2024``, ``5/3/24``, ``240305``);
each is read with its format counted in the report, the day/month order decided from the column
(or stated as undecided), two-digit years in the latest century not after this year (as
``values.yymmdd_dates`` reads them), placeholder
dates such as ``1800-01-01`` refused, and literal ``nan`` cells counted. Everything is vectorised
(Arrow kernels, numpy ``bincount``), never a Python loop over rows.

Examples
--------
>>> import pandas as pd
>>> dates = transaction_dates(pd.Series(["31-01-2024", "5/2/24", "240307", "1800-01-01", "nan"]))
>>> [str(d.date()) if d == d else None for d in dates.timestamps()]
['2024-01-31', '2024-02-05', '2024-03-07', None, None]
>>> dates.placeholder.tolist(), dates.nan_literals
([False, False, False, True, False], 1)
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pa_compute

from crm_core.contract import CHANNELS
from crm_core.dataset import channel_dtype
from crm_core.loading.building import EXPECTED_KIND, NOT_NEGATIVE, blank_rows, channel_of
from crm_core.loading.errors import missing_field, unknown_column
from crm_core.loading.mapping import EVENT_DATE, Mapping, normalised_header, suggested_field
from crm_core.loading.options import AMBIGUOUS_DATE_DEFAULT, DEFAULT_OPTIONS, LoadOptions
from crm_core.loading.reading import BLANK_LINE, Preview, RawTable, cell_text, raw_row_text, read_rows
from crm_core.loading.report import EXAMPLES_KEPT, Example, Issue, TableReport
from crm_core.loading.values import parse_numbers, parse_text
from crm_core.messages import Count, Message, Term

TRANSACTION_HEADERS: dict[str, tuple[str, ...]] = {
    EVENT_DATE: (
        "date",
        "txn_date",
        "transaction_date",
        "transactiondate",
        "trade_date",
        "event_date",
        "posting_date",
        "value_date",
        "datetime",
        "timestamp",
        "txn_time",
        "transaction_time",
        "交易日期",
        "交易时间",
        "日期",
        "记账日期",
        "交易日",
    ),
    "channel": ("channel", "channel_name", "txn_channel", "渠道", "交易渠道", "渠道名称"),
    "location": (
        "location",
        "txn_location",
        "transaction_location",
        "cust_location",
        "custlocation",
        "交易地点",
        "地点",
        "交易网点",
        "网点",
        "交易机构",
    ),
    "branch": ("branch", "branch_name", "支行", "所属网点", "所属支行", "开户网点", "机构名称"),
    "amount": (
        "amount",
        "txn_amount",
        "transaction_amount",
        "transactionamount",
        "交易金额",
        "金额",
        "发生额",
    ),
    "balance": (
        "balance",
        "account_balance",
        "custaccountbalance",
        "cust_account_balance",
        "balance_after",
        "余额",
        "账户余额",
        "交易后余额",
    ),
}
"""Headers of transaction-log columns (compared after ``normalised_header``); ids use the customers synonyms."""

_HEADER_LOOKUP = {normalised_header(word): name for name, words in TRANSACTION_HEADERS.items() for word in words}
_CODE_OF_CHANNEL = {channel: code for code, channel in enumerate(CHANNELS)}


_LAST_YEAR = 2261  # the last whole year a datetime64[ns] holds


def transaction_columns(columns: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Return ``{field: file column}`` of the transaction-log fields the headers name (first column wins).

    Fields: ``customer_id``, ``event_date``, ``channel``, ``location``, ``branch``, ``amount``, ``balance``.

    Examples
    --------
    >>> found = transaction_columns(["CustomerID", "TransactionDate", "CustLocation", "TransactionAmount (INR)"])
    >>> sorted(found.items())  # doctest: +NORMALIZE_WHITESPACE
    [('amount', 'TransactionAmount (INR)'), ('customer_id', 'CustomerID'), ('event_date', 'TransactionDate'),
     ('location', 'CustLocation')]
    """
    found: dict[str, str] = {}
    for column in columns:
        key = normalised_header(column)
        name = _HEADER_LOOKUP.get(key)
        if name is None and suggested_field("customers", column) == "customer_id":
            name = "customer_id"
        if name is None and key.endswith("id") and key.startswith(("customer", "cust", "client")):
            name = "customer_id"
        if name is not None and name not in found:
            found[name] = column
    return found


def transaction_mapping(columns: tuple[str, ...] | list[str]) -> Mapping:
    """Return the activity ``Mapping`` of a transaction log: id, transaction date, channel and amount.

    Location and balance are not activity fields: they are found by header when the log is loaded.
    """
    found = transaction_columns(columns)
    pairs = tuple((found[name], name) for name in ("customer_id", EVENT_DATE, "channel", "amount") if name in found)
    return Mapping(table="activity", columns=pairs)


def is_transaction_mapping(mapping: Mapping) -> bool:
    """Return True for an activity mapping with a transaction date and no month: one row per transaction."""
    fields = set(mapping.fields.values())
    return mapping.table == "activity" and EVENT_DATE in fields and "month" not in fields


# ---------------------------------------------------------------------------------------------------- dates

_TIME = r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?"
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("YYYY-MM-DD", r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME + "$"),
    ("YYYY年M月D日", r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?$"),
    ("YYYYMMDD", r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
    ("YYMMDD", r"^(?P<y>\d{1,2})(?P<m>\d{2})(?P<d>\d{2})$"),
    ("DD-MM-YYYY", r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4})" + _TIME + "$"),
    ("D/M/YY", r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{2})" + _TIME + "$"),
)
_NAN_SPELLINGS = pa.array(["nan", "NaN", "NAN", "Nan", "nAn", "naN", "NAn", "nAN"])


@dataclass(frozen=True)
class TransactionDates:
    """A date column of a transaction log, read cell by cell with what was found.

    Attributes
    ----------
    seconds : numpy.ndarray
        int64 seconds since 1970 (time of day kept); meaningful where ``valid``.
    months : numpy.ndarray
        int64 months since January 1970; meaningful where ``valid``.
    valid, missing, invalid, placeholder : numpy.ndarray
        bool per cell: a usable date; empty or a missing marker; text that is no date (or an
        impossible one); a placeholder date (a year before 1900, 1900-01-01 or a year from 9999).
    formats : tuple of (str, int)
        Formats seen and how many cells each (day/month order as decided).
    order : str
        "DMY" or "MDY" for ``NN/NN/YYYY`` and ``N/N/YY`` cells ("" when there are none).
    order_reason : str
        Why that order: given, decided by a value, or undecided (then ``ambiguous`` > 0).
    ambiguous : int
        Cells whose order no value of the column decided (``03/04/2024``).
    two_digit_years : int
        Cells with a two-digit year (in the latest century not after ``pivot_year``).
    nan_literals : int
        Cells holding the text ``nan`` (read as missing).
    """

    seconds: np.ndarray
    months: np.ndarray
    valid: np.ndarray
    missing: np.ndarray
    invalid: np.ndarray
    placeholder: np.ndarray
    formats: tuple[tuple[str, int], ...] = ()
    order: str = ""
    order_reason: str = ""
    ambiguous: int = 0
    two_digit_years: int = 0
    nan_literals: int = 0
    examples: dict = field(default_factory=dict)

    def timestamps(self) -> pd.Series:
        """Return the dates as ``datetime64[ns]`` (NaT where not valid)."""
        stamps = np.where(self.valid, self.seconds, 0).astype("datetime64[s]").astype("datetime64[ns]")
        return pd.Series(np.where(self.valid, stamps, np.datetime64("NaT")), dtype="datetime64[ns]")


def _text_of(values: pd.Series) -> pd.Series:
    """Return date cells as text; whole numbers (``240305`` typed by Excel or Parquet) without a decimal part."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
        whole = numbers.notna() & (numbers == np.trunc(numbers)) & (numbers.abs() < 1e15)
        text = numbers.astype("string")
        return text.where(~whole, numbers.where(whole).astype("Int64").astype("string"))
    return values.astype("string")


def _arrow_text(values: pd.Series) -> pa.ChunkedArray:
    arrow = pa.array(values.array) if isinstance(values.dtype, pd.StringDtype) else pa.array(values.astype(object))
    arrow = arrow if isinstance(arrow, pa.ChunkedArray) else pa.chunked_array([arrow])
    return arrow.cast(pa.large_string()) if not pa.types.is_large_string(arrow.type) else arrow


def _as_int(parts: pa.StructArray | pa.ChunkedArray, name: str, default: int = -1) -> np.ndarray:
    child = pa_compute.struct_field(parts, name)
    child = pa_compute.if_else(pa_compute.equal(child, ""), pa.scalar(None, child.type), child)
    numbers = pa_compute.cast(child, pa.int64())
    return np.asarray(pa_compute.fill_null(numbers, default).to_numpy(zero_copy_only=False), dtype="int64")


def _seconds_from_parts(year, month, day, hour, minute, second) -> tuple[np.ndarray, np.ndarray]:
    """Return seconds since 1970 and whether the parts make a real date-time (proleptic Gregorian)."""
    real = (month >= 1) & (month <= 12) & (day >= 1) & (hour < 24) & (minute < 60) & (second < 60)
    real &= (year >= 1) & (year <= 9999)
    safe_year = np.where(real, year, 1970)
    safe_month = np.where(real, month, 1)
    starts = ((safe_year - 1970) * 12 + safe_month - 1).astype("datetime64[M]")
    lengths = ((starts + 1).astype("datetime64[D]") - starts.astype("datetime64[D]")).astype("int64")
    real &= day <= lengths
    days = starts.astype("datetime64[D]").astype("int64") + np.where(real, day, 1) - 1
    seconds = days * 86_400 + np.maximum(hour, 0) * 3_600 + np.maximum(minute, 0) * 60 + np.maximum(second, 0)
    return seconds, real


def _placeholders(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    return (year < 1900) | ((year == 1900) & (month == 1) & (day == 1)) | (year >= 9999)


def _second_of(day: str) -> int:
    return int(np.datetime64(day, "s").astype("int64"))


_PLACEHOLDER_DAY_END = _second_of("1900-01-02")  # before it: a year before 1900, or 1900-01-01
_PAST_LAST_YEAR, _PLACEHOLDER_YEARS = _second_of(f"{_LAST_YEAR + 1}-01-01"), _second_of("9999-01-01")


_CALENDAR_DAYS = 200_000
"""Longest span of days (about 550 years) whose months are looked up in a table made for the span."""


def _months_since_1970(seconds: np.ndarray) -> np.ndarray:
    """Return the month (since January 1970) of each instant given in seconds since 1970.

    The calendar is worked out once per day of the span and each instant looked up by its day; a
    span wider than ``_CALENDAR_DAYS`` (a year 9999 placeholder) takes Arrow's calendar fields.

    Examples
    --------
    >>> _months_since_1970(np.array([0, 86_399, 86_400 * 31, -1]))
    array([ 0,  0,  1, -1])
    """
    if len(seconds) == 0:
        return np.zeros(0, dtype="int64")
    days = seconds // 86_400
    first, last = int(days.min()), int(days.max())
    if last - first > _CALENDAR_DAYS:
        arrow = pa.array(seconds, type=pa.timestamp("s"))
        years = pa_compute.year(arrow).to_numpy().astype("int64")
        return (years - 1970) * 12 + pa_compute.month(arrow).to_numpy() - 1
    calendar = np.arange(first, last + 1).astype("datetime64[D]").astype("datetime64[M]").astype("int64")
    days -= first
    return calendar[days]


def _stamped_dates(stamps: np.ndarray, label: str, nan_literals: int = 0) -> TransactionDates:
    """Return the dates of typed cells (``datetime64[s]``, NaT missing), checked as text dates are.

    Placeholders (a year before 1900, 1900-01-01 at any time, a year from 9999) and years past
    ``_LAST_YEAR`` are cut on the seconds; months come from Arrow's calendar fields.
    """
    missing = np.isnat(stamps)
    seconds = stamps.astype("datetime64[s]", copy=False).view("int64")
    if missing.any():
        seconds = np.where(missing, 0, seconds)
    months = _months_since_1970(seconds)
    placeholder = ~missing & ((seconds < _PLACEHOLDER_DAY_END) | (seconds >= _PLACEHOLDER_YEARS))
    invalid = ~missing & ~placeholder & (seconds >= _PAST_LAST_YEAR)
    valid = ~missing & ~placeholder & ~invalid
    present = int((~missing).sum())
    formats = ((label, present),) if present else ()
    return TransactionDates(seconds, months, valid, missing, invalid, placeholder, formats, nan_literals=nan_literals)


def transaction_dates(
    values: pd.Series, date_order: str = "auto", pivot_year: int | None = None, typed_format: str = "date-time"
) -> TransactionDates:
    """Return every cell of a transaction-date column read, with the formats and doubts found.

    Parameters
    ----------
    values : pandas.Series
        Cells as read (text, numbers such as ``240305``, or typed date-times).
    date_order : {"auto", "DMY", "MDY"}
        Order of ``NN/NN/YYYY`` and ``N/N/YY`` cells; "auto" decides from the column (a first
        number above 12 proves day-first, a second one month-first) and falls back to
        ``AMBIGUOUS_DATE_DEFAULT`` (day-first), stating how many cells were undecided.
    pivot_year : int, optional
        Two-digit years (``5/3/24``, ``240305``) get the latest century not after it; this year when None.
    typed_format : str
        The format named for cells already typed as date-times: "date-time" for a workbook's or
        Parquet's, "YYYY-MM-DD" for ISO text a CSV reader parsed (``transaction_rows``).

    Returns
    -------
    TransactionDates
    """
    if pd.api.types.is_datetime64_any_dtype(values):  # typed cells (a workbook, Parquet, or ISO text Arrow read)
        return _stamped_dates(values.to_numpy(dtype="datetime64[s]"), typed_format)
    raw_text = _arrow_text(_text_of(values))
    nan_literals = int(pa_compute.sum(pa_compute.is_in(raw_text, _NAN_SPELLINGS.cast(raw_text.type))).as_py() or 0)
    try:  # fast path: every cell is empty or ISO 8601 (date or date-time); Arrow parses and checks them
        empty = pa_compute.equal(raw_text, "")
        stamps = pa_compute.cast(pa_compute.if_else(empty, pa.scalar(None, raw_text.type), raw_text), pa.timestamp("s"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        stamps = None
    if stamps is not None:
        return _stamped_dates(stamps.to_numpy(zero_copy_only=False), "YYYY-MM-DD", nan_literals)
    # A log repeats its dates (a million transactions, a few thousand days): each distinct spelling is
    # read once, weighed by its cells, and every cell takes its spelling's reading.
    spelled = column_spellings(pd.Series(pd.arrays.ArrowStringArray(raw_text)))
    cells = np.bincount(spelled.indices + 1, minlength=len(spelled.spellings) + 1)
    distinct = pd.Series(pd.arrays.ArrowStringArray(spelled.spellings.cast(pa.large_string())))
    read = _text_dates(distinct, date_order, pivot_year, nan_literals, weights=cells[1:])
    position = np.where(spelled.indices >= 0, spelled.indices, len(distinct))  # a null cell: one missing cell more
    per_cell = [np.append(getattr(read, name), value)[position] for name, value in _NULL_CELL.items()]
    return replace(read, **dict(zip(_NULL_CELL, per_cell, strict=True)))


_NULL_CELL = {"seconds": 0, "months": 0, "valid": False, "missing": True, "invalid": False, "placeholder": False}
"""A ``TransactionDates`` field per cell, and its value for a cell that is null as read."""


def _text_dates(
    values: pd.Series, date_order: str, pivot_year: int | None, nan_literals: int, weights: np.ndarray
) -> TransactionDates:
    """Return ``transaction_dates`` of text cells read by the patterns, each cell counted ``weights`` times."""
    count = len(values)
    text = _arrow_text(parse_text(values))
    missing = np.asarray(text.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    year = np.full(count, -1, dtype="int64")
    month, day, first, second = year.copy(), year.copy(), year.copy(), year.copy()
    hour, minute, sec = np.zeros(count, "int64"), np.zeros(count, "int64"), np.zeros(count, "int64")
    kind = np.full(count, -1, dtype="int8")
    lowered = pa_compute.utf8_trim_whitespace(text)
    for code, (_, pattern) in enumerate(_PATTERNS):
        todo = kind < 0
        if not (todo & ~missing).any():
            break
        parts = pa_compute.extract_regex(lowered, pattern)
        found = np.asarray(parts.is_valid().to_numpy(zero_copy_only=False), dtype=bool) & todo
        if not found.any():
            continue
        kind[found] = code
        year[found] = _as_int(parts, "y")[found]
        if "(?P<m>" in pattern:
            month[found] = _as_int(parts, "m")[found]
            day[found] = _as_int(parts, "d")[found]
        else:
            first[found] = _as_int(parts, "a")[found]
            second[found] = _as_int(parts, "b")[found]
        if "(?P<H>" in pattern:
            hour[found] = _as_int(parts, "H", 0)[found]
            minute[found] = _as_int(parts, "M", 0)[found]
            sec[found] = _as_int(parts, "S", 0)[found]
    short_year = (kind == 3) | (kind == 5)
    pivot = pd.Timestamp.today().year if pivot_year is None else pivot_year
    year = np.where(short_year, np.where(2000 + year <= pivot, 2000 + year, 1900 + year), year)
    crossed = (kind == 4) | (kind == 5)
    order, order_reason, ambiguous, examples = "", "", 0, {}
    if crossed.any():
        day_first = crossed & (first > 12)
        month_first = crossed & (second > 12)
        cells = np.asarray(lowered.to_numpy(zero_copy_only=False), dtype=object)
        if date_order in ("DMY", "MDY"):
            order, order_reason = date_order, "given"
        elif day_first.any() and not month_first.any():
            order, order_reason = "DMY", "decided"
            examples["decided"] = str(cells[np.flatnonzero(day_first)[0]])
        elif month_first.any() and not day_first.any():
            order, order_reason = "MDY", "decided"
            examples["decided"] = str(cells[np.flatnonzero(month_first)[0]])
        else:
            order = AMBIGUOUS_DATE_DEFAULT
            order_reason = "conflicting" if day_first.any() else "undecided"
            undecided = crossed & (first <= 12) & (second <= 12) & (first != second)
            ambiguous = int(weights[undecided].sum())
            if ambiguous:
                examples["ambiguous"] = str(cells[np.flatnonzero(undecided)[0]])
        if order == "DMY":
            day, month = np.where(crossed, first, day), np.where(crossed, second, month)
        else:
            day, month = np.where(crossed, second, day), np.where(crossed, first, month)
    matched = kind >= 0
    seconds, real = _seconds_from_parts(year, month, day, hour, minute, sec)
    placeholder = matched & _placeholders(year, month, day)
    invalid = ~missing & ~placeholder & (~matched | ~real | (year > _LAST_YEAR))
    valid = ~missing & ~placeholder & ~invalid
    names = [name for name, _ in _PATTERNS]
    if order == "MDY":
        names[4], names[5] = "MM-DD-YYYY", "M/D/YY"
    counts = np.bincount(kind[matched], weights=weights[matched], minlength=len(_PATTERNS)).astype("int64")
    formats = tuple((names[code], int(counts[code])) for code in np.argsort(-counts, kind="stable") if counts[code])
    return TransactionDates(
        seconds,
        (year - 1970) * 12 + month - 1,
        valid,
        missing,
        invalid,
        placeholder,
        formats,
        order,
        order_reason,
        ambiguous,
        int(weights[short_year].sum()),
        nan_literals,
        examples,
    )


def date_notes(column: str, dates: TransactionDates) -> list[Message]:
    """Return the report's sentences about a date column: formats, order, two-digit years, ``nan`` cells."""
    notes = []
    if len(dates.formats) > 1:
        listed = ", ".join(f"{count:,} {name}" for name, count in dates.formats)
        notes.append(Message("load_dates_mixed", column=column, formats=len(dates.formats), listed=listed))
    if any(name == "YYMMDD" for name, _ in dates.formats):
        notes.append(Message("load_dates_yymmdd_numbers", column=column))
    if dates.two_digit_years:
        notes.append(Message("load_dates_two_digit_years", column=column, dates=Count(dates.two_digit_years)))
    order = Term(f"date_order_{dates.order}")
    if dates.order_reason == "decided":
        notes.append(
            Message("load_dates_order_decided", column=column, order=order, example=repr(dates.examples["decided"]))
        )
    elif dates.order_reason == "conflicting":
        notes.append(Message("load_dates_order_conflicting", column=column, order=order))
    if dates.ambiguous:
        notes.append(
            Message(
                "load_dates_order_undecided",
                column=column,
                dates=Count(dates.ambiguous),
                example=repr(dates.examples["ambiguous"]),
                order=order,
            )
        )
    if dates.placeholder.any():
        notes.append(Message("load_dates_placeholder", column=column, dates=Count(int(dates.placeholder.sum()))))
    if dates.nan_literals:
        notes.append(nan_note(column, dates.nan_literals))
    return notes


def nan_note(column: str, count: int) -> Message:
    """The report sentence about cells holding the text ``nan``."""
    if count == 1:
        return Message("load_nan_cell", column=column)
    return Message("load_nan_cells", column=column, cells=Count(count))


def nan_literals(values: pd.Series) -> int:
    """Return how many cells of a text column hold ``nan`` (any case; cells are read stripped)."""
    if not pd.api.types.is_string_dtype(values):
        return 0
    text = _arrow_text(values)
    return int(pa_compute.sum(pa_compute.is_in(text, _NAN_SPELLINGS.cast(text.type))).as_py() or 0)


# ---------------------------------------------------------------------------------------------------- codes


@dataclass(frozen=True)
class Codes:
    """A text column as int64 codes (-1 missing) of its sorted distinct cleaned values."""

    codes: np.ndarray
    distinct: pd.Series
    nan_cells: int
    """Cells holding the text ``nan`` (counted on the distinct spellings, each weighed by its cells)."""


@dataclass(frozen=True)
class Spellings:
    """A text column dictionary-encoded as read: int64 positions (-1 missing) into its distinct spellings."""

    indices: np.ndarray
    spellings: pa.Array
    nan_cells: int


def column_spellings(values: pd.Series) -> Spellings:
    """Return a text column encoded by Arrow over its distinct spellings (the costly pass over every cell).

    Arrow does the work without the GIL, so a log's id, channel and location columns are encoded
    side by side (``transaction_log``); ``sorted_codes`` finishes each on the few distinct spellings.
    """
    encoded = pa_compute.dictionary_encode(_arrow_text(values)).combine_chunks()
    indices = np.asarray(pa_compute.fill_null(encoded.indices.cast(pa.int64()), -1).to_numpy(), dtype="int64")
    spellings = encoded.dictionary
    nan_spelled = np.asarray(pa_compute.is_in(spellings, _NAN_SPELLINGS.cast(spellings.type)), dtype=bool)
    nan_cells = int(np.isin(indices, np.flatnonzero(nan_spelled)).sum()) if nan_spelled.any() else 0
    return Spellings(indices, spellings, nan_cells)


def sorted_codes(values: pd.Series | Spellings, kept: np.ndarray | None = None) -> Codes:
    """Return int64 codes of a text column in sorted order of its distinct cleaned values, and those values.

    Cells are cleaned as ``values.parse_text`` cleans them (stripped; missing markers are missing,
    code -1), but only the distinct spellings are cleaned: a column of a million cells and fifty
    thousand ids is encoded once by Arrow (``column_spellings``, or its result given as ``values``).
    With ``kept``, only values of kept rows get a code (the ``nan`` cells are counted over every row).
    """
    spelled = values if isinstance(values, Spellings) else column_spellings(values)
    indices = spelled.indices if kept is None else np.where(kept, spelled.indices, -1)
    cleaned = _arrow_text(parse_text(pd.Series(pd.arrays.ArrowStringArray(spelled.spellings.cast(pa.large_string())))))
    cleaned = cleaned.combine_chunks()
    used = np.bincount(indices + 1, minlength=len(cleaned) + 1)[1:] > 0  # code -1 counted apart, then dropped
    present = np.asarray(cleaned.is_valid(), dtype=bool) & used
    distinct = pa_compute.unique(cleaned.filter(pa.array(present)))  # two spellings may clean to one value
    distinct = distinct.take(pa_compute.array_sort_indices(distinct))  # by code point, as Python sorts text
    position = np.asarray(pa_compute.fill_null(pa_compute.index_in(cleaned, value_set=distinct), -1), dtype="int64")
    lookup = np.append(np.where(present, position, -1), -1)
    return Codes(lookup[indices], pd.Series(pd.arrays.ArrowStringArray(distinct), dtype="string"), spelled.nan_cells)


def _channel_codes(values: pd.Series | Spellings) -> tuple[np.ndarray, np.ndarray]:
    """Return channel codes (position in ``CHANNELS``, -1 unknown or missing) and the unknown mask."""
    coded = sorted_codes(values)
    codes, uniques = coded.codes, coded.distinct
    lookup = np.array([_CODE_OF_CHANNEL.get(channel_of(v), -1) for v in uniques] + [-1])
    channel = lookup[codes]  # code -1 reads the trailing -1
    return channel, (codes >= 0) & (channel < 0)


def _group_counts(keys: np.ndarray, size: int, weights: np.ndarray | None = None):
    """Return (distinct keys in order, counts, summed weights or None, weights present per key)."""
    if size <= max(8 * len(keys), 1 << 22):  # a dense mark of this size costs less than sorting the keys
        seen_key = np.zeros(size, dtype=bool)
        seen_key[keys] = True
        present = np.flatnonzero(seen_key)
        rank = np.empty(size, dtype=np.int32 if len(present) < 1 << 31 else np.int64)
        rank[present] = np.arange(len(present), dtype=rank.dtype)  # only the keys present are ever read
        group = rank[keys]  # each row's group, in key order: the bincounts below are as long as the groups
        counts = np.bincount(group, minlength=len(present))

        def summed(values: np.ndarray) -> np.ndarray:
            return np.bincount(group, weights=values, minlength=len(present))
    else:
        present, inverse = np.unique(keys, return_inverse=True)
        counts = np.bincount(inverse)

        def summed(values: np.ndarray) -> np.ndarray:
            return np.bincount(inverse, weights=values)

    if weights is None:
        return present, counts, None, None
    known = ~np.isnan(weights)
    if known.all():  # every amount given (the usual log): each group's known count is its count
        return present, counts, summed(weights), counts.astype(float)
    return present, counts, summed(np.where(known, weights, 0.0)), summed(known.astype("float64"))


def _month_starts(first_month: int, months: int) -> np.ndarray:
    """Return the first instants (``datetime64[ns]``) of ``months`` months from ``first_month`` (since 1970-01).

    A row's month is then one lookup: the calendar is computed for the few months, not per row.
    """
    return (first_month + np.arange(months)).astype("datetime64[M]").astype("datetime64[ns]")


def activity_from_codes(
    customer: np.ndarray,
    month: np.ndarray,
    channel: np.ndarray,
    amount: np.ndarray | None,
    ids: pd.Series,
) -> pd.DataFrame:
    """Return the activity contract from per-transaction codes: one row per customer × month × channel.

    Parameters
    ----------
    customer : numpy.ndarray
        int64 position of each transaction's id in ``ids`` (sorted ids give sorted output).
    month : numpy.ndarray
        int64 months since January 1970.
    channel : numpy.ndarray
        int64 position in ``CHANNELS``.
    amount : numpy.ndarray or None
        float64 amounts (NaN missing); summed, missing when none in the group is known.
    ids : pandas.Series
        Distinct customer ids.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``month``, ``channel``, ``transactions`` and ``amount`` (if given),
        sorted by customer, month and channel.
    """
    columns = ["customer_id", "month", "channel", "transactions"] + (["amount"] if amount is not None else [])
    if len(customer) == 0:
        empty = {
            "customer_id": pd.Series([], dtype="string"),
            "month": pd.Series([], dtype="datetime64[ns]"),
            "channel": pd.Series([], dtype=channel_dtype()),
            "transactions": pd.Series([], dtype="int64"),
            "amount": pd.Series([], dtype="float64"),
        }
        return pd.DataFrame({name: empty[name] for name in columns})
    first_month = int(month.min())
    months = int(month.max()) - first_month + 1
    width = len(CHANNELS)
    keys = _month_channel_keys(customer, months, month - first_month, width, channel)
    present, counts, sums, seen = _group_counts(keys, len(ids) * months * width, amount)
    channel_of, rest = np.divmod(present, width)[::-1]
    customer_of, month_of = np.divmod(rest, months)
    frame = {  # new arrays, handed over without the copies pandas makes by default
        "customer_id": ids.iloc[customer_of].reset_index(drop=True).astype("string"),
        "month": pd.Series(_month_starts(first_month, months)[month_of], copy=False),
        "channel": pd.Series(pd.Categorical.from_codes(channel_of, dtype=channel_dtype()), copy=False),
        "transactions": pd.Series(counts.astype("int64", copy=False), copy=False),
    }
    if amount is not None:
        frame["amount"] = pd.Series(np.where(seen > 0, sums, np.nan), dtype="float64", copy=False)
    return pd.DataFrame(frame, copy=False)


def _month_channel_keys(
    customer: np.ndarray, months: int, month: np.ndarray, width: int, place: np.ndarray
) -> np.ndarray:
    """Return ``(customer * months + month) * width + place`` per row, in one int64 array (no temporaries)."""
    keys = customer.astype("int64")  # a new array, then worked on in place
    keys *= months
    keys += month
    keys *= width
    keys += place
    return keys


def location_activity_from_codes(
    customer: np.ndarray, month: np.ndarray, place: np.ndarray, places: pd.Series, ids: pd.Series
) -> pd.DataFrame:
    """Return transactions per customer, month and location, for a log that names no channel.

    Parameters
    ----------
    customer, month : numpy.ndarray
        As ``activity_from_codes``.
    place : numpy.ndarray
        int64 position of each transaction's location in ``places`` (-1: none; left out).
    places, ids : pandas.Series
        Distinct locations and customer ids.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``month``, ``branch`` (the location) and ``transactions``, sorted by customer, month and
        location. The channel is not in the file, so these are all transactions, never counter visits.

    Examples
    --------
    >>> codes = np.array([0, 0, 1])
    >>> location_activity_from_codes(codes, np.array([660, 660, 661]), np.array([1, 1, -1]),
    ...                              pd.Series(["East", "West"]), pd.Series(["A", "B"]))
      customer_id      month branch  transactions
    0           A 2025-01-01   West             2
    """
    known = place >= 0
    customer, month, place = customer[known], month[known], place[known]
    if len(customer) == 0:
        return pd.DataFrame(
            {
                "customer_id": pd.Series([], dtype="string"),
                "month": pd.Series([], dtype="datetime64[ns]"),
                "branch": pd.Series([], dtype="string"),
                "transactions": pd.Series([], dtype="int64"),
            }
        )
    first_month = int(month.min())
    months = int(month.max()) - first_month + 1
    width = len(places)
    keys = _month_channel_keys(customer, months, month - first_month, width, place)
    present, counts, _, _ = _group_counts(keys, len(ids) * months * width)
    place_of, rest = present % width, present // width
    month_of, customer_of = rest % months, rest // months
    return pd.DataFrame(
        {
            "customer_id": ids.iloc[customer_of].reset_index(drop=True).astype("string"),
            "month": pd.Series(_month_starts(first_month, months)[month_of]),
            "branch": places.iloc[place_of].reset_index(drop=True).astype("string"),
            "transactions": pd.Series(counts.astype("int64")),
        }
    )


def _most_frequent(
    customer: np.ndarray, place: np.ndarray, places: int, customers: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return each customer's place with most transactions (ties: lowest code) and that count (-1/0 for none)."""
    known = place >= 0
    keys = customer[known] * places + place[known]
    present, counts, _, _ = _group_counts(keys, customers * places)
    owner, where = present // places, present % places
    score = counts * places + (places - 1 - where)  # more transactions first, then the lower code
    best_score = pd.Series(score).groupby(owner).max()
    chosen = np.full(customers, -1, dtype="int64")
    count = np.zeros(customers, dtype="int64")
    chosen[best_score.index.to_numpy()] = places - 1 - best_score.to_numpy() % places
    count[best_score.index.to_numpy()] = best_score.to_numpy() // places
    return chosen, count


def _last_known(customer: np.ndarray, seconds: np.ndarray, values: np.ndarray, customers: int):
    """Return each customer's value at the latest transaction that has one (file order breaks ties), and its time."""
    known = np.flatnonzero(~np.isnan(values))
    result = np.full(customers, np.nan)
    when = np.full(customers, np.iinfo("int64").min, dtype="int64")
    if len(known) == 0:
        return result, when
    owner = customer[known]
    np.maximum.at(when, owner, seconds[known])  # each customer's latest time with a balance
    latest = known[seconds[known] == when[owner]]
    row = np.full(customers, -1, dtype="int64")
    np.maximum.at(row, customer[latest], latest)  # at that time, the last row in the file
    has = row >= 0
    result[has] = values[row[has]]
    return result, when


# ---------------------------------------------------------------------------------------------------- the log


@dataclass(frozen=True)
class TransactionLog:
    """What one transaction log loads into.

    Attributes
    ----------
    activity : pandas.DataFrame or None
        The activity contract (None without a channel column).
    customers : pandas.DataFrame
        Per distinct customer id: ``customer_id``, ``branch`` (missing without location or
        branch column), ``branch_transactions``, ``aum`` (last recorded balance, NaN when none)
        and ``last_balance_at`` (seconds since 1970 of that balance).
    report : TableReport
        The file's report (table "activity").
    place_column, balance_column : str or None
        The columns read as branch and as the value measure.
    location_activity : pandas.DataFrame or None
        Without a channel column but with a location (or branch) column: ``location_activity_from_codes``,
        transactions per customer, month and location. None otherwise.
    """

    activity: pd.DataFrame | None
    customers: pd.DataFrame
    report: TableReport
    place_column: str | None = None
    balance_column: str | None = None
    location_activity: pd.DataFrame | None = None

    def activity_table(self) -> pd.DataFrame:
        """Return the activity, or an empty activity frame when the log has no channel column."""
        if self.activity is not None:
            return self.activity
        nothing = np.empty(0, dtype="int64")
        return activity_from_codes(nothing, nothing, nothing, None, pd.Series([], dtype="string"))


class _Rejections:
    """First reason per row, counted with examples; never leaves this module."""

    def __init__(self, raw: RawTable) -> None:
        self.raw = raw
        self.code = np.zeros(len(raw.frame), dtype="int16")
        self.reasons: list[Message] = []

    def reject(self, mask: np.ndarray, reason: Message) -> None:
        mask = np.asarray(mask, dtype=bool) & (self.code == 0)
        if mask.any():
            if reason not in self.reasons:
                self.reasons.append(reason)
            self.code[mask] = self.reasons.index(reason) + 1

    @property
    def kept(self) -> np.ndarray:
        return self.code == 0

    def issues(self) -> tuple[Issue, ...]:
        found: dict[Message, tuple[int, list[Example]]] = {}
        for row in self.raw.rejected:
            count, examples = found.get(row.reason, (0, []))
            if len(examples) < EXAMPLES_KEPT:
                examples.append(Example(row.row, row.text))
            found[row.reason] = (count + 1, examples)
        totals = np.bincount(self.code, minlength=len(self.reasons) + 1)
        for number, reason in enumerate(self.reasons, start=1):
            count, examples = found.get(reason, (0, []))
            room = max(EXAMPLES_KEPT - len(examples), 0)
            positions = np.flatnonzero(self.code == number)[:room]
            texts = raw_row_text(self.raw, positions)
            examples += [Example(int(self.raw.row_numbers[p]), t) for p, t in zip(positions, texts, strict=True)]
            found[reason] = (count + int(totals[number]), examples)
        return tuple(
            Issue(reason, count, tuple(sorted(examples, key=lambda e: e.row)))
            for reason, (count, examples) in found.items()
        )


def _numbers(raw: RawTable, column: str, name: str, options: LoadOptions, failures: list, notes: list) -> np.ndarray:
    values = raw.frame[column]
    if pd.api.types.is_float_dtype(values):  # read as numbers (``transaction_rows``): nan cells counted there
        numbers, failed = values.to_numpy(dtype="float64", na_value=np.nan), None
        count = dict(raw.nan_cells).get(column, 0)
    else:
        numbers = _plain_numbers(values)
        if numbers is None:
            parsed, failed = parse_numbers(values, options.parentheses_negative)
            numbers, failed = parsed.to_numpy(dtype="float64"), failed.to_numpy(dtype=bool)
        else:
            failed = None
        count = nan_literals(values)
    if failed is not None and failed.any():
        positions = np.flatnonzero(failed)[:EXAMPLES_KEPT]
        examples = tuple(Example(int(raw.row_numbers[p]), str(values.iloc[p])) for p in positions)
        failures.append(Issue(column, int(failed.sum()), examples, field=name, rule=EXPECTED_KIND["float"]))
    if count:
        notes.append(nan_note(column, count))
    return numbers


def _plain_numbers(values: pd.Series) -> np.ndarray | None:
    """Return the column as float64 when every cell is empty, ``nan`` or a plain finite number, else None.

    Arrow's cast does this in one pass; anything else (1,234, 万, ¥, accounting negatives, NA markers)
    goes through ``values.parse_numbers``, which gives the same numbers for plain cells.
    """
    if not pd.api.types.is_string_dtype(values):
        return None
    text = _arrow_text(values)
    blank = pa_compute.or_(pa_compute.equal(text, ""), pa_compute.is_in(text, _NAN_SPELLINGS.cast(text.type)))
    try:
        numbers = pa_compute.cast(pa_compute.if_else(blank, pa.scalar(None, text.type), text), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    result = np.asarray(numbers.to_numpy(zero_copy_only=False), dtype="float64")
    return None if np.isinf(result).any() or np.isnan(result[~np.asarray(numbers.is_null())]).any() else result


def transaction_rows(preview: Preview, mapping: Mapping) -> RawTable:
    """Return every row of a transaction log, its date, amount and balance typed by the reader where they can be.

    A text file's reader (Arrow) parses an ISO 8601 date column as date-times and the amount and
    balance as numbers (a ``nan`` cell counted), in parallel and without a text copy; a column
    with any other cell (``05/03/2024``, ``1,234``, ``¥5``) is read as text and goes through
    ``transaction_dates`` / ``values.parse_numbers`` as before, so the result is the same.
    """
    others = transaction_columns([c for c in preview.columns if c not in mapping.fields])
    numbers = {mapping.column_for("amount"), others.get("balance")} - {None}
    dates = {mapping.column_for(EVENT_DATE)} - {None}
    return read_rows(preview, frozenset(numbers), frozenset(dates), nan_as_number=True)


def transaction_log(
    raw: RawTable,
    mapping: Mapping,
    options: LoadOptions = DEFAULT_OPTIONS,
    customers_given: bool = False,
) -> TransactionLog:
    """Return the activity, the per-customer summary and the report of one transaction log.

    Parameters
    ----------
    raw : RawTable
        Every row, as ``transaction_rows`` reads them (or ``read_rows``, all columns as text).
    mapping : Mapping
        An activity mapping with ``customer_id`` and ``event_date`` (``transaction_mapping``);
        ``channel`` and ``amount`` optional. Location, branch and balance columns are found by header.
    options : LoadOptions
        Date order and accounting negatives.
    customers_given : bool
        A customers file is part of the load. Then a log with neither a channel nor a location adds
        nothing, and its rows are rejected with the reason "no channel column" instead of feeding
        derived customers. A log with a location still gives its transactions by location (the loader
        keeps those of the customers the customers file lists).

    Raises
    ------
    LoadError
        No column is mapped to the customer id or the transaction date.
    """
    frame = raw.frame
    for column in mapping.fields:
        if column not in frame.columns:
            raise unknown_column(raw.preview.name, column, frame.columns)
    id_column = mapping.column_for("customer_id")
    date_column = mapping.column_for(EVENT_DATE)
    if id_column is None:
        raise missing_field(raw.preview.name, raw.frame.columns, "customer_id")
    if date_column is None:
        raise missing_field(raw.preview.name, raw.frame.columns, EVENT_DATE)
    channel_column, amount_column = mapping.column_for("channel"), mapping.column_for("amount")
    others = transaction_columns([c for c in frame.columns if c not in mapping.fields])
    place_column = others.get("branch") or others.get("location")
    located = None
    balance_column = others.get("balance")
    rejections = _Rejections(raw)
    notes: list = list(raw.preview.warnings)  # sentences and catalog messages (the encoding's)
    failures: list[Issue] = []
    typed_format = "YYYY-MM-DD" if raw.preview.format == "text" else "date-time"  # typed by the CSV reader: ISO
    with ThreadPoolExecutor(max_workers=2) as pool:  # Arrow encodes without the GIL: two text columns at a time
        text_columns = [c for c in (id_column, channel_column, place_column) if c is not None]
        encoding = {column: pool.submit(column_spellings, frame[column]) for column in text_columns}
        blank = blank_rows(frame)  # meanwhile, on this thread
        order = mapping.date_order or options.date_order
        dates = transaction_dates(frame[date_column], order, typed_format=typed_format)
        spelled = {column: future.result() for column, future in encoding.items()}
    rejections.reject(blank, BLANK_LINE)
    ids = sorted_codes(spelled[id_column])
    customer, distinct = ids.codes, ids.distinct
    rejections.reject(customer < 0, Message("load_reason_missing", field="customer_id"))
    if ids.nan_cells:
        notes.append(nan_note(id_column, ids.nan_cells))
    rejections.reject(dates.missing, Message("load_reason_missing_date"))
    rejections.reject(dates.invalid, Message("load_reason_invalid_date"))
    rejections.reject(dates.placeholder, Message("load_reason_placeholder_date"))
    notes += date_notes(date_column, dates)
    channel = None
    if channel_column is not None:
        channel, unknown = _channel_codes(spelled[channel_column])
        rejections.reject(unknown, Message("load_reason_unknown_channel"))
        rejections.reject(channel < 0, Message("load_reason_missing", field="channel"))
    elif customers_given and place_column is None:  # neither how nor where: nothing to add to the customers file
        rejections.reject(np.ones(len(frame), dtype=bool), Message("load_reason_no_channel_column"))
    amount = _numbers(raw, amount_column, "amount", options, failures, notes) if amount_column else None
    balance = _numbers(raw, balance_column, "balance", options, failures, notes) if balance_column else None
    kept = rejections.kept
    rows = slice(None) if kept.all() else kept  # the usual log keeps every row: then no array is copied
    used = np.bincount(customer[rows], minlength=len(distinct)) > 0  # ids of rejected rows only: not customers
    if not used.all():
        customer = np.where(kept, np.cumsum(used)[np.maximum(customer, 0)] - 1, -1)
        distinct = distinct[used].reset_index(drop=True)
    month = dates.months
    activity = None
    if channel is not None:
        activity = activity_from_codes(
            customer[rows], month[rows], channel[rows], amount[rows] if amount is not None else None, distinct
        )
        notes.append(
            Message("load_transactions_to_activity", transactions=Count(int(kept.sum())), rows=Count(len(activity)))
        )
    else:
        notes.append(Message("load_no_channel_column"))
    summary = pd.DataFrame({"customer_id": distinct})
    places = None
    if place_column is not None:
        place_codes = sorted_codes(spelled[place_column], kept)
        place, places = place_codes.codes, place_codes.distinct
        if place_codes.nan_cells:
            notes.append(nan_note(place_column, place_codes.nan_cells))
        chosen, chosen_count = _most_frequent(customer[rows], place[rows], len(places), len(distinct))
        if channel is None:  # where, not how: all transactions by location and month (no channel invented)
            located = location_activity_from_codes(customer[rows], month[rows], place[rows], places, distinct)
            notes.append(
                Message(
                    "load_transactions_by_location", transactions=Count(int(located["transactions"].sum())),
                    rows=Count(len(located)), column=place_column, unplaced=Count(int((place[rows] < 0).sum())),
                )
            )  # fmt: skip
        summary["branch"] = pd.Series(
            np.where(chosen >= 0, places.to_numpy()[np.maximum(chosen, 0)], None), dtype="string"
        )
        summary["branch_transactions"] = chosen_count
    else:
        summary["branch"] = pd.Series(pd.NA, index=summary.index, dtype="string")
        summary["branch_transactions"] = 0
    if balance is not None:
        last, when = _last_known(customer[rows], dates.seconds[rows], balance[rows], len(distinct))
        summary["aum"], summary["last_balance_at"] = last, when
    else:
        summary["aum"] = np.nan
        summary["last_balance_at"] = np.iinfo("int64").min
    out_of_range = []
    if balance is not None:
        negative = kept & (balance < 0)
        if negative.any():
            positions = np.flatnonzero(negative)[:EXAMPLES_KEPT]
            cells = frame[balance_column].iloc[positions]
            examples = tuple(
                Example(int(raw.row_numbers[p]), cell_text(c)) for p, c in zip(positions, cells, strict=True)
            )
            out_of_range.append(
                Issue(balance_column, int(negative.sum()), examples, field="balance", rule=NOT_NEGATIVE)
            )
    issues = rejections.issues()
    preview = raw.preview
    applied = Mapping(
        table="activity",
        columns=mapping.columns,
        encoding=preview.encoding,
        delimiter=preview.delimiter,
        sheet=preview.sheet,
        date_order=mapping.date_order,
    )
    used = set(mapping.fields) | {c for c in (place_column, balance_column) if c}
    derived = ("month", "transactions") if channel is not None else ()
    report = TableReport(
        file_name=preview.name,
        table="activity",
        format=preview.format,
        encoding=preview.encoding,
        delimiter=preview.delimiter,
        sheet=preview.sheet,
        sheet_names=preview.sheet_names,
        mapping=applied,
        rows_read=raw.rows_read,
        rows_loaded=int(kept.sum()),
        rows_rejected=sum(issue.count for issue in issues),
        rows_output=0 if activity is None else len(activity),
        rejections=issues,
        parse_failures=tuple(failures),
        out_of_range=tuple(out_of_range),
        duplicate_policy=options.duplicate_policy,
        derived_fields=derived,
        unmapped_columns=tuple(c for c in preview.columns if c not in used),
        warnings=tuple(notes),
        columns=tuple(preview.columns),
    )
    if report.rows_read != report.rows_loaded + report.rows_rejected:
        raise AssertionError(
            f"row counts do not reconcile: {report.rows_read} read, {report.rows_loaded} loaded, "
            f"{report.rows_rejected} rejected"
        )
    return TransactionLog(activity, summary, report, place_column, balance_column, located)


def _merged_summaries(parts: list[pd.DataFrame], activity_ids) -> pd.DataFrame:
    """Return one row per id over several logs' summaries and other files' ids: the branch with most
    transactions (ties: alphabetically first) and the latest balance, sorted by id."""
    parts = parts + [pd.DataFrame({"customer_id": pd.Series(ids.unique()).astype("string")}) for ids in activity_ids]
    summary = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"customer_id": []})
    summary = summary.dropna(subset=["customer_id"])
    for name, default in (("branch", pd.NA), ("branch_transactions", 0), ("aum", np.nan)):
        if name not in summary.columns:
            summary[name] = default
    summary["branch_transactions"] = summary["branch_transactions"].fillna(0)
    if "last_balance_at" not in summary.columns:
        summary["last_balance_at"] = np.iinfo("int64").min
    summary["last_balance_at"] = summary["last_balance_at"].fillna(np.iinfo("int64").min)
    by_branch = summary.sort_values(
        ["customer_id", "branch_transactions", "branch"], ascending=[True, False, True], na_position="last"
    ).drop_duplicates("customer_id")
    with_balance = summary[summary["aum"].notna()]
    latest = with_balance.sort_values(["customer_id", "last_balance_at"], kind="stable").drop_duplicates(
        "customer_id", keep="last"
    )
    customers = by_branch[["customer_id", "branch"]].merge(latest[["customer_id", "aum"]], on="customer_id", how="left")
    return customers.sort_values("customer_id", kind="stable").reset_index(drop=True)


def derived_customers(
    logs: list[TransactionLog], activity_ids: list[pd.Series] = (), id_files: list[str] = ()
) -> tuple[pd.DataFrame, list[Message]]:
    """Return the customers table of a load without a customers file, and the warnings that say how it was made.

    One row per distinct id over the transaction logs (and any monthly activity or holdings ids,
    from the files ``id_files`` names): ``branch``
    where the customer made most transactions (over all logs; ties: alphabetically first),
    ``aum`` the last recorded balance (over all logs), missing when no log has a balance.

    Examples
    --------
    >>> ids = [pd.Series(["B2", "A1", "B2"], dtype="string")]
    >>> frame, notes = derived_customers([], ids)
    >>> frame["customer_id"].tolist(), bool(frame["aum"].isna().all())
    (['A1', 'B2'], True)
    """
    if len(logs) == 1 and not len(activity_ids):  # one log: its summary is already one row per id, in id order
        customers = logs[0].customers[["customer_id", "branch", "aum"]]
    else:
        customers = _merged_summaries([log.customers for log in logs], activity_ids)
    customers = pd.DataFrame(
        {
            "customer_id": customers["customer_id"].astype("string"),
            "aum": customers["aum"].astype("float64"),
            "branch": customers["branch"].astype("string"),
        }
    )
    sources = ", ".join([*(log.report.file_name for log in logs), *id_files])
    derived = Count(len(customers))
    notes = [
        Message("load_customers_derived", customers=derived, files=sources)
        if sources
        else Message("load_customers_derived_from_activity", customers=derived)
    ]
    places = sorted({log.place_column for log in logs if log.place_column})
    if places and customers["branch"].notna().any():
        notes.append(Message("load_branch_most_transactions", columns=" / ".join(repr(p) for p in places)))
    else:
        customers = customers.drop(columns=["branch"])
        notes.append(Message("load_no_branch_column"))
    balances = sorted({log.balance_column for log in logs if log.balance_column})
    unknown = int(customers["aum"].isna().sum())
    if balances and unknown < len(customers):
        columns = " / ".join(repr(b) for b in balances)
        notes.append(
            Message("load_aum_last_balance_some_unknown", columns=columns, customers=Count(unknown))
            if unknown
            else Message("load_aum_last_balance", columns=columns)
        )
    else:
        notes.append(Message("load_no_balance_column"))
    return customers, notes
