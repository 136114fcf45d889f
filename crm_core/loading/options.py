"""Read and load options: frozen, hashable, JSON-friendly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DATE_ORDERS: tuple[str, ...] = ("auto", "DMY", "MDY")
"""How ``NN/NN/YYYY`` dates are read: decided from the data, day first, or month first."""

AMBIGUOUS_DATE_DEFAULT: str = "DMY"
"""Order used when ``date_order="auto"`` and no value in a column decides it (e.g. only ``03/04/2024``)."""

DUPLICATE_POLICIES: tuple[str, ...] = ("keep_first", "sum", "reject", "keep_latest")
"""What happens to customers rows sharing a ``customer_id``."""

TABLE_NAMES: tuple[str, ...] = ("customers", "activity", "holdings")


@dataclass(frozen=True)
class LoadOptions:
    """How files are read and turned into canonical tables.

    Every read setting left at ``None`` is detected; a value set here wins over the
    detection, and a value saved in a file's ``Mapping`` wins over both.

    Parameters
    ----------
    encoding : str or None
        Text encoding, e.g. ``"utf-8"``, ``"gb18030"``, ``"cp1252"``. ``None`` detects
        UTF-8 (with or without BOM), then GB18030, then Windows-1252 / Latin-1.
    delimiter : str or None
        Field delimiter of text files; ``None`` sniffs ``,`` ``;`` tab and ``|``.
    sheet : str or int or None
        Excel sheet name or 0-based position; ``None`` reads the first sheet.
    date_order : {"auto", "DMY", "MDY"}
        Order of ``NN/NN/YYYY`` dates. ``"auto"`` decides per column from values whose
        first or second number exceeds 12 and falls back to ``AMBIGUOUS_DATE_DEFAULT``
        (day first) with a warning.
    duplicate_policy : {"keep_first", "sum", "reject"}
        Customers rows sharing an id: keep the first row (later ones rejected), sum the
        money fields into the first row (other fields from the first row), or reject
        every row of a duplicated id, or keep the latest row: the one with the latest
        ``snapshot_date`` (e.g. Santander's ``fecha_dato``), else the last in the file
        (earlier rows rejected, counted with the reason ``duplicate customer_id (keep_latest)``).
    parentheses_negative : bool
        Read ``(1,234.00)`` as ``-1234.0`` (accounting style).
    as_of : datetime.date or None
        Extract date ages are counted to (from a birth date); ``None`` uses the last activity
        month, else the latest ``open_date`` / ``closed_date`` of the file. Tenure, churn,
        products held and payroll are preparation's rules (``crm_core.prepare``), counted to the
        as-of month, not load-time columns.
    table : {"customers", "activity", "holdings"} or None
        Force the table of every file instead of guessing it from the columns.
    """

    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | int | None = None
    date_order: str = "auto"
    duplicate_policy: str = "keep_first"
    parentheses_negative: bool = True
    as_of: date | None = None
    table: str | None = None

    def __post_init__(self) -> None:
        if self.date_order not in DATE_ORDERS:
            raise ValueError(f"date_order must be one of {DATE_ORDERS}, got {self.date_order!r}")
        if self.duplicate_policy not in DUPLICATE_POLICIES:
            raise ValueError(f"duplicate_policy must be one of {DUPLICATE_POLICIES}, got {self.duplicate_policy!r}")
        if self.table is not None and self.table not in TABLE_NAMES:
            raise ValueError(f"table must be one of {TABLE_NAMES}, got {self.table!r}")
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise ValueError(f"delimiter must be one character, got {self.delimiter!r}")


DEFAULT_OPTIONS = LoadOptions()
"""Detect everything, day-first when undecidable, keep the first of duplicate customers."""
