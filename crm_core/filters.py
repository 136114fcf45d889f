"""Filters that apply everywhere: branch, city, relationship manager, tier and as-of month.

A filter is part of the scenario (``Scenario.filters``), set once in the sidebar. It does not
patch figures page by page: it makes the *filtered extract* (:func:`filtered_dataset`), the
tables a bank would have sent had it extracted only those customers up to that month, and the
one preparation and every view then run on it unchanged. So a filtered bank's figures equal the
unfiltered pipeline run on the filtered extract by construction (``tests/test_filters.py``
builds both), and every cache keys on the filtered extract's own fingerprint.

What an as-of month can and cannot take back is stated, never invented: activity after the
month, customers opened after it and closures after it are left out (those customers were still
on the books then); balances are the extract's own snapshot, as the file has no balance history
(:func:`as_of_caveats` names it so every surface can say so).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

from crm_core import validation as check
from crm_core.dataset import Dataset
from crm_core.messages import Message, Month
from crm_core.prepare import PreparedDataset, rewritten_by_preparation, text_codes

UNITS: tuple[str, ...] = ("branch", "city", "relationship_manager")
"""Customer columns a filter can restrict to listed values (the filter's fields in this order)."""

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

MAX_VALUES = 2_000
"""Most values one filter field may list (a bank's relationship managers fit)."""


@dataclass(frozen=True)
class Filters:
    """Which customers and which month every view shows.

    Parameters
    ----------
    branches, cities, relationship_managers : tuple of str
        Keep customers whose unit is one of these (empty = all).
    tiers : tuple of int
        Keep customers in these tiers (positions in the scenario's tier scheme, 0 = lowest; empty = all).
    as_of : str
        ``YYYY-MM``: the month the figures are as of (empty = the extract's last month).

    Examples
    --------
    >>> Filters(branches=["Ningbo Haishu"], as_of="2025-06").is_active
    True
    >>> Filters().is_active
    False
    """

    branches: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    relationship_managers: tuple[str, ...] = ()
    tiers: tuple[int, ...] = ()
    as_of: str = ""

    def __post_init__(self) -> None:
        values = {}
        for name in ("branches", "cities", "relationship_managers"):
            entries = check.items(getattr(self, name), f"filters: {name}", 0, MAX_VALUES)
            values[name] = tuple(check.text(v, f"filters: {name}", 200, required=True) for v in entries)
            check.distinct(values[name], f"filters: {name}")
        tiers = check.items(self.tiers, "filters: tiers", 0, 10)
        values["tiers"] = tuple(sorted(check.whole(v, "filters: tiers", 0, 9) for v in tiers))
        check.distinct(values["tiers"], "filters: tiers")
        as_of = check.text(self.as_of, "filters: as_of", 7)
        if as_of and not _MONTH.fullmatch(as_of):
            raise ValueError(f"filters: as_of must be a month as YYYY-MM, got {check.shown(as_of)}")
        check.assign(self, as_of=as_of, **values)

    @property
    def is_active(self) -> bool:
        """Whether the filter leaves anything out."""
        return self != Filters()

    def units(self) -> dict[str, tuple[str, ...]]:
        """The unit filters by customer column (only those set)."""
        picked = dict(zip(UNITS, (self.branches, self.cities, self.relationship_managers), strict=True))
        return {column: values for column, values in picked.items() if values}

    def key(self) -> str:
        """A canonical text of the filter (sorted values) for fingerprints and caches."""
        data = asdict(self)
        for name in ("branches", "cities", "relationship_managers"):
            data[name] = sorted(data[name])
        return json.dumps(data, sort_keys=True, ensure_ascii=False)


class EmptyFilter(ValueError):
    """The filter leaves no customer: the message names the filter and how to widen it."""


def _month_end(as_of: str) -> pd.Timestamp:
    return pd.Timestamp(f"{as_of}-01") + pd.offsets.MonthEnd(0) + pd.Timedelta(hours=23, minutes=59, seconds=59)


def filter_fingerprint(fingerprint: str, filters: Filters, tier_key: str = "") -> str:
    """The filtered extract's fingerprint: the source's, the filter and (with a tier filter) the tier scheme.

    Examples
    --------
    >>> len(filter_fingerprint("ab" * 32, Filters(as_of="2025-06")))
    64
    >>> filter_fingerprint("f", Filters()) == "f"
    True
    """
    if not filters.is_active:
        return fingerprint
    text = f"{fingerprint}|{filters.key()}|{tier_key if filters.tiers else ''}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def kept_customers(dataset: Dataset, filters: Filters, tier_codes: np.ndarray | None = None) -> np.ndarray:
    """Return a boolean mask over ``dataset.customers``: the customers the filter keeps.

    Parameters
    ----------
    dataset : Dataset
        The unfiltered extract.
    filters : Filters
        Units, tiers and as-of month.
    tier_codes : numpy.ndarray, optional
        Each customer's tier code under the scenario's tiers (needed when ``filters.tiers`` is set).
    """
    customers = dataset.customers
    keep = np.ones(len(customers), dtype=bool)
    for column, values in filters.units().items():
        if column in customers and len(values) == 1:  # one value: a comparison, half the time of a set lookup
            keep &= (customers[column] == values[0]).fillna(False).to_numpy(dtype=bool)
        elif column in customers:
            keep &= customers[column].isin(values).to_numpy(dtype=bool)
        else:
            keep[:] = False  # a unit the data does not have: nobody is in it
    if filters.tiers:
        if tier_codes is None:
            raise ValueError("a tier filter needs each customer's tier code")
        keep &= np.isin(tier_codes, filters.tiers)
    if filters.as_of and "open_date" in customers:
        opened = customers["open_date"]
        keep &= (opened.isna() | (opened <= _month_end(filters.as_of))).to_numpy(dtype=bool)
    return keep


def filtered_dataset(
    dataset: Dataset, filters: Filters, tier_codes: np.ndarray | None = None, tier_key: str = ""
) -> Dataset:
    """Return the extract the bank would have sent for the filtered customers up to the as-of month.

    Parameters
    ----------
    dataset : Dataset
        The unfiltered extract (an opened artefact's activity is read into memory first).
    filters : Filters
        Units, tiers and as-of month.
    tier_codes : numpy.ndarray, optional
        Each customer's tier code under the scenario's tiers (needed when ``filters.tiers`` is set).
    tier_key : str
        Text of the tier scheme the codes come from (part of the fingerprint when tiers filter).

    Returns
    -------
    Dataset
        Customers kept, their activity and holdings; with an as-of month, activity after it, holdings
        opened after it and closures after it removed. Fingerprint from :func:`filter_fingerprint`.

    Raises
    ------
    EmptyFilter
        When no customer is left.
    """
    if not filters.is_active:
        return dataset
    from crm_core.prepare import in_memory

    dataset = in_memory(dataset)
    keep = kept_customers(dataset, filters, tier_codes)
    if not keep.any():
        raise EmptyFilter("no customer matches the filters")
    customers = dataset.customers.loc[keep].reset_index(drop=True)
    ids = customers["customer_id"]
    activity, holdings = dataset.activity, dataset.holdings
    if activity is not None:
        activity = activity.loc[activity["customer_id"].isin(ids).to_numpy(dtype=bool)]
    if holdings is not None:
        holdings = holdings.loc[holdings["customer_id"].isin(ids).to_numpy(dtype=bool)]
    located = dataset.location_activity
    if located is not None:
        keep = located["customer_id"].isin(ids).to_numpy(dtype=bool)
        if filters.as_of:
            keep &= (located["month"] <= _month_end(filters.as_of)).to_numpy(dtype=bool)
        located = located.loc[keep].reset_index(drop=True)
    if filters.as_of:
        end = _month_end(filters.as_of)
        if activity is not None:
            activity = activity.loc[(activity["month"] <= end).to_numpy(dtype=bool)]
        if "closed_date" in customers:
            later = (customers["closed_date"] > end).fillna(False).to_numpy(dtype=bool)
            if later.any():  # closed after the month: still a customer then
                customers.loc[later, "closed_date"] = pd.NaT
                if "churned" in customers:
                    customers.loc[later, "churned"] = False
        if holdings is not None:
            if "open_date" in holdings:
                holdings = holdings.loc[(holdings["open_date"].isna() | (holdings["open_date"] <= end)).to_numpy(bool)]
            if "close_date" in holdings:
                holdings = holdings.copy()
                holdings.loc[(holdings["close_date"] > end).fillna(False).to_numpy(bool), "close_date"] = pd.NaT
    for name, table in (("activity", activity), ("holdings", holdings)):
        if table is not None:
            table = table.reset_index(drop=True)
            if "customer_id" in table and isinstance(table["customer_id"].dtype, pd.CategoricalDtype):
                table["customer_id"] = table["customer_id"].cat.remove_unused_categories()
        if name == "activity":
            activity = table
        else:
            holdings = table
    return replace(
        dataset,
        customers=customers,
        activity=activity,
        holdings=holdings,
        location_activity=located,
        fingerprint=filter_fingerprint(dataset.fingerprint, filters, tier_key),
    )


def as_of_months(dataset: Dataset) -> tuple[str, ...]:
    """The months (``YYYY-MM``, latest first) a figure can be as of: those with activity.

    Without activity there is no monthly history to go back to, so no month is offered.
    """
    if dataset.activity is None or not len(dataset.activity):
        return ()
    months = pd.DatetimeIndex(pd.unique(dataset.activity["month"])).to_period("M").unique().sort_values()
    return tuple(str(month) for month in months[::-1])


def as_of_caveats(dataset: Dataset, filters: Filters) -> tuple[Message, ...]:
    """What an as-of month cannot take back in this extract, as messages for every surface."""
    if not filters.as_of:
        return ()
    caveats = [Message("filter_caveat_balances", month=Month(f"{filters.as_of}-01"))]
    customers = dataset.customers
    if "churned" in customers and "closed_date" not in customers:
        caveats.append(Message("filter_caveat_churn_undated"))
    return tuple(caveats)


def statement(
    filters: Filters,
    lang: str,
    tier_labels: tuple[str, ...] = (),
    names: dict[str, dict[str, str]] | None = None,
    most: int = 3,
) -> str:
    """Render the filter as every surface states it: "Ningbo Haishu · affluent · as of June 2026".

    An edge renderer (screens and report renderers call it with their language); empty when the
    filter leaves nothing out.

    Parameters
    ----------
    filters : Filters
        The active filter.
    lang : str
        Language code of the surface.
    tier_labels : tuple of str
        Tier names in ``lang``, lowest first.
    names : dict, optional
        Unit column → (data value → display name), e.g. Chinese branch names.
    most : int
        Values named per field before "+N".

    Examples
    --------
    >>> statement(Filters(branches=("A", "B"), tiers=(1,), as_of="2025-06"), "en", ("mass", "affluent"))
    'A, B · affluent · as of June 2025'
    >>> statement(Filters(cities=("C1", "C2", "C3", "C4")), "en", most=2)
    'C1, C2 +2'
    """
    from crm_core.catalog import text
    from crm_core.formatting import format_month

    names = names or {}
    parts = []
    for column, values in filters.units().items():
        shown = [names.get(column, {}).get(value, value) for value in values]
        extra = f" +{len(shown) - most}" if len(shown) > most else ""
        parts.append(", ".join(shown[:most]) + extra)
    if filters.tiers:
        parts.append(", ".join(tier_labels[code] if code < len(tier_labels) else str(code) for code in filters.tiers))
    if filters.as_of:
        parts.append(text("filter_as_of", lang, month=format_month(pd.Timestamp(f"{filters.as_of}-01"), lang)))
    return " · ".join(parts)


def _extract_rows(prepared: PreparedDataset, customers: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """The extract's customer rows ``rows``: the columns preparation keeps as they are come from ``customers``.

    ``customers`` holds the same rows of the prepared table; sharing its columns (copy-on-write) halves
    the gather of a filter at 1M customers, whose rows are scattered over the whole table.
    """
    source = prepared.dataset.customers
    shared = [c for c in source.columns if c in customers.columns and not rewritten_by_preparation(c)]
    own = [c for c in source.columns if c not in shared]
    if not own:
        return customers[list(source.columns)]
    parts = [customers[shared], source[own].take(rows).reset_index(drop=True)]
    return pd.concat(parts, axis=1)[list(source.columns)]


def filtered_prepared(
    prepared: PreparedDataset, filters: Filters, tier_codes: np.ndarray | None = None, tier_key: str = ""
) -> PreparedDataset | None:
    """Return the prepared filtered extract without preparing it again, or None when that cannot be exact.

    Every prepared feature is the customer's own (windows, flags, trends), so keeping the rows of
    the customers a branch, city or tier filter keeps is what preparing their extract gives, as long
    as the reference month is the same and the monthly grid can be cut by branch. The activity and
    holdings tables stay whole: every view that reads them matches rows to the customers table by
    id and leaves the others out. None (prepare the filtered extract instead) with an as-of month, a
    manager or tier filter on data with monthly activity (the grid is by branch), or when the kept
    branches have no activity in the reference month. ``tests/test_filters.py`` checks both paths agree.
    """
    if not filters.is_active:
        return prepared
    grid = prepared.monthly_channels
    if filters.as_of or (grid is not None and (filters.relationship_managers or filters.tiers)):
        return None
    keep = kept_customers(prepared.dataset, filters, tier_codes)
    if not keep.any():
        raise EmptyFilter("no customer matches the filters")
    rows = np.flatnonzero(keep)
    customers = prepared.customers.take(rows).reset_index(drop=True)
    if grid is not None:
        branches = list(text_codes(customers["branch"])[1]) if "branch" in customers else []
        grid = grid.loc[grid["branch"].astype("string").isin(branches).to_numpy(dtype=bool)].reset_index(drop=True)
        latest = grid.loc[grid["month"] == prepared.as_of, "transactions"].sum()
        if latest <= 0:
            return None
    columns = prepared.dataset.cube_columns
    dataset = replace(
        prepared.dataset,
        customers=_extract_rows(prepared, customers, rows),
        cube_columns=rows if columns is None else columns[keep],
        fingerprint=filter_fingerprint(prepared.dataset.fingerprint, filters, tier_key),
    )
    return replace(prepared, dataset=dataset, customers=customers, monthly_channels=grid, orphan_activity_rows=0)
