"""What a file is, from its header and a sample of its rows: the shape the report names.

Shapes
------
customers
    One row per customer: an id (or none: ids are then generated) and customer fields such as AUM.
transactions
    One row per transaction: repeated customer ids, a transaction date or date-time, and a
    channel, location or amount (``crm_core.loading.transactions``).
activity
    Monthly activity: customer id, month, channel and a transaction count.
holdings
    One row per product held: customer id and product, no AUM.
flags
    Customer ids with yes/no product columns and no AUM (a holdings matrix).
lookup
    No customer id column: a reference table (branch codes, product names, ...), not customer data.

``confidence`` is "high" when the headers and the sampled values agree, "medium" when only the
headers (or only the values) say so, "low" for the fallback.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from crm_core.contract import VALUE_MEASURES
from crm_core.loading.mapping import EVENT_DATE, suggested_columns, suggested_field
from crm_core.loading.transactions import transaction_columns, transaction_dates
from crm_core.loading.values import is_boolean_like, parse_text

SHAPES: tuple[str, ...] = ("customers", "transactions", "activity", "holdings", "flags", "lookup")


@dataclass(frozen=True)
class Shape:
    """The detected shape of one file, why, and how sure.

    Attributes
    ----------
    kind : str
        One of ``SHAPES``.
    reason : str
        The evidence, in words (columns found, ids repeating, dates read).
    confidence : str
        "high", "medium" or "low".
    """

    kind: str
    reason: str
    confidence: str

    def to_dict(self) -> dict:
        """Return the shape as JSON-able built-in types."""
        return asdict(self)


def _repeats(sample: pd.DataFrame | None, column: str) -> bool | None:
    """Whether ids repeat in the sample (None when it cannot tell)."""
    if sample is None or column not in sample.columns:
        return None
    ids = parse_text(sample[column].astype("string")).dropna()
    return bool(ids.duplicated().any()) if len(ids) > 1 else None


def _dates_read(sample: pd.DataFrame | None, column: str) -> float | None:
    """Share of the sample's present cells read as dates (placeholders count as dates)."""
    if sample is None or column not in sample.columns:
        return None
    dates = transaction_dates(sample[column])
    present = int((~dates.missing).sum())
    return (int(dates.valid.sum()) + int(dates.placeholder.sum())) / present if present else None


def _transactions(columns: tuple[str, ...], sample: pd.DataFrame | None) -> Shape | None:
    found = transaction_columns(columns)
    activity = set(suggested_columns("activity", columns).values())
    if "customer_id" not in found or EVENT_DATE not in found or "month" in activity:
        return None
    extras = [name for name in ("channel", "location", "branch", "amount") if name in found]
    if not extras:
        return None
    value_column = next((c for c, name in suggested_columns("customers", columns).items() if name == "aum"), None)
    if value_column is not None and value_column != found.get("balance"):
        return None  # an AUM column: a customers extract that happens to carry a date
    repeats = _repeats(sample, found["customer_id"])
    dated = _dates_read(sample, found[EVENT_DATE])
    if (repeats is False and set(extras) <= {"branch"}) or (dated is not None and dated < 0.5):
        return None  # distinct ids, a date and a branch: customers with an as-of date
    evidence = [
        f"customer id {found['customer_id']!r}",
        f"transaction date {found[EVENT_DATE]!r}",
        *(f"{name} {found[name]!r}" for name in extras),
    ]
    if repeats:
        evidence.append("customer ids repeat in the first rows")
    if dated is not None:
        evidence.append(f"{dated:.0%} of sampled dates read")
    confidence = "high" if repeats and dated is not None and dated >= 0.9 else "medium"
    return Shape("transactions", "; ".join(evidence), confidence)


def file_shape(columns: tuple[str, ...], sample: pd.DataFrame | None = None) -> Shape:
    """Return the shape of a file from its header and (optionally) a sample of its rows.

    Parameters
    ----------
    columns : tuple of str
        Header, in file order.
    sample : pandas.DataFrame, optional
        First rows as text (``Preview.sample``); without it only headers count.

    Examples
    --------
    >>> sample = pd.DataFrame({"客户号": ["C1", "C1", "C2"], "交易日期": ["2024-01-05", "5/2/24", "240301"],
    ...                        "渠道": ["手机银行", "柜面", "ATM"], "交易金额": ["10", "20", "5"]})
    >>> shape = file_shape(tuple(sample.columns), sample)
    >>> shape.kind, shape.confidence
    ('transactions', 'high')
    >>> file_shape(("branch_code", "branch_name")).kind
    'lookup'
    """
    columns = tuple(columns)
    transactions = _transactions(columns, sample)
    if transactions is not None:
        return transactions
    activity = suggested_columns("activity", columns)
    fields = set(activity.values())
    if {"customer_id", "month", "channel"} <= fields:
        return Shape("activity", "customer id, month and channel columns: monthly activity", "high")
    customers = suggested_columns("customers", columns, sample)
    customer_fields = set(customers.values())
    holdings = suggested_columns("holdings", columns)
    others = tuple(column for column in columns if column not in holdings)  # a product's balance is no AUM
    if "product" in holdings.values() and "aum" not in suggested_columns("customers", others).values():
        column = next(c for c, name in holdings.items() if name == "product")
        return Shape("holdings", f"product column {column!r} and no AUM: one row per product held", "high")
    has_id = "customer_id" in customer_fields
    flags = [c for c, name in customers.items() if name.startswith("has_")]
    measure = next((m for m in VALUE_MEASURES if m in customer_fields), None)
    if has_id and flags and measure is None:
        yes_no = sample is not None and all(c in sample.columns and is_boolean_like(sample[c]) for c in flags)
        reason = f"customer ids and {len(flags)} yes/no product columns ({', '.join(flags[:3])}), no value measure"
        return Shape("flags", reason, "high" if yes_no else "medium")
    if measure is not None:
        column = next(c for c, name in customers.items() if name == measure)
        what = "AUM column" if measure == "aum" else f"value measure {measure}, column"
        repeats = _repeats(sample, next((c for c, n in customers.items() if n == "customer_id"), ""))
        if repeats:
            return Shape("customers", f"{what} {column!r}, but customer ids repeat in the first rows", "low")
        return Shape("customers", f"{what} {column!r}: one row per customer", "high" if has_id else "medium")
    if not has_id:
        named = [c for c in columns if suggested_field("customers", c)]
        if len(named) < 2:
            return Shape("lookup", "no customer id column and no customer fields: a reference table", "medium")
    return Shape("customers", "no better match: read as customers", "low")
