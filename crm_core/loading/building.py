"""From a raw table and a mapping to one canonical frame and its ``TableReport``.

Policies (documented in ``docs/loading.md``):

* A row is *rejected* when it cannot belong to the table: blank, ragged, no usable
  ``customer_id``, ``aum`` missing or not a number (customers), unknown channel or
  month (activity), no product (holdings).
* An unparseable value in an optional field becomes missing and is counted in
  ``parse_failures``; the row stays.
* Implausible values (negative balances, ages outside 16-110, risk levels outside 1-5,
  satisfaction outside 1-5, negative counts) are kept and counted in ``out_of_range``.
* Duplicate customer ids follow ``LoadOptions.duplicate_policy``.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pa_compute

from crm_core.contract import PRODUCTS, TABLES, VALUE_MEASURES, product_flag_column
from crm_core.dataset import channel_dtype
from crm_core.loading.errors import LoadError, missing_field, unknown_column
from crm_core.loading.mapping import (
    BIRTH_DATE,
    EVENT_DATE,
    MONTHLY_INCOME,
    SNAPSHOT_DATE,
    TENURE_YEARS,
    Mapping,
    normalised_header,
    product_of,
    value_measure_of,
)
from crm_core.loading.options import AMBIGUOUS_DATE_DEFAULT, DEFAULT_OPTIONS, LoadOptions
from crm_core.loading.reading import BLANK_LINE, RawTable, raw_row_text
from crm_core.loading.report import EXAMPLES_KEPT, Example, Issue, TableReport
from crm_core.loading.values import (
    churn_flags,
    dates_with_ambiguity,
    parse_booleans,
    parse_integers,
    parse_months,
    parse_numbers,
    parse_text,
    yymmdd_dates,
)
from crm_core.messages import Count, Message, Term

CHANNEL_WORDS: dict[str, tuple[str, ...]] = {
    "counter": ("counter", "柜面", "柜台", "网点", "branch", "teller", "over the counter"),
    "atm": ("atm", "自助", "自助设备", "自助银行", "self service", "kiosk"),
    "mobile": ("mobile", "手机银行", "手机", "app", "mobile banking", "mobile app", "掌上银行"),
    "online": ("online", "网上银行", "网银", "internet", "internet banking", "web", "online banking", "个人网银"),
    "phone": ("phone", "电话银行", "电话", "telephone", "call center", "call centre", "phone banking"),
}
"""Channel spellings (compared after ``normalised_header``) for each canonical channel."""

_CHANNEL_LOOKUP = {normalised_header(word): channel for channel, words in CHANNEL_WORDS.items() for word in words}


def channel_of(word: str) -> str | None:
    """Return the channel (a name of ``CHANNELS``) a cell such as 柜面 or "Mobile Banking" means, None if unknown.

    Examples
    --------
    >>> channel_of("柜面"), channel_of(" Mobile "), channel_of("信鸽")
    ('counter', 'mobile', None)
    """
    return _CHANNEL_LOOKUP.get(normalised_header(word))


MONEY_FIELDS: tuple[str, ...] = (
    "aum",
    "aum_avg_3m",
    "aum_avg_12m",
    "aum_12m_ago",
    "deposit_balance",
    "investment_balance",
    "loan_balance",
    "annual_contribution",
)
"""Balances summed by the ``"sum"`` duplicate policy and flagged when negative."""

NOT_NEGATIVE = Message("load_rule_not_negative")
"""The range rule of counts and balances."""

PLAUSIBLE_RANGES: dict[str, tuple[float, float, Message]] = {
    **{name: (0.0, np.inf, NOT_NEGATIVE) for name in MONEY_FIELDS},
    "annual_income": (0.0, np.inf, NOT_NEGATIVE),
    "credit_limit": (0.0, np.inf, NOT_NEGATIVE),
    "annual_spend": (0.0, np.inf, NOT_NEGATIVE),
    "age": (16, 110, Message("load_rule_between", low=16, high=110)),
    "risk_level": (1, 5, Message("load_rule_between", low=1, high=5)),
    "satisfaction": (1, 5, Message("load_rule_between", low=1, high=5)),
    "complaints_12m": (0, np.inf, NOT_NEGATIVE),
    "tenure_months": (0, np.inf, NOT_NEGATIVE),
    "num_products": (0, np.inf, NOT_NEGATIVE),
    "transactions": (0, np.inf, NOT_NEGATIVE),
    "balance": (0.0, np.inf, NOT_NEGATIVE),
}
"""Values outside these bounds are kept but flagged in ``out_of_range``."""

EXPECTED_KIND: dict[str, Message] = {
    "float": Message("load_expected_number"),
    "int": Message("load_expected_whole_number"),
    "bool": Message("load_expected_yes_no"),
    "date": Message("load_expected_date"),
    "month": Message("load_expected_month"),
    "string": Message("load_expected_text"),
}
"""The parse-failure rule of each contract dtype word (``field_kind``)."""

_DTYPES = {
    "string": "string",
    "float": "float64",
    "int": "Int64",
    "bool": "boolean",
    "date": "datetime64[ns]",
    "month": "datetime64[ns]",
}


def field_kind(table: str, name: str) -> str:
    """Return the contract dtype word of a field (``has_*`` flags are "bool", event dates "date")."""
    if name in (EVENT_DATE, SNAPSHOT_DATE, BIRTH_DATE):
        return "date"
    if name in (TENURE_YEARS, MONTHLY_INCOME):
        return "float"
    if name.startswith("has_"):
        return "bool"
    return next(f.dtype for f in TABLES[table] if f.name == name)


def numeric_fields_of(mapping: Mapping) -> frozenset[str]:
    """Return the file columns mapped to number fields (parsed by Arrow directly when clean)."""
    return frozenset(column for column, name in mapping.columns if field_kind(mapping.table, name) in ("float", "int"))


@dataclass
class _Tracker:
    """Mutable bookkeeping while one table is built; never leaves this module."""

    raw: RawTable
    parse_failures: list
    out_of_range: list
    warnings: list
    derived: list
    value_measure: str | None = None

    def __post_init__(self) -> None:
        # Each row's reason as a small code (0: kept) into ``reasons``: grouping a million rejected rows
        # by a code is one pass, by the reason messages themselves a Python hash call per row.
        self.codes = np.zeros(len(self.raw.frame), dtype="int16")
        self.reasons: list[Message] = []
        self._kept = np.ones(len(self.raw.frame), dtype=bool)

    def reject(self, mask: pd.Series | np.ndarray, reason: Message) -> None:
        mask = np.asarray(mask, dtype=bool) & self._kept
        if mask.any():
            if reason not in self.reasons:
                self.reasons.append(reason)
            self.codes[mask] = self.reasons.index(reason) + 1
            self._kept = self._kept & ~mask

    @property
    def kept(self) -> np.ndarray:
        return self._kept.copy()

    def cell_examples(self, mask: np.ndarray, cells: pd.Series) -> tuple[Example, ...]:
        positions = np.flatnonzero(mask)[:EXAMPLES_KEPT]
        return tuple(Example(int(self.raw.row_numbers[p]), str(cells.iloc[p])) for p in positions)

    def rejections(self) -> tuple[Issue, ...]:
        issues = {}
        for row in self.raw.rejected:
            count, examples = issues.get(row.reason, (0, []))
            if len(examples) < EXAMPLES_KEPT:
                examples.append(Example(row.row, row.text))
            issues[row.reason] = (count + 1, examples)
        rejected = np.flatnonzero(~self._kept)
        codes = self.codes[rejected]
        present, first = np.unique(codes, return_index=True)
        for code in present[np.argsort(first)]:  # reasons in the order their first row appears
            reason, positions = self.reasons[code - 1], rejected[codes == code]
            count, examples = issues.get(reason, (0, []))
            room = max(EXAMPLES_KEPT - len(examples), 0)
            texts = raw_row_text(self.raw, positions[:room])
            examples += [Example(int(self.raw.row_numbers[p]), t) for p, t in zip(positions[:room], texts, strict=True)]
            issues[reason] = (count + len(positions), examples)
        return tuple(
            Issue(reason, count, tuple(sorted(examples, key=lambda e: e.row)))
            for reason, (count, examples) in issues.items()
        )


def blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows where every cell is missing or empty text (a blank line)."""
    blank = np.ones(len(frame), dtype=bool)
    for column in frame.columns:
        values = frame[column]
        empty = np.array(values.isna(), dtype=bool)
        if pd.api.types.is_string_dtype(values):
            empty = empty | (values == "").fillna(False).to_numpy(dtype=bool)
        blank &= empty
        if not blank.any():
            break
    return blank


def _parse(
    table: str, name: str, values: pd.Series, options: LoadOptions, date_order: str
) -> tuple[pd.Series, pd.Series]:
    kind = field_kind(table, name)
    if kind == "string":
        return parse_text(values), pd.Series(False, index=values.index)
    if kind == "float":
        return parse_numbers(values, options.parentheses_negative)
    if kind == "int":
        return parse_integers(values, options.parentheses_negative)
    if kind == "bool":
        return parse_booleans(values)
    return parse_months(values, date_order)


def _flag_ranges(tracker: _Tracker, frame: pd.DataFrame, mapping: Mapping, kept: np.ndarray) -> None:
    for name, (low, high, rule) in PLAUSIBLE_RANGES.items():
        if name not in frame.columns:
            continue
        values = frame[name].astype("float64")
        outside = ((values < low) | (values > high)).fillna(False).to_numpy(dtype=bool) & kept
        if outside.any():
            column = mapping.column_for(name) or name
            tracker.out_of_range.append(
                Issue(column, int(outside.sum()), tracker.cell_examples(outside, frame[name]), field=name, rule=rule)
            )


def _column_reading(mapping: Mapping, name: str, values: pd.Series, options: LoadOptions, date_order: str) -> tuple:
    """Return one mapped column's parse, without touching the report (``_parsed_fields`` adds to it in order)."""
    if field_kind(mapping.table, name) == "date":
        return dates_with_ambiguity(values, date_order)
    if mapping.table == "customers" and name == "churned":
        return churn_flags(values, mapping.churn_values)
    return _parse(mapping.table, name, values, options, date_order)


def _parsed_fields(tracker: _Tracker, mapping: Mapping, options: LoadOptions, date_order: str) -> pd.DataFrame:
    frame = tracker.raw.frame
    parsed = {}
    for column, _ in mapping.columns:
        if column not in frame.columns:
            raise unknown_column(tracker.raw.preview.name, column, frame.columns)
    with ThreadPoolExecutor(max_workers=2) as pool:  # columns parse side by side (Arrow's kernels free the GIL)
        readings = [
            pool.submit(_column_reading, mapping, name, frame[column], options, date_order)
            for column, name in mapping.columns
        ]
        readings = [reading.result() for reading in readings]
    for (column, name), reading in zip(mapping.columns, readings, strict=True):
        values = frame[column]
        if field_kind(mapping.table, name) == "date":
            result, failed, ambiguous = reading
            if failed.any():
                result, failed = _with_yymmdd(tracker, column, values, result, failed)
        elif mapping.table == "customers" and name == "churned":
            result, failed, read = reading
            ambiguous = False
            if read:
                churned = ", ".join(repr(value) for value, flag in read.items() if flag) or "—"
                stayed = ", ".join(repr(value) for value, flag in read.items() if not flag) or "—"
                tracker.warnings.append(Message("load_churn_words_read", column=column, churned=churned, stayed=stayed))
            if mapping.churn_values:
                chosen = ", ".join(repr(v) for v in mapping.churn_values)
                tracker.warnings.append(Message("load_churn_values_chosen", column=column, values=chosen))
        else:
            result, failed = reading
            ambiguous = False
        if ambiguous:
            tracker.warnings.append(
                Message("load_dates_ambiguous", column=column, order=Term(f"date_order_{AMBIGUOUS_DATE_DEFAULT}"))
            )
        failed_array = failed.to_numpy(dtype=bool)
        if failed_array.any():
            rule = EXPECTED_KIND[field_kind(mapping.table, name)]
            if name == "churned" and mapping.table == "customers":
                rule = Message("load_expected_churn_words")
            tracker.parse_failures.append(
                Issue(
                    column,
                    int(failed_array.sum()),
                    tracker.cell_examples(failed_array, values),
                    field=name,
                    rule=rule,
                )
            )
            parsed[f"__failed__{name}"] = failed_array
        parsed[name] = result.reset_index(drop=True)
    return pd.DataFrame(parsed, index=pd.RangeIndex(len(frame)), copy=False)


def _with_yymmdd(
    tracker: _Tracker, column: str, values: pd.Series, dates: pd.Series, failed: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Read six-digit ``YYMMDD`` cells (``150312``) the date parser refused, and say so."""
    pivot = pd.Timestamp.today().year
    short = yymmdd_dates(values[failed], pivot)
    if short.notna().any():
        dates = dates.copy()
        dates[short.index] = short.where(short.notna(), dates[short.index])
        failed = failed & dates.isna()
        tracker.warnings.append(Message("load_dates_yymmdd", column=column, year=pivot))
    return dates, failed


def _require(tracker: _Tracker, parsed: pd.DataFrame, name: str) -> None:
    failed = parsed.get(f"__failed__{name}")
    if failed is not None:
        tracker.reject(failed, Message("load_reason_invalid", field=name))
    tracker.reject(parsed[name].isna().to_numpy(dtype=bool), Message("load_reason_missing", field=name))


def _missing_field_error(tracker: _Tracker, name: str, stand_ins: str | None = None) -> LoadError:
    return missing_field(tracker.raw.preview.name, tracker.raw.frame.columns, name, stand_ins)


def _ordered(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    names = [f.name for f in TABLES[table] if f.name in frame.columns]
    products = [product_flag_column(p) for p in PRODUCTS if product_flag_column(p) in frame.columns]
    others = sorted(c for c in frame.columns if c.startswith("has_") and c not in products)
    return frame[names + products + others].reset_index(drop=True)


def _full_years(born: pd.Series, reference: pd.Timestamp) -> pd.Series:
    years = reference.year - born.dt.year
    before_birthday = (born.dt.month > reference.month) | (
        (born.dt.month == reference.month) & (born.dt.day > reference.day)
    )
    return (years - before_birthday.astype("int64")).astype("Int64")


def _value_measure(tracker: _Tracker, parsed: pd.DataFrame, chosen: str | None) -> pd.DataFrame:
    """Let a value measure (credit limit, income, ...) stand in for a missing AUM column.

    A customer without that value keeps the row with a missing value (not assigned to a tier),
    never a rejection. A file with customer ids and no value measure at all loads too (issue 19:
    every table is optional except an id), every AUM missing, with the warning that says what is
    then n/a and how to have it; a file with neither an id column nor a value measure is refused
    (nothing identifies or measures its rows: a wrong delimiter, or not a customers file).
    """
    measure = chosen or value_measure_of(parsed.columns)
    if measure is None or measure not in parsed.columns:
        measures = ", ".join(m for m in VALUE_MEASURES if m != "aum")
        if "customer_id" not in parsed.columns:
            raise _missing_field_error(tracker, "aum", stand_ins=measures)
        tracker.warnings.append(Message("load_no_value_measure", measures=measures))
        return parsed.assign(aum=np.full(len(parsed), np.nan))
    tracker.value_measure = measure
    tracker.derived.append("aum")
    missing = int(parsed[measure].isna().sum())
    tracker.warnings.append(Message("load_stand_in_measure", measure=Term(f"measure_{measure}"), rows=Count(missing)))
    return parsed.assign(aum=parsed[measure].astype("float64"))


def _customers(
    tracker: _Tracker, parsed: pd.DataFrame, options: LoadOptions, reference: date | None, mapping: Mapping
) -> pd.DataFrame:
    if MONTHLY_INCOME in parsed.columns and "annual_income" not in parsed.columns:
        parsed = parsed.assign(annual_income=parsed[MONTHLY_INCOME].astype("float64") * 12)
        tracker.derived.append("annual_income")
        tracker.warnings.append(Message("load_monthly_income", column=mapping.column_for(MONTHLY_INCOME)))
    stand_in = "aum" not in parsed.columns
    if stand_in:
        parsed = _value_measure(tracker, parsed, mapping.value_measure)
    if "customer_id" not in parsed.columns:
        parsed["customer_id"] = pd.Series([f"ROW{number:06d}" for number in tracker.raw.row_numbers], dtype="string")
        tracker.derived.append("customer_id")
        tracker.warnings.append(Message("load_ids_generated"))
    _require(tracker, parsed, "customer_id")
    if not stand_in:
        _require(tracker, parsed, "aum")
    customers = parsed[[c for c in parsed.columns if not c.startswith("__failed__")]]
    if TENURE_YEARS in customers.columns and "tenure_months" not in customers.columns:
        years = customers[TENURE_YEARS].to_numpy(dtype="float64", na_value=np.nan)
        months = pd.array(np.round(years * 12), dtype="Float64").astype("Int64")
        customers = customers.assign(tenure_months=months)
        tracker.derived.append("tenure_months")
        column = mapping.column_for(TENURE_YEARS)
        tracker.warnings.append(Message("load_tenure_years", column=column))
    if "age" not in customers.columns and BIRTH_DATE in customers.columns:
        dated = [customers[c] for c in ("open_date", "closed_date", SNAPSHOT_DATE) if c in customers.columns]
        anchor = reference or options.as_of or (pd.concat(dated).max() if dated else None)
        if anchor is None or pd.isna(anchor):
            tracker.warnings.append(Message("load_age_not_derived"))
        else:
            customers = customers.assign(age=_full_years(customers[BIRTH_DATE], pd.Timestamp(anchor)))
            tracker.derived.append("age")
            tracker.warnings.append(Message("load_age_derived", day=str(pd.Timestamp(anchor).date())))
    return customers


def _distinct_ids(ids: pd.Series) -> bool:
    """Return True if no id repeats; ``ids`` holds no missing value (rows without an id are rejected)."""
    arrow = pa.array(ids.array)
    if len(arrow) < 2:
        return True
    # Extracts are usually sorted by customer number: strictly increasing ids are distinct, and
    # comparing neighbours costs a fraction of hashing them.
    if pa_compute.all(pa_compute.less(arrow.slice(0, len(arrow) - 1), arrow.slice(1))).as_py():
        return True
    return len(pa_compute.unique(arrow)) == len(arrow)


def _deduplicated(tracker: _Tracker, customers: pd.DataFrame, policy: str) -> tuple[pd.DataFrame, int]:
    kept = tracker.kept
    everything = bool(kept.all())
    if _distinct_ids(customers["customer_id"] if everything else customers["customer_id"][kept]):
        return (customers if everything else customers[kept]), 0
    ids = customers["customer_id"].where(kept)
    repeated = ids.duplicated(keep=False).to_numpy(dtype=bool) & kept
    duplicate_ids = int(ids[repeated].nunique())
    if not duplicate_ids:
        return customers[kept], 0
    if policy == "reject":
        tracker.reject(repeated, Message("load_reason_duplicate", policy=Term("policy_reject")))
        return customers[tracker.kept], duplicate_ids
    if policy == "keep_latest":
        order = np.arange(len(customers))
        if SNAPSHOT_DATE in customers.columns:
            # Latest snapshot first; a row without a snapshot date ranks below any dated one, ties by file order.
            snapshot = customers[SNAPSHOT_DATE].to_numpy(dtype="datetime64[ns]").astype("int64")
            snapshot = np.where(customers[SNAPSHOT_DATE].isna().to_numpy(), np.iinfo(np.int64).min, snapshot)
            order = np.lexsort((-order, -snapshot))
        else:
            order = order[::-1]
            tracker.warnings.append(Message("load_latest_by_file_order"))
        first_in_order = ids.iloc[order].duplicated(keep="first").to_numpy(dtype=bool)
        earlier = np.zeros(len(customers), dtype=bool)
        earlier[order] = first_in_order
        tracker.reject(earlier & kept, Message("load_reason_duplicate", policy=Term("policy_keep_latest")))
        return customers[tracker.kept], duplicate_ids
    if SNAPSHOT_DATE in customers.columns and policy != "keep_latest":
        tracker.warnings.append(
            Message(
                "load_snapshots_repeat",
                ids=Count(duplicate_ids),
                policy=Term(f"policy_{policy}"),
                latest=Term("policy_keep_latest"),
            )
        )
    later = ids.duplicated(keep="first").to_numpy(dtype=bool) & kept
    if policy == "keep_first":
        tracker.reject(later, Message("load_reason_duplicate", policy=Term("policy_keep_first")))
        return customers[tracker.kept], duplicate_ids
    money = [c for c in MONEY_FIELDS if c in customers.columns]
    sums = customers[repeated].groupby("customer_id", sort=False)[money].sum(min_count=1)
    result = customers[kept & ~later].set_index("customer_id", drop=False)
    result.loc[sums.index, money] = sums
    tracker.warnings.append(Message("load_duplicates_summed", ids=Count(duplicate_ids), fields=", ".join(money)))
    return result.reset_index(drop=True), duplicate_ids


def _channels(tracker: _Tracker, parsed: pd.DataFrame) -> pd.Series:
    text = parsed["channel"]
    uniques = text.dropna().unique()
    lookup = {value: channel_of(value) for value in uniques}
    channels = text.map(lookup)
    tracker.reject((text.notna() & channels.isna()).to_numpy(dtype=bool), Message("load_reason_unknown_channel"))
    return channels.astype(channel_dtype())


def _activity(tracker: _Tracker, parsed: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    if "customer_id" not in parsed.columns:
        raise _missing_field_error(tracker, "customer_id")
    if "channel" not in parsed.columns:
        raise _missing_field_error(tracker, "channel")
    event_level = "month" not in parsed.columns
    if event_level:
        if EVENT_DATE not in parsed.columns:
            raise _missing_field_error(tracker, "month")
        parsed["month"] = parsed[EVENT_DATE].to_numpy(dtype="datetime64[ns]").astype("datetime64[M]")
        parsed["month"] = parsed["month"].astype("datetime64[ns]")
        if f"__failed__{EVENT_DATE}" in parsed.columns:
            parsed["__failed__month"] = parsed[f"__failed__{EVENT_DATE}"]
    _require(tracker, parsed, "customer_id")
    _require(tracker, parsed, "month")
    parsed["channel"] = _channels(tracker, parsed)
    tracker.reject(parsed["channel"].isna().to_numpy(dtype=bool), Message("load_reason_missing", field="channel"))
    if "transactions" in parsed.columns:
        _require(tracker, parsed, "transactions")
    elif event_level:
        parsed["transactions"] = pd.Series(1, index=parsed.index, dtype="Int64")
        tracker.derived.append("transactions")
    else:
        raise _missing_field_error(tracker, "transactions")
    kept = parsed[tracker.kept]
    columns = ["customer_id", "month", "channel", "transactions"] + (["amount"] if "amount" in parsed.columns else [])
    grouped = kept[columns].groupby(["customer_id", "month", "channel"], observed=True, sort=True)
    aggregations = {"transactions": ("transactions", "sum")}
    if "amount" in columns:
        aggregations["amount"] = ("amount", lambda values: values.sum(min_count=1))
    activity = grouped.agg(**aggregations).reset_index()
    activity["customer_id"] = activity["customer_id"].astype("string")
    activity["month"] = activity["month"].astype("datetime64[ns]")
    activity["channel"] = activity["channel"].astype(channel_dtype())
    activity["transactions"] = activity["transactions"].astype("int64")
    if "amount" in activity.columns:
        activity["amount"] = activity["amount"].astype("float64")
    return activity, event_level


def _holdings(tracker: _Tracker, parsed: pd.DataFrame) -> pd.DataFrame:
    for name in ("customer_id", "product"):
        if name not in parsed.columns:
            raise _missing_field_error(tracker, name)
    _require(tracker, parsed, "customer_id")
    _require(tracker, parsed, "product")
    products = parsed["product"]
    uniques = products.dropna().unique()
    lookup = {
        value: product_of(value) or (re.sub(r"[\W_]+", "_", value.lower()).strip("_") or None) for value in uniques
    }
    parsed["product"] = products.map(lookup).astype("string")
    columns = [c for c in ("customer_id", "product", "balance", "open_date", "close_date") if c in parsed.columns]
    return parsed.loc[tracker.kept, columns].reset_index(drop=True)


def canonical_table(
    raw: RawTable,
    mapping: Mapping,
    options: LoadOptions = DEFAULT_OPTIONS,
    reference: date | None = None,
) -> tuple[pd.DataFrame, TableReport]:
    """Return the canonical frame of one file and its validation report.

    Parameters
    ----------
    raw : RawTable
        Rows read by ``read_rows``.
    mapping : Mapping
        Which column holds which field; ``mapping.table`` selects the table.
    options : LoadOptions
        Date order, duplicate policy, accounting negatives.
    reference : datetime.date or None
        Date ``tenure_months`` is counted to (customers only); see ``LoadOptions.as_of``.

    Raises
    ------
    LoadError
        When a field the table cannot do without is not mapped (``aum`` for customers).
    """
    date_order = mapping.date_order or options.date_order
    tracker = _Tracker(raw, [], [], list(raw.preview.warnings), [])
    tracker.reject(blank_rows(raw.frame), BLANK_LINE)
    parsed = _parsed_fields(tracker, mapping, options, date_order)
    duplicate_ids = 0
    if mapping.table == "customers":
        customers = _customers(tracker, parsed, options, reference, mapping)
        _flag_ranges(tracker, customers, mapping, tracker.kept)
        frame, duplicate_ids = _deduplicated(tracker, customers, options.duplicate_policy)
        frame = _ordered(frame, "customers")
    elif mapping.table == "activity":
        frame, event_level = _activity(tracker, parsed)
        _flag_ranges(tracker, parsed, mapping, tracker.kept)
        if event_level:
            tracker.derived.append("month")
            tracker.warnings.append(Message("load_counted_per_month"))
    else:
        frame = _holdings(tracker, parsed)
        _flag_ranges(tracker, parsed, mapping, tracker.kept)
    for name, dtype in (("customer_id", "string"),):
        if name in frame.columns:
            frame[name] = frame[name].astype(dtype)
    for column in frame.columns:
        if column in ("month", "channel", "transactions"):
            continue
        kind = field_kind(mapping.table, column) if column != "customer_id" else "string"
        frame[column] = frame[column].astype(_DTYPES[kind])
    rejections = tracker.rejections()
    rows_rejected = sum(issue.count for issue in rejections)
    preview = raw.preview
    applied = Mapping(
        table=mapping.table,
        columns=mapping.columns,
        encoding=preview.encoding,
        delimiter=preview.delimiter,
        sheet=preview.sheet,
        date_order=mapping.date_order,
        value_measure=tracker.value_measure,
        churn_values=mapping.churn_values,
    )
    report = TableReport(
        file_name=preview.name,
        table=mapping.table,
        format=preview.format,
        encoding=preview.encoding,
        delimiter=preview.delimiter,
        sheet=preview.sheet,
        sheet_names=preview.sheet_names,
        mapping=applied,
        rows_read=raw.rows_read,
        rows_loaded=int(tracker.kept.sum()),
        rows_rejected=rows_rejected,
        rows_output=len(frame),
        rejections=rejections,
        parse_failures=tuple(tracker.parse_failures),
        out_of_range=tuple(tracker.out_of_range),
        duplicate_ids=duplicate_ids,
        duplicate_policy=options.duplicate_policy,
        derived_fields=tuple(tracker.derived),
        unmapped_columns=tuple(c for c in preview.columns if c not in mapping.fields),
        warnings=tuple(tracker.warnings),
        columns=tuple(preview.columns),
    )
    if report.rows_read != report.rows_loaded + report.rows_rejected:
        raise AssertionError(
            f"row counts do not reconcile: {report.rows_read} read, {report.rows_loaded} loaded, "
            f"{report.rows_rejected} rejected"
        )
    return frame, report
