"""Memory needed to load and prepare uploads, estimated from the bytes before anything is decoded.

A 200 MB Parquet file can hold a billion cells: decoding it first and failing later would take
the server down with it. ``estimated_peak_bytes`` reads only sizes (the byte count of text, the
row and column counts in a Parquet footer, the unpacked size of a workbook's XML) and multiplies
them by factors measured on the generated bank (``load_dataset`` + ``prepared_dataset``, peak
resident memory above the process's baseline, 50k customers, 36 months):

================  =========================  ====================
format            measured peak              factor used
================  =========================  ====================
CSV / TSV / TXT   8.5x the file's bytes      9 bytes per byte,
                  106 bytes per line         and at least 120 per line
Parquet           49 bytes per cell          50 bytes per cell
Excel .xlsx       4.9x the unpacked XML      5 bytes per byte
================  =========================  ====================

Short lines cost more than their bytes (every row is a row of the frame): five million blank
lines, a 5 MB file, peak at 530 MB, so text is estimated from its line count too.

A workbook is estimated from the unpacked sizes its ZIP directory declares (``zipfile`` never
hands a reader more), not from the ``<dimension>`` its sheets declare: the reader reads only
the cells the XML holds, so a forged ``A1:XFD1048576`` costs nothing, and a true dimension
can only describe cells that are in the XML. Workbooks too large or too compressed to open
at all (``reading.XLSX_LIMITS``) are refused by the reader before openpyxl sees them.
"""

from __future__ import annotations

import zipfile

import pyarrow as pa
import pyarrow.parquet as pq

from crm_core.archives import zip_contents
from crm_core.loading.reading import file_kind

PEAK_PER_TEXT_BYTE = 9.0
PEAK_PER_TEXT_LINE = 120.0
PEAK_PER_PARQUET_CELL = 50.0
PEAK_PER_XML_BYTE = 5.0


def _file_estimate(name: str, data: bytes) -> tuple[int, str]:
    """Estimated peak bytes of one file and what it was estimated from, in words."""
    kind = file_kind(data)
    if kind == "parquet":
        try:
            meta = pq.read_metadata(pa.BufferReader(data))
        except (OSError, ValueError, pa.ArrowException):
            return int(len(data) * PEAK_PER_TEXT_BYTE), f"{len(data) / 1e6:,.0f} MB"
        cells = meta.num_rows * meta.num_columns
        return int(cells * PEAK_PER_PARQUET_CELL), f"{meta.num_rows:,} rows × {meta.num_columns} columns"
    if kind == "xlsx":
        try:
            unpacked = zip_contents(data).unpacked_bytes
        except (OSError, ValueError, EOFError, zipfile.BadZipFile):
            unpacked = len(data)
        return int(unpacked * PEAK_PER_XML_BYTE), f"{unpacked / 1e6:,.0f} MB of sheet XML"
    lines = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    peak = max(len(data) * PEAK_PER_TEXT_BYTE, lines * PEAK_PER_TEXT_LINE)
    return int(peak), f"{len(data) / 1e6:,.0f} MB, {lines:,} lines"


def estimated_peak_bytes(files: list[tuple[str, bytes]]) -> int:
    """Return the estimated peak memory (bytes) of loading and preparing ``files`` together.

    Examples
    --------
    >>> estimated_peak_bytes([("c.csv", b"customer_id,aum\\n" * 1000)])  # 16 kB, 9 bytes a byte
    144000
    >>> estimated_peak_bytes([("c.csv", b"\\n" * 1000)])  # 1 kB of blank lines, 120 bytes a line
    120000
    """
    return sum(_file_estimate(name, data)[0] for name, data in files)


def memory_refusal(files: list[tuple[str, bytes]], limit_bytes: int) -> str | None:
    """Return why ``files`` are refused (they would need more than ``limit_bytes``), or None.

    Examples
    --------
    >>> memory_refusal([("c.csv", b"id,aum\\n" * 1000)], limit_bytes=10**9) is None
    True
    >>> print(memory_refusal([("c.csv", b"id,aum\\n" * 1000)], limit_bytes=10_000))  # doctest: +NORMALIZE_WHITESPACE
    these files would need about 0.0 GB of memory to load and prepare (c.csv: 0 MB, 1,000 lines), more than the
    0.0 GB this server allows; load one region or branch at a time, or prepare the whole bank with
    `python -m crm_core prepare` (on Spark for data-lake tables) and open the prepared folder on the Data page
    """
    estimates = [(name, *_file_estimate(name, data)) for name, data in files]
    needed = sum(peak for _, peak, _ in estimates)
    if needed <= limit_bytes:
        return None
    parts = "; ".join(f"{name}: {what}" for name, _, what in estimates)
    return (
        f"these files would need about {needed / 1e9:.1f} GB of memory to load and prepare ({parts}), more "
        f"than the {limit_bytes / 1e9:.1f} GB this server allows; load one region or branch at a time, or "
        "prepare the whole bank with `python -m crm_core prepare` (on Spark for data-lake tables) and open the "
        "prepared folder on the Data page"
    )
