"""The per-dataset visit cube: customers × months transaction counts as compact integer arrays.

``visit_cube`` reads the raw activity table once per dataset; every other function of
``crm_core.visits`` works on the cube (or on small results derived from it), so a segment
change or a what-if input change never touches the raw rows again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from crm_core.arrays import count_values
from crm_core.artefact import (
    LEGACY_VISIT_CUBE_FILE,
    VISIT_CUBE_FILE,
    activity_code_batches,
    read_artefact,
    read_manifest,
    write_manifest,
)
from crm_core.contract import CHANNELS, DIGITAL_CHANNELS
from crm_core.mapped import hand_back, read_once
from crm_core.messages import Message
from crm_core.prepare import (
    RECENT_MONTHS,
    PreparedDataset,
    age_band_labels,
    month_numbers,
    text_codes,
)

CHANNEL_GROUPS: tuple[str, ...] = ("counter", "digital", "other")
"""Channel groups of the cube: the counter, mobile + online, and the rest (ATM, phone)."""


@dataclass(frozen=True, eq=False)
class VisitCube:
    """Monthly counter, digital and other transactions per customer, plus customer codes.

    The matrices are stored month-major, shape ``(n_months, n_customers)``, in the smallest
    integer dtype that holds every cell (``uint8`` for most banks, ``uint16``, else ``int32``;
    5M customers × 36 months: 0.5 GB instead of 2.2 GB): one contiguous row per month, the fast
    layout for per-month group sums. Sum them with an explicit wide ``dtype``. Column ``j`` is the
    customer in row ``j`` of ``prepared.customers``.

    Attributes
    ----------
    months : pandas.DatetimeIndex
        First day of every calendar month from the first activity month to ``as_of``.
    counter, digital, other : numpy.ndarray
        Transactions at the counter, on mobile + online, and on the remaining channels (ATM,
        phone); ``total`` adds the three on demand.
    branch_codes, city_codes, age_band_codes : numpy.ndarray
        ``int32`` code per customer (-1 = unknown) into the matching ``*_labels``.
    branch_labels, city_labels, age_band_labels : tuple of str
    branch_city : tuple of str
        The city of each branch (its customers' most common city).
    is_active : numpy.ndarray
        Relationship open (bool per customer).
    counter_12m, counter_prev_12m, digital_12m, digital_prev_12m : numpy.ndarray
        Per-customer sums over the last 12 months and the 12 before: the prepared customers' own
        ``int32`` windows (``prepare.COUNT_COLUMNS``, shared, not copied) when they have them,
        else ``int64`` sums over the cube's months.
    digital_active : numpy.ndarray
        A mobile or online transaction in the last three months.
    counter_cells : tuple of numpy.ndarray
        The non-zero cells of ``counter`` as (month starts, customer ``int32``, count) arrays,
        month-major (month ``m``'s cells are ``starts[m]:starts[m + 1]``): a quarter of the
        matrix's size, so per-segment counter series read 4x less.
    as_of : pandas.Timestamp
        The last month.
    has_activity : bool
        Whether the dataset had an activity table with rows.
    """

    months: pd.DatetimeIndex
    counter: np.ndarray
    digital: np.ndarray
    other: np.ndarray
    branch_codes: np.ndarray
    branch_labels: tuple[str, ...]
    branch_city: tuple[str, ...]
    city_codes: np.ndarray
    city_labels: tuple[str, ...]
    age_band_codes: np.ndarray
    age_band_labels: tuple[str, ...]
    is_active: np.ndarray
    counter_12m: np.ndarray
    counter_prev_12m: np.ndarray
    digital_12m: np.ndarray
    digital_prev_12m: np.ndarray
    digital_active: np.ndarray
    counter_cells: tuple[np.ndarray, np.ndarray, np.ndarray]
    as_of: pd.Timestamp
    has_activity: bool

    @property
    def n_months(self) -> int:
        """Months of history."""
        return len(self.months)

    @property
    def total(self) -> np.ndarray:
        """Transactions on every channel, ``(n_months, n_customers)`` ``int64`` (computed on each call)."""
        return self.counter.astype(np.int64) + self.digital + self.other

    @property
    def n_customers(self) -> int:
        """Customers (rows of ``prepared.customers``)."""
        return int(self.counter.shape[1])

    @property
    def nbytes(self) -> int:
        """Memory held by the cube's arrays."""
        arrays = [v for v in vars(self).values() if isinstance(v, np.ndarray)] + list(self.counter_cells)
        return int(sum(v.nbytes for v in arrays))


def _codes(values: pd.Series | None, n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes (-1 = missing) and sorted labels of a string-like column; one 'All' when absent."""
    if values is None:
        return np.zeros(n, dtype=np.int32), ("All",)
    codes, labels = text_codes(values)
    return codes.astype(np.int32), tuple(map(str, labels))


def _window_sum(matrix: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Per-customer sum over months ``[n - stop, n - start)`` counted back from the last month."""
    n_months = matrix.shape[0]
    lo, hi = max(n_months - stop, 0), max(n_months - start, 0)
    return matrix[lo:hi].sum(axis=0, dtype=np.int64)


def visit_cube(prepared: PreparedDataset) -> VisitCube:
    """Return the visit cube of a prepared dataset (the once-per-dataset step).

    Parameters
    ----------
    prepared : PreparedDataset
        Not modified. Without activity the cube has no months (every measure then says
        "not enough history"; see ``visit_availability``).

    Returns
    -------
    VisitCube

    Examples
    --------
    >>> from tests.conftest import tiny_dataset
    >>> from crm_core.prepare import prepared_dataset
    >>> cube = visit_cube(prepared_dataset(tiny_dataset()))
    >>> cube.n_months, cube.n_customers, int(cube.counter.sum())
    (25, 4, 13)
    """
    customers = prepared.customers
    n = len(customers)
    branch_codes, branch_labels = _codes(customers["branch"] if prepared.has("branch") else None, n)
    city_codes, city_labels = _codes(customers["city"] if prepared.has("city") else None, n)
    if "age_band" in customers:
        age_codes = pd.Categorical(customers["age_band"], categories=age_band_labels()).codes.astype(np.int32)
    else:
        age_codes = np.full(n, -1, dtype=np.int32)
    branch_city = _branch_cities(branch_codes, len(branch_labels), city_codes, city_labels)

    first_month = first_activity_month(prepared)
    has_activity = first_month is not None
    if has_activity:
        months = pd.date_range(start=first_month, end=prepared.as_of, freq="MS")
        planes = _stored_planes(prepared, months)
        if planes is None:
            planes = _channel_group_matrices(prepared, np.datetime64(first_month, "M"), len(months))
        counter, digital, other = planes
    else:
        months = pd.DatetimeIndex([], dtype="datetime64[ns]")
        counter = digital = other = np.zeros((0, n), dtype=np.uint8)
    return VisitCube(
        months=months,
        counter=counter,
        digital=digital,
        other=other,
        branch_codes=branch_codes,
        branch_labels=branch_labels,
        branch_city=branch_city,
        city_codes=city_codes,
        city_labels=city_labels,
        age_band_codes=age_codes,
        age_band_labels=tuple(age_band_labels()),
        is_active=customers["is_active"].to_numpy(dtype=bool),
        **_windows(prepared, counter, digital),
        counter_cells=_nonzero_cells(counter),
        as_of=prepared.as_of,
        has_activity=has_activity,
    )


WINDOW_COLUMNS: tuple[str, ...] = (
    "counter_txn_12m",
    "counter_txn_prev_12m",
    *(f"{channel}_txn_{window}" for channel in DIGITAL_CHANNELS for window in ("12m", "prev_12m")),
    "digital_active",
)
"""The prepared dataset's 12-month windows the cube reads instead of summing its matrices again."""


def _windows(prepared: PreparedDataset, counter: np.ndarray, digital: np.ndarray) -> dict[str, np.ndarray]:
    """The cube's per-customer windows: the prepared dataset's own when it has them (one definition of
    "the last 12 months"), else sums over the cube's months (a dataset prepared without them)."""
    customers = prepared.customers
    if all(column in customers for column in WINDOW_COLUMNS):

        def summed(window: str) -> np.ndarray:
            columns = [customers[f"{c}_txn_{window}"].to_numpy() for c in DIGITAL_CHANNELS]
            return count_values(np.sum(columns, axis=0, dtype=np.int64))

        return {
            "counter_12m": customers["counter_txn_12m"].to_numpy(),
            "counter_prev_12m": customers["counter_txn_prev_12m"].to_numpy(),
            "digital_12m": summed("12m"),
            "digital_prev_12m": summed("prev_12m"),
            "digital_active": customers["digital_active"].to_numpy(dtype=bool),
        }
    return {
        "counter_12m": _window_sum(counter, 0, 12),
        "counter_prev_12m": _window_sum(counter, 12, 24),
        "digital_12m": _window_sum(digital, 0, 12),
        "digital_prev_12m": _window_sum(digital, 12, 24),
        "digital_active": _window_sum(digital, 0, RECENT_MONTHS) > 0,
    }


def first_activity_month(prepared: PreparedDataset) -> pd.Timestamp | None:
    """First day of the first activity month (None without activity).

    The first month of the monthly channel totals (the customers' rows, aggregated; orphan rows
    left out), the same whether the activity is in memory or stays on disk in an artefact.
    """
    dataset = prepared.dataset
    if not dataset.activity_row_count:
        return None
    monthly = prepared.monthly_channels
    if monthly is not None and len(monthly):  # months of customers' rows (orphan rows left out), both paths
        return pd.Timestamp(monthly["month"].min()).to_period("M").to_timestamp()
    if dataset.activity is None:
        return None
    return pd.Timestamp(dataset.activity["month"].min()).to_period("M").to_timestamp()


_CUBE_META = b"crm_visit_cube"
"""Schema metadata key of a stored cube: its first month, months and customers (JSON)."""


def store_visit_cube(path: str | Path) -> Path:
    """Compute the visit cube of an artefact once and store it in the artefact (``visit_cube.arrow``).

    The cube is ``visit_cube``'s own, streamed from the activity file; it is stored as one row
    per (month, customer), month-major, with the ``counter``, ``digital`` and ``other`` columns
    in their compact integer types, and its first month, months and customers in the schema
    metadata. The file is uncompressed Arrow IPC in one record batch, so opening it maps the
    columns without decoding them (at 1M customers 0.001 s, against 0.5-0.8 s for the same
    columns in zstd Parquet and about 15 s for the activity rows' string ids). The manifest is
    written again, last; without activity nothing is stored.

    Parameters
    ----------
    path : str or Path
        An artefact folder (``crm_core.artefact.write_artefact`` or the engines' writers).

    Returns
    -------
    Path
        The artefact folder.
    """
    folder = Path(path)
    prepared = read_artefact(folder)
    cube = visit_cube(replace(prepared, dataset=replace(prepared.dataset, visit_cube_file=None)))  # from the rows
    del prepared
    manifest = read_manifest(folder)
    for file in (VISIT_CUBE_FILE, LEGACY_VISIT_CUBE_FILE):
        manifest["rows"].pop(file, None)
        (folder / file).unlink(missing_ok=True)
    if cube.has_activity:
        first = cube.months[0].strftime("%Y-%m-%d")
        meta = {"first_month": first, "months": cube.n_months, "customers": cube.n_customers}
        table = pa.table({name: getattr(cube, name).ravel() for name in CHANNEL_GROUPS})
        table = table.replace_schema_metadata({_CUBE_META: json.dumps(meta).encode()})
        temporary = folder / f".{VISIT_CUBE_FILE}.tmp"
        with pa.OSFile(str(temporary), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=max(table.num_rows, 1))  # one batch: zero-copy columns
        temporary.replace(folder / VISIT_CUBE_FILE)
        manifest["rows"][VISIT_CUBE_FILE] = table.num_rows
    return write_manifest(folder, manifest)


def _stored_planes(prepared: PreparedDataset, months: pd.DatetimeIndex) -> tuple[np.ndarray, ...] | None:
    """The counter, digital and other planes of the artefact's stored cube, cut to the dataset's
    customers; None when there is none or it was stored for other months or customers.

    The whole bank's planes are read-only ``numpy.memmap`` views of the file (the pages a view
    touches are read, and the operating system may drop them again: the month loops hand each row's
    pages back as they finish it, ``crm_core.mapped.hand_back``); a filter's are copies. The stored
    planes are already in their compact types, so the whole bank's are not read to choose one.
    """
    dataset = prepared.dataset
    if dataset.visit_cube_file is None:
        return None
    try:
        source = pa.memory_map(dataset.visit_cube_file)
        reader = pa.ipc.open_file(source)
        meta = json.loads((reader.schema.metadata or {})[_CUBE_META])
        stored = int(meta["customers"])
        same_months = meta["first_month"] == months[0].strftime("%Y-%m-%d") and int(meta["months"]) == len(months)
        columns = dataset.cube_columns
        customers = stored if columns is None else len(columns)
        if not same_months or customers != len(prepared.customers) or reader.num_record_batches != 1:
            return None
        batch = reader.get_batch(0)
        planes = []
        for name in CHANNEL_GROUPS:
            plane = batch.column(name).to_numpy(zero_copy_only=True).reshape(len(months), stored)
            if columns is None:
                planes.append(_file_view(dataset.visit_cube_file, source, plane))
            else:
                planes.append(_compact(plane[:, columns]))
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None
    return tuple(planes)


def _file_view(path: str | Path, source: pa.MemoryMappedFile, plane: np.ndarray) -> np.ndarray:
    """``plane`` (a zero-copy view of the Arrow memory map ``source``) as a read-only ``numpy.memmap`` of
    the same bytes of ``path``: the same values, whose pages ``crm_core.mapped.hand_back`` can return."""
    source.seek(0)
    whole = source.read_buffer(source.size())  # zero-copy: the map's own first byte
    offset = plane.ctypes.data - whole.address
    if offset < 0 or offset + plane.nbytes > source.size():
        return plane
    return np.memmap(path, dtype=plane.dtype, mode="r", offset=offset, shape=plane.shape)


def _channel_group_matrices(
    prepared: PreparedDataset, first: np.datetime64, n_months: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counter, digital and other transactions per (month, customer) from the activity (``_compact`` dtypes).

    In-memory activity is reduced with one ``bincount``; an artefact's activity file is read in
    batches and added into one ``uint16`` buffer (``numpy.add.at``; read again into ``int32`` in
    the rare case a cell overflows, which the buffer's total reveals), so memory stays at the
    matrices whatever the number of rows.
    """
    customers = prepared.customers
    n = len(customers)
    group_of_channel = np.full(len(CHANNELS) + 1, 2, dtype=np.int64)
    group_of_channel[CHANNELS.index("counter")] = 0
    for name in DIGITAL_CHANNELS:
        group_of_channel[CHANNELS.index(name)] = 1

    def cells(position, months, channel, transactions) -> tuple[np.ndarray, np.ndarray]:
        month = month_numbers(months) - np.datetime64(first, "M").astype(np.int64)
        keep = (position >= 0) & (month >= 0) & (month < n_months)  # unknown channels (-1) count as other
        # (group, month, customer) cells, month-major within each group.
        cell = (group_of_channel[channel[keep]] * n_months + month[keep]) * n + position[keep]
        return cell, transactions[keep]

    if prepared.dataset.activity is not None:
        batches = activity_code_batches(prepared.dataset, customers["customer_id"])
        cell, weights = cells(*next(batches, _NO_ROWS))
        sums = np.bincount(cell, weights=weights.astype(np.float64), minlength=3 * n_months * n)
        return tuple(_compact(plane) for plane in sums.reshape(3, n_months, n))

    def streamed(dtype) -> np.ndarray | None:
        """Every batch added into one buffer of ``dtype``; None when a value or a cell does not fit in it."""
        buffer, expected = np.zeros(3 * n_months * n, dtype=dtype), 0
        info = np.iinfo(dtype)
        for batch in activity_code_batches(prepared.dataset, customers["customer_id"]):
            cell, weights = cells(*batch)
            if dtype != np.int64 and len(weights) and (weights.min() < info.min or weights.max() > info.max):
                return None
            np.add.at(buffer, cell, weights.astype(dtype))
            expected += int(weights.sum())
        # A cell that overflowed wrapped around: the buffer's total then differs from the rows'.
        return buffer if dtype == np.int64 or int(buffer.sum(dtype=np.int64)) == expected else None

    # uint16 fits every bank we know; wider only when some customer-month holds more (or a
    # negative count, which an artefact written elsewhere may carry).
    buffer = streamed(np.uint16)
    if buffer is None:
        buffer = streamed(np.int32)
    if buffer is None:
        buffer = streamed(np.int64)
    return tuple(_compact(plane) for plane in buffer.reshape(3, n_months, n))


def _compact(plane: np.ndarray) -> np.ndarray:
    """The plane in the smallest dtype that holds it: ``uint8``, ``uint16``, ``int32``, else ``int64``.

    Examples
    --------
    >>> [_compact(np.array(v)).dtype.name for v in ([0.0, 255.0], [3, 256], [-1, 2], [70_000, 0], [2**40])]
    ['uint8', 'uint16', 'int32', 'int32', 'int64']
    """
    low = plane.min(initial=0)
    high = plane.max(initial=0)
    for dtype in (np.uint8, np.uint16, np.int32):
        if np.iinfo(dtype).min <= low and high <= np.iinfo(dtype).max:
            return plane.astype(dtype, copy=False)
    return plane.astype(np.int64, copy=False)


_NO_ROWS = (
    np.empty(0, dtype=np.int64),
    np.empty(0, dtype="datetime64[ns]"),
    np.empty(0, dtype=np.int64),
    np.empty(0, dtype=np.int64),
)


def _nonzero_cells(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(month starts, customer, value) of the non-zero cells of a month-major matrix.

    The cells are month-major: month ``m``'s are ``starts[m]:starts[m + 1]`` (at 5M customers a month
    per cell would take 95 MB).

    Examples
    --------
    >>> [a.tolist() for a in _nonzero_cells(np.array([[0, 2, 0], [0, 0, 0], [1, 0, 3]], dtype=np.uint8))]
    [[0, 1, 1, 3], [1, 0, 2], [2, 1, 3]]
    """
    counts = np.array([read_once(np.count_nonzero, row) for row in matrix], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)])
    customer = np.empty(int(starts[-1]), dtype=np.int32)
    value = np.empty(len(customer), dtype=matrix.dtype)
    for j, row in enumerate(matrix):  # one month at a time: no (cells x 2) int64 index arrays
        found = np.nonzero(row != 0)[0]  # 3x faster than flatnonzero on an integer row
        customer[starts[j] : starts[j + 1]] = found
        value[starts[j] : starts[j + 1]] = row[found]
        hand_back(row)
    return starts, customer, value


def group_counter_sums(cube: VisitCube, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Return per-group monthly counter transactions, ``(n_groups, n_months)`` ``int64``.

    Same result as ``group_monthly_sums(cube.counter, codes, n_groups)``, read from the
    non-zero cells only. ``codes`` is one group per customer (-1 = none), or one per month
    and customer, ``(n_months, n_customers)``, for groups that change over time (a customer's
    transactions of a month count for the group it was in that month).

    Examples
    --------
    >>> from tests.conftest import tiny_dataset
    >>> from crm_core.prepare import prepared_dataset
    >>> cube = visit_cube(prepared_dataset(tiny_dataset()))
    >>> group_counter_sums(cube, np.array([0, 0, 1, -1]), 2).sum(axis=1).tolist()
    [6, 7]
    >>> by_month = np.zeros((cube.n_months, 4), dtype=int)
    >>> by_month[-1, 0] = 1  # the first customer moves to group 1 in the last month
    >>> group_counter_sums(cube, by_month, 2).sum(axis=1).tolist()
    [11, 2]
    """
    bounds, customer, value = cube.counter_cells
    codes = np.asarray(codes)
    bins = np.where(codes >= 0, codes, n_groups).astype(np.intp)
    # The cells are month-major: one small bincount per month, no (cells,) index arrays.
    out = np.zeros((n_groups, cube.n_months), dtype=np.int64)
    for m in range(cube.n_months):
        lo, hi = bounds[m], bounds[m + 1]
        groups = bins[m, customer[lo:hi]] if bins.ndim == 2 else bins[customer[lo:hi]]
        out[:, m] = np.rint(np.bincount(groups, weights=value[lo:hi], minlength=n_groups + 1)[:n_groups])
    return out


def _branch_cities(
    branch_codes: np.ndarray, n_branches: int, city_codes: np.ndarray, city_labels: tuple[str, ...]
) -> tuple[str, ...]:
    """Each branch's most common city ('All' when cities are unknown)."""
    keep = (branch_codes >= 0) & (city_codes >= 0)
    n_cities = len(city_labels)
    counts = np.bincount(
        branch_codes[keep].astype(np.int64) * n_cities + city_codes[keep], minlength=n_branches * n_cities
    ).reshape(n_branches, n_cities)
    return tuple(city_labels[int(c)] if counts[b].any() else "All" for b, c in enumerate(counts.argmax(axis=1)))


def group_monthly_sums(matrix: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Return per-group monthly sums of a month-major cube matrix.

    Parameters
    ----------
    matrix : numpy.ndarray
        ``(n_months, n_customers)``, e.g. ``cube.counter``.
    codes : numpy.ndarray
        Group code per customer; negative codes are left out.
    n_groups : int
        Number of groups.

    Returns
    -------
    numpy.ndarray
        ``(n_groups, n_months)`` ``int64``.

    Examples
    --------
    >>> group_monthly_sums(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32), np.array([0, 1, 0]), 2).tolist()
    [[4, 10], [2, 5]]
    """
    bins = np.where(codes >= 0, codes, n_groups).astype(np.intp)
    out = np.empty((n_groups, matrix.shape[0]), dtype=np.int64)
    for j, row in enumerate(matrix):
        out[:, j] = np.rint(np.bincount(bins, weights=row, minlength=n_groups + 1)[:n_groups])
        hand_back(row)  # a stored cube's month: its pages go back as soon as it is summed
    return out


def group_monthly_active(matrix: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Return per-group monthly counts of customers with at least one transaction in ``matrix``."""
    bins = np.where(codes >= 0, codes, n_groups).astype(np.intp)
    out = np.empty((n_groups, matrix.shape[0]), dtype=np.int64)
    for j, row in enumerate(matrix):
        out[:, j] = np.bincount(bins[row > 0], minlength=n_groups + 1)[:n_groups]
        hand_back(row)
    return out


def silent_attrition_gaps(prepared: PreparedDataset, n_months: int | None) -> tuple[str, ...]:
    """Return what the silent-attrition rule lacks on this dataset (empty: it can be applied).

    ``n_months`` is the activity's span in months (None: no activity). The rule needs 24 months,
    AUM a year ago, and digital channels recorded: without them "no digital uptake" would hold
    for every customer, a finding invented.
    """
    has_activity = n_months is not None
    gaps = (
        ("activity", not has_activity),
        ("history", has_activity and n_months < 24),
        ("aum_12m_ago", not prepared.has("aum_trend")),
        ("digital_channels", has_activity and not prepared.has("digital_active")),
    )
    return tuple(missing for missing, gap in gaps if gap)


def visit_availability(prepared: PreparedDataset, min_months: int = 13) -> pd.DataFrame:
    """Return which visit views the dataset supports and, for the others, what is missing.

    Parameters
    ----------
    prepared : PreparedDataset
    min_months : int
        History the decline model and the forecast need.

    Returns
    -------
    pandas.DataFrame
        One row per view: ``view``, ``available``, ``missing`` (tuple), ``reason`` (a
        ``Message`` saying what is missing; None when available).

    Examples
    --------
    >>> from tests.conftest import tiny_dataset
    >>> from crm_core.prepare import prepared_dataset
    >>> visit_availability(prepared_dataset(tiny_dataset()))["available"].tolist()
    [True, True, True, True, True, True, True]
    """
    first_month = first_activity_month(prepared)
    has_activity = first_month is not None
    n_months = 0
    if has_activity:
        n_months = (prepared.as_of.to_period("M") - first_month.to_period("M")).n + 1
    no_activity = ("activity",)
    short = ("history",)

    def history(needed: int) -> tuple[str, ...]:
        return no_activity if not has_activity else (short if n_months < needed else ())

    checks = [
        ("channel_trend", no_activity if not has_activity else (), None),
        ("decline", history(min_months), Message("visits_unavailable_decline", months=n_months, needed=min_months)),
        ("forecast", history(min_months), Message("visits_unavailable_forecast", months=n_months, needed=min_months)),
        ("substitution", history(24), Message("visits_unavailable_substitution", months=n_months)),
        (
            "silent_attrition",
            silent_attrition_gaps(prepared, n_months if has_activity else None),
            Message("visits_unavailable_silent_attrition"),
        ),
        ("what_if", history(min_months), Message("visits_unavailable_what_if", months=n_months, needed=min_months)),
        ("by_branch", () if prepared.has("branch") else ("branch",), Message("visits_unavailable_by_branch")),
    ]
    rows = []
    for view, missing, reason in checks:
        if missing == no_activity:
            reason = Message("visits_unavailable_activity")
        rows.append((view, not missing, tuple(missing), reason if missing else None))
    return pd.DataFrame(rows, columns=["view", "available", "missing", "reason"])
