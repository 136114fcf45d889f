"""Small hand-built datasets for examples, tests and documentation of the visits views."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from crm_core.dataset import Dataset, channel_dtype


def monthly_dataset(
    customers: pd.DataFrame,
    counts: Mapping[tuple[str, str], Sequence[int]],
    first_month: str = "2024-01",
    name: str = "example",
) -> Dataset:
    """Return a ``Dataset`` whose activity is given as monthly counts per (customer, channel).

    Parameters
    ----------
    customers : pandas.DataFrame
        Canonical customers table (at least ``customer_id`` and ``aum``). Not modified.
    counts : mapping
        ``(customer_id, channel) -> [count per month]`` from ``first_month`` on; zero months
        produce no row, as in a real extract. All sequences should have the same length.
    first_month : str
        ``YYYY-MM`` of the first count.
    name : str

    Examples
    --------
    >>> customers = pd.DataFrame({"customer_id": ["A"], "aum": [1.0]})
    >>> data = monthly_dataset(customers, {("A", "counter"): [3, 0, 2]})
    >>> data.activity[["month", "transactions"]].astype(str).values.tolist()
    [['2024-01-01', '3'], ['2024-03-01', '2']]
    """
    rows = []
    start = pd.Timestamp(first_month + "-01")
    for (customer, channel), series in counts.items():
        for i, value in enumerate(series):
            if value:
                rows.append((customer, start + pd.DateOffset(months=i), channel, int(value)))
    ids, months, channels, transactions = zip(*rows, strict=True) if rows else ((), (), (), ())
    activity = pd.DataFrame(
        {
            "customer_id": pd.array(list(ids), dtype="string"),
            "month": pd.to_datetime(list(months)) if rows else pd.Series(dtype="datetime64[ns]"),
            "channel": pd.Categorical(list(channels), dtype=channel_dtype()),
            "transactions": np.asarray(transactions, dtype=np.int64),
        }
    )
    table = customers.copy()
    table["customer_id"] = table["customer_id"].astype("string")
    return Dataset(name, table, activity, None, fingerprint=name)
