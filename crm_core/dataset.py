"""The ``Dataset``: three canonical tables plus a fingerprint.

A ``Dataset`` is what a loader returns and what preparation consumes. Its frames follow
``crm_core.contract``: column names are canonical and dtypes fixed, so nothing downstream
re-validates them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_core.contract import CHANNELS


@dataclass(frozen=True, eq=False)
class Dataset:
    """Canonical customers, activity and holdings tables of one bank extract.

    Parameters
    ----------
    name : str
        What the user calls it (file name or "Bank A sample").
    customers : pandas.DataFrame
        One row per customer with at least ``customer_id`` (string) and ``aum`` (float, CNY).
    activity : pandas.DataFrame or None
        Monthly ``customer_id`` (string, or categorical as read from Parquet: faster to join),
        ``month`` (datetime64, first of month), ``channel``
        (categorical over ``CHANNELS``), ``transactions`` (int64), optional ``amount``.
    holdings : pandas.DataFrame or None
        Long form ``customer_id``, ``product``, optional ``balance`` and ``open_date``.
    fingerprint : str
        sha256 hex digest of the source bytes (and mapping); the key of every cache.
    activity_file : str or None
        A Parquet file holding the activity instead of ``activity`` (an opened artefact):
        hundreds of millions of rows stay on disk and the few views that need rows read them
        in batches (``crm_core.artefact.activity_code_batches``).
    activity_rows : int
        Rows in ``activity_file``.
    value_measure : str
        What the ``aum`` column holds: ``aum`` (deposits plus investments), or the measure that
        stands in for it when the extract has no AUM (``credit_limit``, ``deposit_balance``, …);
        every surface names it.
    currency : str
        ISO code of the amounts (detected from the file's symbols and headers; CNY by default).
    holdings_file : str or None
        A Parquet file holding the holdings instead of ``holdings`` (an opened artefact: the
        views read the prepared ``has_<product>`` flags; only a new preparation reads it).
    visit_cube_file : str or None
        An opened artefact's stored visit cube (``crm_core.visits.cube.store_visit_cube``): the
        visits view reads its planes instead of streaming ``activity_file``.
    cube_columns : numpy.ndarray or None
        The column of ``visit_cube_file`` of each row of ``customers`` when they are a subset of the
        artefact's customers (a branch filter); None when row ``i`` is column ``i``.
    location_activity : pandas.DataFrame or None
        A transaction log without a channel column but with a location: ``customer_id``, ``month``,
        ``branch`` (where the transactions happened) and ``transactions`` (all channels). Not activity:
        nothing in it says counter or digital. The Visits page shows its trend by location.
    """

    name: str
    customers: pd.DataFrame
    activity: pd.DataFrame | None
    holdings: pd.DataFrame | None
    fingerprint: str
    activity_file: str | None = None
    activity_rows: int = 0
    holdings_file: str | None = None
    visit_cube_file: str | None = None
    cube_columns: np.ndarray | None = None
    value_measure: str = "aum"
    currency: str = "CNY"
    location_activity: pd.DataFrame | None = None

    @property
    def activity_row_count(self) -> int:
        """Activity rows, whether in memory or on disk."""
        return len(self.activity) if self.activity is not None else self.activity_rows

    @property
    def short_fingerprint(self) -> str:
        """First 12 hex digits of the fingerprint, for display."""
        return self.fingerprint[:12]


def fingerprint_of(parts: Iterable[bytes], started: hashlib._Hash | None = None) -> str:
    """Return the sha256 hex digest of byte strings, each length-prefixed so boundaries count.

    ``started`` is ``fingerprint_started(first_parts)``: the digest goes on from there, so the result
    equals ``fingerprint_of(first_parts + parts)`` (a loader hashes a file's bytes while it parses them).

    Examples
    --------
    >>> fingerprint_of([b"a", b"bc"]) != fingerprint_of([b"ab", b"c"])
    True
    >>> fingerprint_of([b"bc"], fingerprint_started([b"a"])) == fingerprint_of([b"a", b"bc"])
    True
    """
    digest = fingerprint_started(parts, started)
    return digest.hexdigest()


def fingerprint_started(parts: Iterable[bytes], started: hashlib._Hash | None = None) -> hashlib._Hash:
    """Return the running sha256 of ``fingerprint_of`` after ``parts`` (hashlib releases the GIL on large parts)."""
    digest = started.copy() if started is not None else hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest


def channel_dtype() -> pd.CategoricalDtype:
    """Return the categorical dtype of the activity ``channel`` column (codes follow ``CHANNELS``)."""
    return pd.CategoricalDtype(list(CHANNELS), ordered=False)
