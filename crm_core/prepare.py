"""Per-dataset preparation: customer-level features and monthly channel aggregates.

Everything here runs once per dataset fingerprint; every view and every slider works on
its result. Activity is reduced with integer codes (customer position, month position,
channel code) and ``numpy.bincount``, never with string group-bys.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from crm_core.arrays import count_values
from crm_core.contract import CHANNELS, CUSTOMER_FIELDS, DIGITAL_CHANNELS, PLACE_NAME_FIELDS, product_flag_column
from crm_core.dataset import Dataset
from crm_core.definitions import opening_from_tenure, tenure_months

AGE_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 30, "<30"),
    (30, 40, "30-39"),
    (40, 50, "40-49"),
    (50, 60, "50-59"),
    (60, 70, "60-69"),
    (70, 200, "70+"),
)
"""Age bands: lower bound inclusive, upper bound exclusive, label."""

NO_UNIT = "(none)"
"""Branch, city or relationship manager of customers whose extract leaves it blank."""

CATEGORY_TEXT = tuple(f.name for f in CUSTOMER_FIELDS + PLACE_NAME_FIELDS if f.dtype == "string" and not f.required)
"""Prepared customers' text columns held as categories (every text field but the customer id).

A branch, city, manager or gender repeats across customers: as a category each customer holds a
small integer code (5M customers: 35 MB for the six text columns instead of 0.5 GB of strings).
"""

COUNT_COLUMNS = (
    *(f"{channel}_txn_{window}" for channel in CHANNELS for window in ("12m", "prev_12m")),
    "months_since_active",
    "products_held_12m_ago",
)
"""Prepared customers' count columns held as ``int32`` (``int64`` only if a value does not fit).

Transactions a year per channel, months since the last one, products held a year ago: 13 columns,
at 5M customers 260 MB less than as ``int64``. Sums over customers are taken in ``int64`` (numpy
and pandas widen a sum of ``int32``), so every total is the same.
"""

PREPARATION_REWRITES = frozenset(
    {
        "branch", "city", "relationship_manager", "churned", "tenure_months", "is_active", "alive_12m_ago",
        "alive_24m_ago", "closed_last_12m", "closed_prev_12m", "products_held", "products_held_12m_ago",
        "is_payroll", "aum_trend", "age_band", *CATEGORY_TEXT,
    }
)  # fmt: skip
"""Customer columns ``prepared_customers`` may write over (with every product flag, ``has_<product>``).

Every other column of the extract it keeps as it is: ``crm_core.filters.filtered_prepared`` takes those
from the prepared rows instead of cutting the extract a second time. ``tests/test_engine_prepare.py``
checks the rule against preparation on the edge banks.
"""


def rewritten_by_preparation(column: str) -> bool:
    """Whether preparation may change ``column`` of the extract's customers (``PREPARATION_REWRITES``)."""
    return column in PREPARATION_REWRITES or column.startswith(product_flag_column(""))


RECENT_MONTHS = 3
"""A customer is 'active' on a channel with a transaction in the last three months."""

CHANNEL_FLAGS: dict[str, tuple[str, ...]] = {
    "mobile_active": ("mobile",),
    "digital_active": DIGITAL_CHANNELS,
    "digital_active_12m_ago": DIGITAL_CHANNELS,
    "digital_share_12m": DIGITAL_CHANNELS,
}
"""Per-customer activity columns that say whether a customer used some channels (mobile, digital)."""


def unrecorded_channel_flags(monthly: pd.DataFrame | None) -> tuple[str, ...]:
    """Return the ``CHANNEL_FLAGS`` whose channels hold no transaction anywhere in the activity.

    An extract whose channel column never names a digital channel (a branch-and-ATM bank, the
    Berka set) does not record digital use, so "not mobile active" would be a fact invented for
    every customer: preparation leaves such a column out (on every engine), and every view's
    availability check then says it is not in the data instead of showing 0%.

    Parameters
    ----------
    monthly : pandas.DataFrame or None
        ``PreparedDataset.monthly_channels`` of the whole extract (``channel``, ``transactions``).

    Examples
    --------
    >>> grid = pd.DataFrame({"channel": ["counter", "atm", "mobile"], "transactions": [5, 2, 0]})
    >>> unrecorded_channel_flags(grid)
    ('mobile_active', 'digital_active', 'digital_active_12m_ago', 'digital_share_12m')
    >>> unrecorded_channel_flags(grid.assign(channel=["counter", "atm", "online"], transactions=[5, 2, 3]))
    ('mobile_active',)
    """
    if monthly is None or not len(monthly):
        return ()
    used = monthly.loc[monthly["transactions"].to_numpy() > 0, "channel"]
    recorded = {str(channel) for channel in pd.unique(used.astype("object"))}
    return tuple(flag for flag, channels in CHANNEL_FLAGS.items() if recorded.isdisjoint(channels))


@dataclass(frozen=True, eq=False)
class PreparedDataset:
    """What every view reads: one row per customer plus small monthly aggregates.

    Attributes
    ----------
    dataset : Dataset
        The source tables (for drill-downs and exports).
    customers : pandas.DataFrame
        One row per customer, positional index, canonical columns plus derived features:
        ``is_active``, ``products_held``, ``products_held_12m_ago``, ``aum_trend``,
        ``age_band``, ``tenure_months`` (``crm_core.definitions.tenure_months``, from ``open_date``
        whenever it is known), ``alive_12m_ago``, ``closed_last_12m``, ``closed_prev_12m``,
        ``alive_24m_ago``, and, with activity, ``<channel>_txn_12m``, ``<channel>_txn_prev_12m``,
        ``counter_trend``, ``digital_share_12m``, ``mobile_active``, ``digital_active``,
        ``digital_active_12m_ago``, ``months_since_active`` (the ``CHANNEL_FLAGS`` only when the
        extract records their channels: ``unrecorded_channel_flags``).
    monthly_channels : pandas.DataFrame or None
        ``month``, ``channel``, ``branch``, ``transactions``, ``active_customers``
        (customers with at least one transaction in that month, channel and branch).
    as_of : pandas.Timestamp
        The extract's reference month (first day): the last activity month, else the
        latest date in the customers table (a placeholder when ``dated`` is False).
    products : tuple of str
        Product names found (from ``has_<product>`` flags or the holdings table).
    orphan_activity_rows : int
        Activity rows whose customer is not in the customers table (left out, reported).
    models : crm_core.stored_models.StoredModels or None
        The models trained at preparation, when read from an artefact that stores them (see
        ``crm_core.stored_models``); None otherwise.
    """

    dataset: Dataset
    customers: pd.DataFrame
    monthly_channels: pd.DataFrame | None
    as_of: pd.Timestamp
    products: tuple[str, ...]
    orphan_activity_rows: int = 0
    notes: tuple[str, ...] = field(default=())
    dated: bool = True
    models: object | None = field(default=None, repr=False)

    @property
    def fingerprint(self) -> str:
        """The source dataset's fingerprint."""
        return self.dataset.fingerprint

    def has(self, column: str) -> bool:
        """Whether a customer column exists and is not entirely missing."""
        return column in self.customers.columns and bool(self.customers[column].notna().any())


def _days(values: np.ndarray) -> np.ndarray:
    """Days since 1970 of ``datetime64`` values, by integer division when none is missing.

    Examples
    --------
    >>> _days(np.array(["1969-12-31T23:00", "2026-10-01T00:00"], dtype="datetime64[us]")).tolist()
    [-1, 20727]
    """
    if values.dtype.kind == "M":
        unit, count = np.datetime_data(values.dtype)
        if unit in ("h", "m", "s", "ms", "us", "ns"):
            per_day = int(np.timedelta64(1, "D") // np.timedelta64(count, unit))
            integers = values.view(np.int64)
            if not (integers == np.iinfo(np.int64).min).any():  # no NaT: floor division is the calendar day
                return integers // per_day
    return values.astype("datetime64[D]").astype(np.int64)


def month_numbers(months: pd.Series | pd.DatetimeIndex | np.ndarray) -> np.ndarray:
    """Calendar months since January 1970 of datetime values (``int64``).

    Calendar arithmetic runs once per distinct day, then a lookup: far cheaper than per row
    on hundreds of millions of activity rows.

    Examples
    --------
    >>> month_numbers(np.array(["1970-01-31", "2026-10-01"], dtype="datetime64[ns]")).tolist()
    [0, 681]
    """
    days = _days(np.asarray(months))
    if len(days) == 0:
        return days
    first, last = days.min(), days.max()
    month_of_day = np.arange(first, last + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return month_of_day[days - first]


def _month_index(months: pd.Series | pd.DatetimeIndex, as_of: pd.Timestamp) -> np.ndarray:
    """Months before ``as_of`` (0 = the as-of month itself, 1 = the month before, …)."""
    return np.datetime64(as_of, "M").astype(np.int64) - month_numbers(months)


def customer_positions(customer_ids: pd.Series, ids: pd.Series) -> np.ndarray:
    """Row position in the customers table of each id in ``ids`` (-1 when unknown).

    A categorical ``ids`` (as the activity table is read from Parquet) is looked up once per
    category, not once per row: the difference between seconds and milliseconds at 50M rows.
    """
    index = pd.Index(customer_ids)
    if isinstance(ids.dtype, pd.CategoricalDtype):
        categories = ids.cat.categories
        if len(categories) == len(index) and categories.equals(index):  # the customers, in table order
            per_category = np.arange(len(index))
        else:
            per_category = index.get_indexer(categories)
        codes = ids.cat.codes.to_numpy()
        return np.where(codes >= 0, per_category[codes], -1)
    return index.get_indexer(ids)


def has_dates(dataset: Dataset) -> bool:
    """Whether the data says when it is from (activity months, or open or close dates)."""
    if dataset.activity is not None and len(dataset.activity):
        return True
    located = getattr(dataset, "location_activity", None)
    if located is not None and len(located):  # a log that says where, not how: its months date the extract
        return True
    return any(
        c in dataset.customers.columns and bool(dataset.customers[c].notna().any())
        for c in ("open_date", "closed_date")
    )


@dataclass(frozen=True)
class AsOfBoundaries:
    """The instants customer, holding and staff rules compare dates with, for one as-of month.

    One definition for the in-memory preparation, the engine rules (``engine_customers``), the staff
    indicators and the propensity features.

    Attributes
    ----------
    as_of : pandas.Timestamp
        First day of the reference month (``reference_month``).

    Examples
    --------
    >>> b = AsOfBoundaries(pd.Timestamp("2026-10-01"))
    >>> b.month_end, b.year_ago_end, b.holding_cutoff
    (Timestamp('2026-10-31 00:00:00'), Timestamp('2025-10-31 00:00:00'), Timestamp('2025-11-01 00:00:00'))
    """

    as_of: pd.Timestamp

    @property
    def month_end(self) -> pd.Timestamp:
        """Last day (midnight) of the as-of month."""
        return self.as_of + pd.offsets.MonthEnd(0)

    @property
    def year_ago_end(self) -> pd.Timestamp:
        """Last day of the month twelve months before the as-of month."""
        return self.as_of - pd.DateOffset(months=12) + pd.offsets.MonthEnd(0)

    @property
    def two_years_ago_end(self) -> pd.Timestamp:
        """Last day of the month 24 months before the as-of month."""
        return self.as_of - pd.DateOffset(months=24) + pd.offsets.MonthEnd(0)

    @property
    def holding_cutoff(self) -> pd.Timestamp:
        """First day of the same month a year earlier: a product held then counts a year ago."""
        return self.as_of - pd.DateOffset(months=11)


def reference_month(dataset: Dataset) -> pd.Timestamp:
    """Return the first day of the extract's last month.

    The last activity month when there is activity; otherwise the last month of transactions by
    location (a log without a channel); otherwise the latest open or close date in the customers
    table; otherwise the current month, as a placeholder the figures need: ``PreparedDataset.dated``
    is then False and no surface states it as the data's date.
    """
    if dataset.activity is not None and len(dataset.activity):
        return pd.Timestamp(dataset.activity["month"].max()).to_period("M").to_timestamp()
    located = getattr(dataset, "location_activity", None)
    if located is not None and len(located):
        return pd.Timestamp(located["month"].max()).to_period("M").to_timestamp()
    dates = [
        dataset.customers[c].max()
        for c in ("open_date", "closed_date")
        if c in dataset.customers.columns and dataset.customers[c].notna().any()
    ]
    latest = max(dates) if dates else pd.Timestamp.today()
    return pd.Timestamp(latest).to_period("M").to_timestamp()


def _product_flags(dataset: Dataset, as_of: pd.Timestamp) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Flags now and a year ago (the latter only when holdings carry open dates)."""
    customers = dataset.customers
    now: dict[str, np.ndarray] = {}
    year_ago: dict[str, np.ndarray] = {}
    for column in customers.columns:
        if column.startswith("has_"):
            now[column.removeprefix("has_")] = customers[column].fillna(False).to_numpy(dtype=bool)
    holdings = dataset.holdings
    if holdings is not None and len(holdings):
        position = customer_positions(customers["customer_id"], holdings["customer_id"])
        known = position >= 0
        codes, names = pd.factorize(holdings["product"][known], sort=True)
        held = np.zeros((len(customers), len(names)), dtype=bool)
        held[position[known], codes] = True
        if "close_date" in holdings.columns:  # a closed holding is not held now
            month_end = AsOfBoundaries(as_of).month_end
            open_now = (holdings["close_date"][known].isna() | (holdings["close_date"][known] > month_end)).to_numpy(
                bool
            )
            held = np.zeros_like(held)
            held[position[known][open_now], codes[open_now]] = True
        if "open_date" in holdings.columns:
            cutoff = AsOfBoundaries(as_of).holding_cutoff  # held at the start of the same month a year earlier
            then = (holdings["open_date"][known] < cutoff).fillna(False).to_numpy(dtype=bool)
            if "close_date" in holdings.columns:  # and not closed before then: products closed in the year count
                closed = holdings["close_date"][known]
                then = then & (closed.isna() | (closed >= cutoff)).to_numpy(dtype=bool)
            held_then = np.zeros_like(held)
            held_then[position[known][then], codes[then]] = True
        for code, product in enumerate(map(str, names)):
            now[product] = now.get(product, np.zeros(len(customers), dtype=bool)) | held[:, code]
            if "open_date" in holdings.columns:
                year_ago[product] = held_then[:, code]
    return now, year_ago


def _activity_features(
    dataset: Dataset, customers: pd.DataFrame, as_of: pd.Timestamp
) -> tuple[dict[str, np.ndarray], pd.DataFrame, int]:
    """Customer-level channel features and month × channel × branch aggregates (no blank branch in ``customers``)."""
    activity = dataset.activity
    n = len(customers)
    position = customer_positions(customers["customer_id"], activity["customer_id"])
    known = position >= 0
    orphans = int((~known).sum())
    months = np.asarray(activity["month"])
    channel = activity["channel"].cat.codes.to_numpy()
    transactions = activity["transactions"].to_numpy(dtype=np.int64)
    if orphans:  # only then copy every column without the orphan rows
        position, months, channel, transactions = position[known], months[known], channel[known], transactions[known]
    months_back = _month_index(months, as_of)
    n_channels = len(CHANNELS)

    # One pass over the rows: transactions per (band, customer, channel), the bands being months
    # back [.., 3), [3, 12), [12, 15), [15, 24) and older; the four windows are sums of bands.
    bounds = (RECENT_MONTHS, 12, 12 + RECENT_MONTHS, 24)
    band_of = np.searchsorted(bounds, np.arange(-1, 25), side="right")  # months back -1 .. 24
    flat = band_of[np.clip(months_back, -1, 24) + 1]
    flat *= n
    flat += position
    flat *= n_channels
    flat += channel
    bands = np.bincount(flat, weights=transactions, minlength=5 * n * n_channels).reshape(5, n, n_channels)
    del flat
    recent, year_ago_recent = bands[0], bands[2]
    last_12, prev_12 = bands[0] + bands[1], bands[2] + bands[3]

    features: dict[str, np.ndarray] = {}
    for code, name in enumerate(CHANNELS):
        features[f"{name}_txn_12m"] = count_values(last_12[:, code])
        features[f"{name}_txn_prev_12m"] = count_values(prev_12[:, code])
    digital = [CHANNELS.index(c) for c in DIGITAL_CHANNELS]
    counter = CHANNELS.index("counter")
    with np.errstate(divide="ignore", invalid="ignore"):
        features["counter_trend"] = np.where(
            prev_12[:, counter] > 0, last_12[:, counter] / prev_12[:, counter] - 1.0, np.nan
        )
        total_12 = last_12.sum(axis=1)
        features["digital_share_12m"] = np.where(total_12 > 0, last_12[:, digital].sum(axis=1) / total_12, np.nan)
    features["mobile_active"] = recent[:, CHANNELS.index("mobile")] > 0
    features["digital_active"] = recent[:, digital].sum(axis=1) > 0
    features["digital_active_12m_ago"] = year_ago_recent[:, digital].sum(axis=1) > 0
    last_seen = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(last_seen, position, months_back)
    features["months_since_active"] = count_values(np.where(last_seen == np.iinfo(np.int64).max, -1, last_seen))

    branch = customers["branch"].astype("category") if "branch" in customers else None
    # Every calendar month from the first to the as-of month, including months without rows.
    n_months = int(months_back.max()) + 1 if len(months_back) else 1
    month_values = pd.date_range(end=as_of, periods=n_months, freq="MS")
    month_codes = n_months - 1 - months_back
    branch_codes = branch.cat.codes.to_numpy()[position] if branch is not None else np.zeros(len(position), int)
    n_branches = len(branch.cat.categories) if branch is not None else 1
    cell = month_codes  # a fresh array: built up in place, no row-sized temporaries
    cell *= n_channels
    cell += channel
    cell *= n_branches
    cell += branch_codes
    size = n_months * n_channels * n_branches
    monthly_txn = np.bincount(cell, weights=transactions, minlength=size)
    active = np.bincount(cell[transactions > 0], minlength=size)
    grid = pd.MultiIndex.from_product(
        [month_values, list(CHANNELS), list(branch.cat.categories) if branch is not None else ["All"]],
        names=["month", "channel", "branch"],
    ).to_frame(index=False)
    grid["channel"] = pd.Categorical(grid["channel"], categories=list(CHANNELS))
    grid["branch"] = grid["branch"].astype("string")
    grid["transactions"] = monthly_txn.astype(np.int64)
    grid["active_customers"] = active.astype(np.int64)
    return features, grid, orphans


def age_band_labels() -> list[str]:
    """Labels of ``AGE_BANDS`` in order."""
    return [label for _, _, label in AGE_BANDS]


def in_memory(dataset: Dataset) -> Dataset:
    """The dataset with an opened artefact's activity and holdings read into memory (others as they are)."""
    if getattr(dataset, "activity_file", None) is None and getattr(dataset, "holdings_file", None) is None:
        return dataset
    from crm_core.artefact import loaded_activity, loaded_holdings  # the artefact module builds on this one

    return replace(
        dataset,
        activity=loaded_activity(dataset),
        holdings=loaded_holdings(dataset),
        activity_file=None,
        activity_rows=0,
        holdings_file=None,
        visit_cube_file=None,
        cube_columns=None,
    )


def prepared_dataset(dataset: Dataset) -> PreparedDataset:
    """Return the prepared dataset: features per customer and monthly channel aggregates.

    Parameters
    ----------
    dataset : Dataset
        Canonical tables. Not modified.

    Returns
    -------
    PreparedDataset
        See the class for the columns it adds.
    """
    dataset = in_memory(dataset)
    as_of = reference_month(dataset)
    customers, products = prepared_customers(dataset, as_of)
    monthly, orphans = None, 0
    if dataset.activity is not None and len(dataset.activity):
        features, monthly, orphans = _activity_features(dataset, customers, as_of)
        unrecorded = unrecorded_channel_flags(monthly)
        for name, values in features.items():
            if name not in unrecorded:
                customers[name] = values
    return PreparedDataset(
        dataset=dataset,
        customers=compact_customers(customers),
        monthly_channels=monthly,
        as_of=as_of,
        products=products,
        orphan_activity_rows=orphans,
        dated=has_dates(dataset),
    )


def text_categories(values: pd.Series) -> pd.Series:
    """A text column as a category of sorted text categories (missing stays missing). Idempotent.

    Examples
    --------
    >>> text_categories(pd.Series(["b", None, "a", "b"])).cat.categories.tolist()
    ['a', 'b']
    """
    if not isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype("string").astype("category")
    categories = values.cat.categories
    labels = categories.astype("str")
    ordered = labels.sort_values()
    if categories.dtype == ordered.dtype and categories.equals(ordered) and not values.cat.ordered:
        return values
    # Recode the few categories, not the rows (an Arrow dictionary comes in first-seen order).
    recode = np.append(ordered.get_indexer(labels), -1)  # a missing value's code -1 takes the last: -1
    codes = recode[values.cat.codes.to_numpy()]
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=ordered), index=values.index, name=values.name, copy=False
    )


def text_codes(values: pd.Series, missing: str | None = None) -> tuple[np.ndarray, pd.Index]:
    """Return ``pandas.factorize(values.astype("string").fillna(missing), sort=True)``, from a category's codes.

    Parameters
    ----------
    values : pandas.Series
        Text, or a category of text (``text_categories``): then no string is built (turning 5M
        category values into text takes 1.4 s).
    missing : str or None
        The label of a missing value; None: a missing value's code is -1.

    Returns
    -------
    codes : numpy.ndarray
        ``int64`` position of each value's label.
    labels : pandas.Index
        The labels present, sorted (``string`` dtype).

    Examples
    --------
    >>> codes, labels = text_codes(pd.Series(pd.Categorical(["b", None, "b"], categories=["a", "b", "c"])), "?")
    >>> codes.tolist(), labels.tolist()
    ([1, 0, 1], ['?', 'b'])
    """
    if not isinstance(values.dtype, pd.CategoricalDtype):
        text = values.astype("string")
        codes, labels = pd.factorize(text if missing is None else text.fillna(missing), sort=True)
        return codes.astype(np.int64, copy=False), pd.Index(labels, dtype="string")
    codes = values.cat.codes.to_numpy()
    seen = np.bincount(codes.astype(np.int64) + 1, minlength=len(values.cat.categories) + 1) > 0  # [0]: missing
    present = np.flatnonzero(seen[1:])
    names = [str(values.cat.categories[i]) for i in present]
    if missing is not None and seen[0] and missing not in names:
        names.append(missing)
    order = np.argsort(np.array(names, dtype=object), kind="stable")
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    lookup = np.full(len(values.cat.categories) + 1, -1, dtype=np.int64)  # a missing value's code -1 reads [-1]
    lookup[present] = rank[: len(present)]
    if missing is not None and seen[0]:
        lookup[-1] = rank[names.index(missing)]
    return lookup[codes], pd.Index([names[i] for i in order], dtype="string")


def compact_customers(customers: pd.DataFrame) -> pd.DataFrame:
    """Return prepared customers with ``CATEGORY_TEXT`` as ``text_categories`` and ``COUNT_COLUMNS`` as
    ``count_values`` (in place). Idempotent: an artefact's customers are restored through it too."""
    for column in CATEGORY_TEXT:
        if column in customers:
            customers[column] = text_categories(customers[column])
    for column in COUNT_COLUMNS:
        if column in customers:
            customers[column] = count_values(customers[column].to_numpy())
    return customers


def prepared_customers(dataset: Dataset, as_of: pd.Timestamp) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Return the customers with every feature but the activity ones, and the products found.

    The activity features come after, from ``_activity_features`` (in memory) or
    ``crm_core.engine_prepare`` (DuckDB, Spark): this step needs the customers and holdings only.

    Parameters
    ----------
    dataset : Dataset
        Canonical tables; the activity is not read. Not modified.
    as_of : pandas.Timestamp
        First day of the reference month (``reference_month``).

    Returns
    -------
    (pandas.DataFrame, tuple of str)
        A new customers frame (blank units named ``NO_UNIT``, closures, tenure, alive flags,
        product flags and counts, AUM trend, age band) and the sorted product names.
    """
    boundaries = AsOfBoundaries(as_of)
    month_end, year_ago_end, two_years_ago_end = (
        boundaries.month_end,
        boundaries.year_ago_end,
        boundaries.two_years_ago_end,
    )
    customers = dataset.customers.copy()
    n = len(customers)
    for column in ("branch", "city", "relationship_manager"):
        # A blank unit is a unit of its own, so every customer and transaction is counted somewhere.
        if column in customers and customers[column].isna().any():
            customers[column] = customers[column].astype("string").fillna(NO_UNIT)

    closed = customers["closed_date"] if "closed_date" in customers else pd.Series(pd.NaT, index=customers.index)
    churned = customers["churned"].fillna(False) if "churned" in customers else closed.notna()
    if "churned" in customers or "closed_date" in customers:
        customers["churned"] = churned.astype("boolean")
    customers["is_active"] = ~churned.to_numpy(dtype=bool)
    if "open_date" in customers:
        opened = customers["open_date"]
        # One definition of tenure: an extract's own tenure column gives way to the open date.
        customers["tenure_months"] = tenure_months(opened, as_of)
    elif "tenure_months" in customers:
        opened = opening_from_tenure(customers["tenure_months"], as_of)
    else:
        opened = pd.Series(pd.NaT, index=customers.index)
    open_then = opened.isna() | (opened <= year_ago_end)
    customers["alive_12m_ago"] = (open_then & (closed.isna() | (closed > year_ago_end))).to_numpy(dtype=bool)
    customers["alive_24m_ago"] = (
        (opened.isna() | (opened <= two_years_ago_end)) & (closed.isna() | (closed > two_years_ago_end))
    ).to_numpy(dtype=bool)
    customers["closed_last_12m"] = ((closed > year_ago_end) & (closed <= month_end)).fillna(False).to_numpy(bool)
    customers["closed_prev_12m"] = (
        ((closed > two_years_ago_end) & (closed <= year_ago_end)).fillna(False).to_numpy(bool)
    )

    flags, flags_year_ago = _product_flags(dataset, as_of)
    products = tuple(sorted(flags))
    for product in products:
        customers[product_flag_column(product)] = flags[product]
    if products:
        customers["products_held"] = np.sum([flags[p] for p in products], axis=0).astype(np.int64)
    if "num_products" in customers:
        # The file's own product count covers products it has no flag for (NumOfProducts 1.54 against 1.26
        # counted from one card flag): it wins wherever it is given; the flags count fills the blanks.
        stated = customers["num_products"].astype("float").to_numpy()
        counted = customers["products_held"].to_numpy(dtype=float) if products else np.full(len(stated), np.nan)
        customers["products_held"] = np.where(np.isnan(stated), counted, stated)
    if flags_year_ago and len(flags_year_ago) == len(products):
        customers["products_held_12m_ago"] = count_values(np.sum([flags_year_ago[p] for p in products], axis=0))
    if "is_payroll" not in customers and "payroll_service" in flags:
        # Paid here when the payroll flag says so or the holdings hold the service; a blank flag
        # with nothing held is not known (not "no"): payroll shares count the customers known.
        payroll = pd.array(flags["payroll_service"], dtype="boolean")
        if "has_payroll_service" in dataset.customers:
            blank = dataset.customers["has_payroll_service"].isna().to_numpy(dtype=bool)
            payroll[blank & ~flags["payroll_service"]] = pd.NA
        customers["is_payroll"] = payroll

    if "aum_12m_ago" in customers:
        before = customers["aum_12m_ago"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            customers["aum_trend"] = np.where(before > 0, customers["aum"].to_numpy(float) / before - 1.0, np.nan)
    if "age" in customers:
        bounds = [lo for lo, _, _ in AGE_BANDS] + [AGE_BANDS[-1][1]]
        customers["age_band"] = pd.cut(
            customers["age"].astype("float"), bins=bounds, right=False, labels=age_band_labels()
        )

    assert len(customers) == n
    return customers, products
