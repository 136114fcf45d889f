"""The one exception the loader raises on purpose."""

from __future__ import annotations


class LoadError(ValueError):
    """An upload cannot be turned into a canonical table.

    The message says what the file looks like and what is expected, in words a bank
    analyst can act on (for example "the file is gzip-compressed; expected CSV, Excel
    .xlsx or Parquet").
    """
