"""Engine-neutral customer rules, written once as Narwhals lazy expressions.

The customer-level half of preparation (``crm_core.engine_prepare`` holds the activity half):
blank units, churned and active, tenure, the alive and closed flags, product flags now and a
year ago, products held, payroll, AUM trend and age band, exactly as ``crm_core.prepare``'s
``prepared_customers`` defines them for frames in memory. The same functions run on DuckDB and
on PySpark; ``tests/test_engine_prepare.py`` proves they give ``prepare.py``'s columns, value
for value. Date boundaries are computed once in Python with the same pandas arithmetic as
``prepare.py`` and compared with the engine's timestamps (on Spark the session time zone must
be UTC, as for the activity rules).
"""

from __future__ import annotations

import narwhals.stable.v2 as nw
import pandas as pd

from crm_core.prepare import AGE_BANDS, NO_UNIT, AsOfBoundaries

UNITS: tuple[str, ...] = ("branch", "city", "relationship_manager")
"""Customer columns where a blank value is a unit of its own (``NO_UNIT``)."""


def _instant(timestamp: pd.Timestamp):
    """A literal the engines compare with their (naive) timestamp columns."""
    return pd.Timestamp(timestamp).to_pydatetime()


def reference_month(customers: nw.LazyFrame, activity: nw.LazyFrame | None) -> pd.Timestamp:
    """``prepare.reference_month`` on an engine: first day of the last activity month, else of the latest date.

    Parameters
    ----------
    customers : narwhals.LazyFrame
        Canonical customers (``open_date`` and ``closed_date`` when known).
    activity : narwhals.LazyFrame or None
        Canonical activity.

    Returns
    -------
    pandas.Timestamp
        The current month, as a placeholder, when nothing in the data is dated.
    """
    from crm_core.engine_prepare import activity_as_of, naive_timestamp

    if activity is not None:
        latest = activity_as_of(activity)
        if latest is not None:
            return latest
    names = customers.collect_schema().names()
    dates = [nw.col(c).max() for c in ("open_date", "closed_date") if c in names]
    found = []
    if dates:
        row = customers.select(*dates).collect().rows()[0]
        found = [naive_timestamp(value) for value in row if value is not None and not pd.isna(value)]
    latest = max(found) if found else pd.Timestamp.today()
    return pd.Timestamp(latest).to_period("M").to_timestamp()


def _held_per_customer(
    customers: nw.LazyFrame, holdings: nw.LazyFrame, boundaries: AsOfBoundaries
) -> tuple[nw.LazyFrame | None, tuple[str, ...], bool]:
    """Per known customer, whether each product is held now and (with open dates) a year ago.

    Returns the per-customer frame (``_held_<i>`` and ``_then_<i>`` counts, None without any
    product), the product names in the order of ``i``, and whether holdings carry open dates.
    """
    columns = holdings.collect_schema().names()
    known = holdings.join(customers.select("customer_id"), on="customer_id", how="semi").filter(
        ~nw.col("product").is_null()
    )
    # A group-by rather than ``unique``: on DuckDB Narwhals writes ``unique`` as a window (2.6x slower at 1M).
    found = known.group_by("product").agg(nw.len()).collect(backend="pandas").to_native()
    names = tuple(sorted(map(str, found["product"])))
    with_dates = "open_date" in columns
    if not names:
        return None, names, with_dates
    product = nw.col("product").cast(nw.String)
    held_now = nw.lit(value=True)
    if "close_date" in columns:  # a closed holding is not held now
        closed = nw.col("close_date")
        held_now = closed.is_null() | (closed > _instant(boundaries.month_end))
    cutoff = _instant(boundaries.holding_cutoff)
    # Held at the start of the same month a year earlier, and not closed before then.
    held_then = (nw.col("open_date") < cutoff).fill_null(value=False) if with_dates else nw.lit(value=False)
    if with_dates and "close_date" in columns:
        held_then = held_then & (nw.col("close_date").is_null() | (nw.col("close_date") >= cutoff))
    counts = {}
    for index, name in enumerate(names):
        counts[f"_held_{index}"] = nw.when((product == name) & held_now).then(1).otherwise(0)
        if with_dates:
            counts[f"_then_{index}"] = nw.when((product == name) & held_then).then(1).otherwise(0)
    per_customer = (
        known.with_columns(**counts)
        .group_by("customer_id")
        .agg(*(nw.col(column).sum().cast(nw.Int64) for column in counts))
    )
    return per_customer, names, with_dates


def customer_features(
    customers: nw.LazyFrame, holdings: nw.LazyFrame | None, as_of: pd.Timestamp
) -> tuple[nw.LazyFrame, tuple[str, ...]]:
    """Return the customers with every feature but the activity ones, and the products found.

    The rules of ``prepare.prepared_customers``: a blank branch, city or relationship manager is
    ``NO_UNIT``; ``churned`` (the extract's, a blank read as False, else a close date) and
    ``is_active``; ``tenure_months`` from ``open_date`` (``crm_core.definitions.tenure_months``);
    ``alive_12m_ago`` and ``alive_24m_ago`` (opened by, and not closed by, the end of the month
    12 and 24 months back; an extract's tenure stands for an opening on the first day of the
    month that many months back); ``closed_last_12m`` and ``closed_prev_12m``; ``has_<product>``
    from the flags or-ed with the holdings held now (not closed by the end of the as-of month);
    ``products_held`` (the extract's ``num_products`` wins where given) and
    ``products_held_12m_ago`` (holdings with open dates); ``is_payroll`` from the payroll
    service when the extract has none (missing where its flag is blank and nothing is held);
    ``aum_trend``; ``age_band`` as text (``AGE_BANDS``).

    Parameters
    ----------
    customers : narwhals.LazyFrame
        Canonical customers on any engine; other columns are kept in place.
    holdings : narwhals.LazyFrame or None
        Canonical holdings of the same engine.
    as_of : pandas.Timestamp
        First day of the reference month.

    Returns
    -------
    (narwhals.LazyFrame, tuple of str)
        Still lazy, in no particular row order, the columns in ``prepare.prepared_customers``'s
        order; and the sorted product names (one small query when there are holdings).
    """
    boundaries = AsOfBoundaries(pd.Timestamp(as_of))
    month_end = _instant(boundaries.month_end)
    year_end, two_years_end = _instant(boundaries.year_ago_end), _instant(boundaries.two_years_ago_end)
    original = customers.collect_schema().names()
    order = list(original)
    values: dict[str, nw.Expr] = {}

    def assign(column: str, expression: nw.Expr) -> None:
        if column not in order:
            order.append(column)
        values[column] = expression.alias(column)

    for unit in UNITS:
        if unit in original:
            assign(unit, nw.col(unit).cast(nw.String).fill_null(NO_UNIT))

    closed = nw.col("closed_date") if "closed_date" in original else None
    if "churned" in original:
        churned = nw.col("churned").fill_null(value=False)
    elif closed is not None:
        churned = ~closed.is_null()
    else:
        churned = nw.lit(value=False)
    if "churned" in original or closed is not None:
        assign("churned", churned)
    assign("is_active", ~churned)

    def opened_by(boundary, months: int) -> nw.Expr:
        """Opened by the boundary (the end of the month ``months`` back), or not known when."""
        if "open_date" in original:
            return nw.col("open_date").is_null() | (nw.col("open_date") <= boundary)
        if "tenure_months" in original:
            # An opening on the first day of the month ``tenure`` months back is by the end of the
            # month ``months`` back exactly when the tenure is at least ``months``.
            return nw.col("tenure_months").is_null() | (nw.col("tenure_months").cast(nw.Int64) >= months)
        return nw.lit(value=True)

    if "open_date" in original:
        opened = nw.col("open_date")
        end = boundaries.month_end
        months = (end.year - opened.dt.year()) * 12 + (end.month - opened.dt.month())
        months = months - nw.when(opened.dt.day() > end.day).then(1).otherwise(0)
        assign("tenure_months", nw.when(months < 0).then(0).otherwise(months).cast(nw.Int64))

    def not_closed_by(boundary) -> nw.Expr:
        return nw.lit(value=True) if closed is None else closed.is_null() | (closed > boundary)

    def closed_between(after, until) -> nw.Expr:
        if closed is None:
            return nw.lit(value=False)
        return ((closed > after) & (closed <= until)).fill_null(value=False)

    assign("alive_12m_ago", opened_by(year_end, 12) & not_closed_by(year_end))
    assign("alive_24m_ago", opened_by(two_years_end, 24) & not_closed_by(two_years_end))
    assign("closed_last_12m", closed_between(year_end, month_end))
    assign("closed_prev_12m", closed_between(two_years_end, year_end))

    flags = {c.removeprefix("has_"): nw.col(c).fill_null(value=False) for c in original if c.startswith("has_")}
    year_ago_flags: dict[str, nw.Expr] = {}
    per_customer = None
    if holdings is not None:
        per_customer, names, with_dates = _held_per_customer(customers, holdings, boundaries)
        for index, name in enumerate(names):
            held = nw.col(f"_held_{index}").fill_null(0) > 0
            flags[name] = flags[name] | held if name in flags else held
            if with_dates:
                year_ago_flags[name] = nw.col(f"_then_{index}").fill_null(0) > 0
    products = tuple(sorted(flags))
    for name in products:
        assign(f"has_{name}", flags[name].cast(nw.Boolean))
    counted = nw.sum_horizontal(*(flags[name].cast(nw.Int64) for name in products)) if products else None
    if counted is not None:
        assign("products_held", counted.cast(nw.Int64))
    if "num_products" in original:
        # The file's own product count covers products it has no flag for: it wins wherever it is given.
        stated = nw.col("num_products").cast(nw.Float64)
        fallback = counted.cast(nw.Float64) if counted is not None else nw.lit(None, dtype=nw.Float64)
        assign("products_held", nw.when(stated.is_null()).then(fallback).otherwise(stated))
    if year_ago_flags and len(year_ago_flags) == len(products):
        then = nw.sum_horizontal(*(year_ago_flags[name].cast(nw.Int64) for name in products))
        assign("products_held_12m_ago", then.cast(nw.Int64))
    if "is_payroll" not in original and "payroll_service" in flags:
        payroll = flags["payroll_service"]
        if "has_payroll_service" in original:  # a blank flag with nothing held is not known
            payroll = nw.when(payroll).then(nw.lit(value=True)).otherwise(nw.col("has_payroll_service"))
        assign("is_payroll", payroll.cast(nw.Boolean))

    if "aum_12m_ago" in original:
        before = nw.col("aum_12m_ago").cast(nw.Float64)
        assign("aum_trend", nw.when(before > 0).then(nw.col("aum").cast(nw.Float64) / before - 1.0))
    if "age" in original:
        age = nw.col("age").cast(nw.Float64)
        band = nw.lit(None, dtype=nw.String)
        for low, high, label in reversed(AGE_BANDS):
            band = nw.when((age >= low) & (age < high)).then(nw.lit(label)).otherwise(band)
        assign("age_band", band)

    frame = customers if per_customer is None else customers.join(per_customer, on="customer_id", how="left")
    return frame.select(*(values.get(column, nw.col(column)) for column in order)), products
