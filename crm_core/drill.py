"""Drill-through: the customers behind a branch, manager or group, by the value at stake.

A drill is a filter (``crm_core.filters``): clicking a branch on a chart narrows every view to
it. This module gives the list a drill ends in: the active customers of the (filtered) dataset,
each with the AUM expected to leave in the next twelve months (churn probability × AUM), the
largest first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.prepare import PreparedDataset

LIST_COLUMNS = ("customer_id", "branch", "relationship_manager", "aum", "churn_probability", "expected_aum_loss")


def customers_at_stake(prepared: PreparedDataset, probabilities: np.ndarray | None, limit: int = 200) -> pd.DataFrame:
    """Return the active customers by expected AUM loss (probability × AUM), largest first.

    Parameters
    ----------
    prepared : PreparedDataset
        The (filtered) prepared dataset.
    probabilities : numpy.ndarray or None
        12-month churn probability per customer (NaN = not scored); None without a churn model,
        when the list is by AUM instead.
    limit : int
        Rows returned.

    Returns
    -------
    pandas.DataFrame
        The ``LIST_COLUMNS`` the data has; customers without a probability come last.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> c = pd.DataFrame({"customer_id": ["a", "b", "c"], "aum": [100.0, 50.0, 900.0],
    ...                   "is_active": [True, True, False]})
    >>> customers_at_stake(SimpleNamespace(customers=c), np.array([0.1, 0.5, 0.9]))["customer_id"].tolist()
    ['b', 'a']
    """
    c = prepared.customers
    active = c["is_active"].to_numpy(dtype=bool)
    frame = pd.DataFrame({column: c[column] for column in LIST_COLUMNS[:4] if column in c.columns})
    aum = c["aum"].to_numpy(dtype=float)
    if probabilities is not None:
        frame["churn_probability"] = probabilities
        frame["expected_aum_loss"] = probabilities * aum
        order = "expected_aum_loss"
    else:
        order = "aum"
    frame = frame.loc[active].sort_values(order, ascending=False, na_position="last", kind="stable")
    listed = frame.head(limit).reset_index(drop=True)
    # A list's units as text (the prepared customers hold them as categories of the whole bank).
    return listed.astype({column: "string" for column in LIST_COLUMNS[:3] if column in listed})
