"""The Overview page's numbers: headline KPIs with deltas, monthly channel totals, data notes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crm_core.contract import CHANNELS
from crm_core.definitions import active_customers, churn_rate, total_aum
from crm_core.prepare import PreparedDataset

OVERVIEW_METRICS: tuple[tuple[str, str, str], ...] = (
    ("customers", "count", "relative"),
    ("total_aum", "money", "relative"),
    ("top1_aum_share", "share", "points"),
    ("top2_aum_share", "share", "points"),
    ("top10_aum_share", "share", "points"),
    ("products_per_customer", "ratio", "absolute"),
    ("digital_active_share", "share", "points"),
    ("counter_txn_yoy", "share", "points"),
    ("churn_rate", "share", "points"),
)
"""(metric, unit, delta kind) in display order."""


def top_share(values: np.ndarray, fraction: float) -> float:
    """Return the share of the total held by the largest ``ceil(fraction * n)`` values.

    Examples
    --------
    >>> top_share(np.array([1.0, 1.0, 8.0]), 0.3)
    0.8
    """
    values = np.asarray(values, dtype=float)
    values = np.clip(values[np.isfinite(values)], 0, None)  # a negative balance holds no share of the assets
    if len(values) and values.max() > 0:
        values = values / values.max()  # shares are scale-free; this keeps sums of 1e300 balances finite
    total = values.sum()
    if len(values) == 0 or total <= 0:
        return math.nan
    k = max(1, math.ceil(fraction * len(values)))
    largest = np.partition(values, len(values) - k)[len(values) - k :]
    return float(largest.sum() / total)


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else math.nan


def monthly_channel_totals(prepared: PreparedDataset) -> pd.DataFrame:
    """Return transactions per month and channel, summed over branches.

    Returns
    -------
    pandas.DataFrame
        Columns ``month``, ``channel`` (categorical in ``CHANNELS`` order), ``transactions``,
        ``active_customers`` (summed over branches: customers are in one branch each).
        Empty when the dataset has no activity.
    """
    if prepared.monthly_channels is None:
        return pd.DataFrame(
            {
                "month": pd.Series(dtype="datetime64[ns]"),
                "channel": pd.Categorical([], categories=list(CHANNELS)),
                "transactions": pd.Series(dtype="int64"),
                "active_customers": pd.Series(dtype="int64"),
            }
        )
    return (
        prepared.monthly_channels.groupby(["month", "channel"], observed=False, sort=True)[
            ["transactions", "active_customers"]
        ]
        .sum()
        .reset_index()
    )


def off_counter_rate(totals: pd.DataFrame) -> pd.Series:
    """Return the monthly off-counter rate (离柜率): share of transactions not at the counter.

    Indexed by ``month`` (the months of ``totals``, in order); NaN for a month without transactions.
    Summed with ``numpy.bincount`` (a month-by-channel pivot table cost 12 ms on every Overview rerun at 1M).
    """
    codes, months = pd.factorize(totals["month"], sort=True)
    transactions = totals["transactions"].to_numpy(dtype=float)
    counter = (totals["channel"] == "counter").to_numpy(dtype=bool)
    total = np.bincount(codes, weights=transactions, minlength=len(months))
    at_counter = np.bincount(codes[counter], weights=transactions[counter], minlength=len(months))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = 1 - at_counter / np.where(total > 0, total, np.nan)
    return pd.Series(rate, index=pd.DatetimeIndex(months, name="month"), name="off_counter_rate")


def _counter_yoy(totals: pd.DataFrame, as_of: pd.Timestamp) -> tuple[float, float]:
    """Counter transactions of the last 12 months against the 12 before, and that rate a year earlier.

    A window counts only when the data reaches back to its first month.
    """
    counter = totals[totals["channel"] == "counter"].set_index("month")["transactions"]
    if counter.empty:
        return math.nan, math.nan
    months_back = (as_of.year - counter.index.year) * 12 + (as_of.month - counter.index.month)
    reach = months_back.max()
    sums = [
        counter[(months_back >= lo) & (months_back < lo + 12)].sum() if reach >= lo + 11 else math.nan
        for lo in (0, 12, 24)
    ]
    return _ratio(sums[0], sums[1]) - 1, _ratio(sums[1], sums[2]) - 1


def headline_values(customers: pd.DataFrame, dated: bool) -> dict[str, tuple[float, float]]:
    """Return each customer-level headline figure and its value a year earlier, for any set of customers.

    One definition for the bank (``overview_kpis``) and for a branch or relationship manager
    (``crm_core.targets``): customers, AUM, top shares, products per customer and digital share
    refer to active customers (a year earlier: those on the books then), the churn rate is
    ``crm_core.definitions.churn_rate``.

    Parameters
    ----------
    customers : pandas.DataFrame
        Prepared customer rows (``PreparedDataset.customers`` or a subset of it).
    dated : bool
        Whether open or close dates say who was on the books a year earlier.
    """
    c = customers

    def has(column: str) -> bool:
        return column in c.columns and bool(c[column].notna().any())

    active = c["is_active"].to_numpy()
    then = c["alive_12m_ago"].to_numpy()
    aum = c["aum"].to_numpy(dtype=float)
    aum_then = c["aum_12m_ago"].to_numpy(dtype=float) if has("aum_12m_ago") else None
    values: dict[str, tuple[float, float]] = {
        "customers": (float(active_customers(c)), float(then.sum()) if dated else math.nan),
        "total_aum": (total_aum(c), float(np.nansum(aum_then[then])) if aum_then is not None else math.nan),
    }
    for label, fraction in (("top1_aum_share", 0.01), ("top2_aum_share", 0.02), ("top10_aum_share", 0.10)):
        values[label] = (
            top_share(aum[active], fraction),
            top_share(np.nan_to_num(aum_then[then]), fraction) if aum_then is not None else math.nan,
        )
    values["products_per_customer"] = (
        float(c.loc[active, "products_held"].mean()) if "products_held" in c else math.nan,
        float(c.loc[then, "products_held_12m_ago"].mean()) if "products_held_12m_ago" in c else math.nan,
    )
    if "digital_active" in c:
        values["digital_active_share"] = (
            float(c.loc[active, "digital_active"].mean()),
            float(c.loc[then, "digital_active_12m_ago"].mean()),
        )
    else:
        values["digital_active_share"] = (math.nan, math.nan)
    values["churn_rate"] = (churn_rate(c).value, churn_rate(c, "previous_12m").value)
    return values


def overview_kpis(prepared: PreparedDataset, totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the Overview's headline figures, each with its value a year earlier.

    Parameters
    ----------
    prepared : PreparedDataset
        The prepared dataset.
    totals : pandas.DataFrame, optional
        ``monthly_channel_totals(prepared)`` when the caller has it already (computed here when None).

    Returns
    -------
    pandas.DataFrame
        One row per metric of ``OVERVIEW_METRICS``: ``metric``, ``unit``, ``value``,
        ``previous`` (the same measure twelve months earlier, NaN when the data cannot say),
        ``delta`` (relative change, or difference in points / units per ``delta_kind``) and
        ``delta_kind``. Customers, AUM and shares refer to active customers; the churn rate is
        ``crm_core.definitions.churn_rate`` (closures among customers on the books a year earlier).
    """
    values = headline_values(prepared.customers, prepared.has("open_date") or prepared.has("closed_date"))
    totals = monthly_channel_totals(prepared) if totals is None else totals
    values["counter_txn_yoy"] = _counter_yoy(totals, prepared.as_of)
    rows = []
    for metric, unit, kind in OVERVIEW_METRICS:
        value, previous = values[metric]
        if kind == "relative":
            delta = value / previous - 1 if previous and math.isfinite(previous) else math.nan
        else:
            delta = value - previous
        rows.append((metric, unit, value, previous, delta, kind))
    return pd.DataFrame(rows, columns=["metric", "unit", "value", "previous", "delta", "delta_kind"])


def data_quality_notes(prepared: PreparedDataset) -> list[tuple[str, dict]]:
    """Return notes on what the dataset lacks or had to leave out, as (message key, parameters).

    The keys are translated by the UI; parameters are plain numbers or names.
    """
    c = prepared.customers
    notes: list[tuple[str, dict]] = []
    if prepared.monthly_channels is None:
        notes.append(("note_no_activity", {}))
    else:
        silent = int((c["months_since_active"] < 0).sum())
        if silent:
            notes.append(("note_customers_without_activity", {"count": silent}))
    if prepared.orphan_activity_rows:
        notes.append(("note_orphan_activity", {"count": prepared.orphan_activity_rows}))
    if not prepared.products:
        notes.append(("note_no_products", {}))
    missing = [f for f in ("aum_12m_ago", "open_date", "closed_date", "age", "branch") if not prepared.has(f)]
    if missing:
        notes.append(("note_missing_fields", {"fields": ", ".join(missing)}))
    return notes


def channel_mix_from_counts(prepared: PreparedDataset) -> pd.DataFrame:
    """Return the channel mix from per-channel count columns of the customers table (no activity table).

    Some extracts carry one count per channel per customer (visits to the branch, online logins,
    calls) over the extract's period instead of dated transactions: they give the mix, undated,
    never a trend. Active customers only.

    Returns
    -------
    pandas.DataFrame
        ``channel``, ``transactions``, ``share``; empty with an activity table or without count columns.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> c = pd.DataFrame({"is_active": [True, True, False], "counter_transactions": [1, 0, 9],
    ...                   "online_transactions": [1, 10, 9], "phone_transactions": [0, 8, 9]})
    >>> channel_mix_from_counts(SimpleNamespace(customers=c, monthly_channels=None))["share"].round(2).tolist()
    [0.05, 0.55, 0.4]
    """
    from crm_core.contract import channel_count_column

    columns = {channel: channel_count_column(channel) for channel in CHANNELS}
    customers = prepared.customers
    present = {channel: column for channel, column in columns.items() if column in customers.columns}
    if prepared.monthly_channels is not None or not present:
        return pd.DataFrame({"channel": [], "transactions": [], "share": []})
    active = customers["is_active"].to_numpy(dtype=bool)
    sums = {
        ch: float(np.nansum(customers[col].to_numpy(dtype=float, na_value=np.nan)[active]))
        for ch, col in present.items()
    }
    total = sum(sums.values())
    return pd.DataFrame(
        {
            "channel": list(sums),
            "transactions": list(sums.values()),
            "share": [v / total if total else math.nan for v in sums.values()],
        }
    )
