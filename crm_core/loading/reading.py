"""From uploaded bytes to a raw table of cells: format, encoding and delimiter detection.

Reading happens in two steps so the mapping can steer the parser:

1. ``preview_file`` recognises the format (CSV/TSV/TXT, Excel .xlsx, Parquet), the text
   encoding and the delimiter, reads the header and a sample of rows. Files that cannot
   be a table are refused here with a ``LoadError``.
2. ``read_rows`` reads every row. Text files go through ``pyarrow.csv`` (columns meant
   to be numbers are parsed by Arrow directly; a column Arrow cannot parse falls back to
   text and the vectorised parsers of ``values``). Ragged rows (too many or too few
   fields) are rejected one by one with their row number and raw text.

Row numbers are those a person sees in the file: the header is row 1 of a CSV or a
sheet, the first data row is row 2; Parquet rows count from 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pa_compute
import pyarrow.csv as pa_csv

from crm_core.archives import ZipLimits, zip_problem
from crm_core.loading.errors import SAVE_AS_CSV, TABLE_EXPECTED, LoadError, refusal
from crm_core.loading.options import DEFAULT_OPTIONS, LoadOptions
from crm_core.loading.values import MISSING_MARKERS, without_bidi_controls
from crm_core.messages import Count, Message
from crm_core.text_safety import strip_bidi

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
"""Delimiters the sniffer tries, in order of preference on a tie."""

DELIMITER_NAMES: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

SAMPLE_ROWS = 200
_SAMPLE_BYTES = 256 * 1024
_MAX_TYPE_RETRIES = 3

# pyarrow compares null markers exactly, so list the usual spellings of the missing markers.
_ARROW_NULLS: list[str] = sorted(
    {variant for marker in MISSING_MARKERS for variant in (marker, marker.upper(), marker.title())}
)
_ARROW_NULLS_BUT_NAN: list[str] = [marker for marker in _ARROW_NULLS if marker.casefold() != "nan"]
"""With these, Arrow reads a ``nan`` cell of a number column as NaN, not missing, so it can be counted."""


@dataclass(frozen=True)
class RejectedRow:
    """A row refused while reading or converting, as the file shows it."""

    row: int
    text: str
    reason: Message


BLANK_LINE = Message("load_reason_blank_line")
"""The rejection reason of a row with no value in any cell."""


@dataclass(frozen=True, eq=False)
class Preview:
    """What ``preview_file`` learned about a file: layout, header and a sample of rows.

    ``sample`` holds up to ``SAMPLE_ROWS`` rows as text, for mapping suggestions.
    ``payload`` keeps what ``read_rows`` needs (UTF-8 bytes of a text file, or the
    complete frame of a workbook or Parquet file).
    """

    name: str
    format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    sheet_names: tuple[str, ...]
    columns: tuple[str, ...]
    sample: pd.DataFrame
    warnings: tuple[str, ...] = ()
    payload: object = field(default=None, repr=False)
    trailing_column: bool = False


@dataclass(frozen=True, eq=False)
class RawTable:
    """Every row read from a file: cells (text or already typed), row numbers and refused rows."""

    preview: Preview
    frame: pd.DataFrame
    row_numbers: np.ndarray
    rejected: tuple[RejectedRow, ...]
    nan_cells: tuple[tuple[str, int], ...] = ()
    """Per number column Arrow read with ``nan_as_number``: cells that held the text ``nan`` (now NaN)."""

    @property
    def rows_read(self) -> int:
        """Data rows in the file, refused ones included."""
        return len(self.frame) + len(self.rejected)


def file_kind(data: bytes) -> str:
    """Return "xlsx", "parquet", "text" or a word naming a refused kind ("gzip", "zip", "binary", ...)."""
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except Exception:
            return "zip"
        return "xlsx" if "xl/workbook.xml" in names else "zip"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    if data[:4] == b"%PDF":
        return "pdf"
    if data[:3] in (b"BZh",) or data[:6] == b"7z\xbc\xaf\x27\x1c" or data[:4] == b"Rar!":
        return "archive"
    return "text"


_REFUSALS = {
    "gzip": Message("load_refused_gzip"),
    "zip": Message("load_refused_zip"),
    "xls": Message("load_refused_xls"),
    "pdf": Message("load_refused_pdf"),
    "archive": Message("load_refused_archive"),
    "binary": Message("load_refused_binary"),
}


@dataclass(frozen=True)
class DecodedText:
    """The text of a file (or of its head), how it was decoded and, when detected, the runner-up.

    ``detected`` is True when the text was not UTF-8 and its encoding was detected; ``runner_up`` is
    then the encoding the detector ranked next (None when no other candidate decodes the text),
    named in the report so that a wrong guess can be overridden.
    """

    text: str
    encoding: str
    complete: bool = True
    detected: bool = False
    runner_up: str | None = None

    @property
    def warning(self) -> Message | None:
        """The report's warning when the text was not UTF-8 and nobody chose the encoding, else None.

        A catalog message, rendered where it is shown (``crm_core.loading.report.report_text``): most
        files a Chinese bank exports are GB18030, so the warning must read in the page's language.
        """
        if self.encoding == "utf-16":
            return Message("warn_utf16")
        if not self.detected:
            return None
        runner_up = self.runner_up or Message("warn_encoding_no_runner_up")
        return Message("warn_encoding_detected", encoding=self.encoding, runner_up=runner_up)


DETECTED_ENCODINGS: tuple[str, ...] = ("gb18030", "big5", "cp1252", "latin_1")
"""What charset-normalizer chooses among for text that is not UTF-8 (its codec names): what a Chinese
or a Western bank's systems export. GB18030 is a superset of GBK and GB2312 and keeps rare characters
such as 䶮; UTF-16 is recognised by its byte-order mark before any detection."""

_REPORTED_NAMES = {"latin_1": "latin-1", "gbk": "gb18030", "gb2312": "gb18030"}

DETECTION_SAMPLE_BYTES = 256 * 1024
"""Bytes the detector sees: the header line and the first lines holding non-ASCII bytes."""

# charset-normalizer drops a candidate whose text is too garbled ("chaos" above its threshold: GBK read
# as cp1252 scores about 1.9); a threshold no text reaches keeps every candidate that decodes, so that
# a runner-up can be named. The ranking itself (least garbled first) does not depend on it.
_ANY_CHAOS = 100.0

_NON_ASCII = re.compile(rb"[\x80-\xff]")
# A byte below 0x30 (controls, space, punctuation such as , ; |) is never the trailing byte of a GBK,
# GB18030 or Big5 character, so a sample cut after one never splits a character.
_SAFE_CUT = re.compile(rb"[\x00-\x2f][^\x00-\x2f]*\Z")


def _cut_safely(line: bytes, size: int) -> bytes:
    if len(line) <= size:
        return line
    found = _SAFE_CUT.search(line, 0, size)
    return line[: found.start() + 1] if found else b""


def detection_sample(data: bytes, limit: int = DETECTION_SAMPLE_BYTES) -> bytes:
    """Return the header line and the first whole lines holding non-ASCII bytes, about ``limit`` bytes.

    Only non-ASCII bytes tell encodings apart, and an extract sorted by id may hold its first accented
    or Chinese name far from its head: the sample looks for them (a C-speed search) rather than
    taking the first bytes. A line longer than what is left of ``limit`` is cut where no character
    can be split.

    Examples
    --------
    >>> detection_sample(b"id,name\\n1,Ann\\n2,Ren\\xe9e\\n3,Bob\\n")
    b'id,name\\n2,Ren\\xe9e\\n'
    """
    end = data.find(b"\n")
    parts = [_cut_safely(data[: len(data) if end < 0 else end + 1], limit)]
    size = position = len(parts[0])
    while size < limit and (found := _NON_ASCII.search(data, position)) is not None:
        start = data.rfind(b"\n", 0, found.start()) + 1
        stop = data.find(b"\n", found.start())
        line = _cut_safely(data[start : len(data) if stop < 0 else stop + 1], limit - size)
        if not line:
            break
        parts.append(line)
        size += len(line)
        position = start + len(line)
    return b"".join(parts)


def detected_encoding(data: bytes) -> tuple[str, str | None]:
    """Return the encoding of text that is not UTF-8 and the runner-up, ranked by charset-normalizer.

    The detector sees ``detection_sample(data)`` only, so its cost is bounded whatever the file's
    size. It stops early on a clear winner; the runner-up is then the best of the other candidates.
    When no candidate fits (binary data, most likely), the answer is latin-1, which decodes any
    bytes, so that the reader can say what the file looks like.

    Examples
    --------
    >>> detected_encoding("id;ville\\n1;Besançon\\n2;Orléans\\n".encode("cp1252"))[0]
    'cp1252'
    >>> detected_encoding("客户号,网点\\nC1,东城支行\\n".encode("gbk"))[0]
    'gb18030'
    """
    from charset_normalizer import from_bytes

    sample = detection_sample(data)
    candidates = list(DETECTED_ENCODINGS)
    ranked = [match.encoding for match in from_bytes(sample, cp_isolation=candidates, threshold=_ANY_CHAOS)]
    if not ranked:
        return "latin-1", None
    if len(ranked) == 1:
        others = [candidate for candidate in DETECTED_ENCODINGS if candidate != ranked[0]]
        best_other = from_bytes(sample, cp_isolation=others, threshold=_ANY_CHAOS).best()
        ranked.append(best_other.encoding if best_other is not None else None)
    chosen, runner_up = (_REPORTED_NAMES.get(name, name) if name else None for name in ranked[:2])
    return chosen, runner_up


def _mixed_utf8_error(line: int) -> LoadError:
    return LoadError(Message("load_refused_mixed_utf8", line=Count(line), hint=TABLE_EXPECTED))


def decoded(data: bytes, encoding: str | None, head_only: bool = False) -> DecodedText:
    """Return the file's text: in ``encoding`` if given, as UTF-8 if it is valid UTF-8, else detected.

    UTF-8 (with or without BOM) is never put to the detector: bytes that are valid UTF-8 are UTF-8.
    With ``head_only``, a large UTF-8 file is validated whole (by Arrow) but only its first
    ``_HEAD_BYTES`` are decoded. Text in another encoding is detected on a sample
    (``detected_encoding``) and then decoded whole with the chosen codec; if the rest of the file
    does not decode, it is refused naming the line, as a file mixing encodings.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    utf8 = encoding or ("utf-8-sig" if data[:3] == b"\xef\xbb\xbf" else "utf-8")
    large_utf8 = head_only and len(data) > _HEAD_BYTES and utf8 in ("utf-8", "utf-8-sig")
    if large_utf8 and is_utf8(data):
        return DecodedText(codecs.getincrementaldecoder(utf8)().decode(data[:_HEAD_BYTES], final=False), utf8, False)
    if encoding is not None:
        try:
            return DecodedText(data.decode(encoding), encoding)
        except (UnicodeDecodeError, LookupError) as error:
            problem = Message("load_refused_encoding", encoding=encoding, error=str(error), hint=TABLE_EXPECTED)
            raise LoadError(problem) from None
    if not large_utf8:
        try:
            return DecodedText(data.decode(utf8), utf8)
        except UnicodeDecodeError:
            pass
    if (line := mixed_encoding_line(data)) is not None:
        raise _mixed_utf8_error(line)
    chosen, runner_up = detected_encoding(data)
    try:
        return DecodedText(data.decode(chosen), chosen, detected=True, runner_up=runner_up)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problem = Message("load_refused_mixed_encoding", encoding=chosen, line=Count(line), hint=TABLE_EXPECTED)
        raise LoadError(problem) from None


def decoded_text(data: bytes, encoding: str | None) -> tuple[str, str]:
    """Return the whole text and the encoding used (see ``decoded``)."""
    text = decoded(data, encoding)
    return text.text, text.encoding


def first_invalid_utf8(data: bytes) -> int | None:
    """Return the offset of the first byte that is not valid UTF-8, or None; decodes 1 MB at a time.

    Examples
    --------
    >>> first_invalid_utf8("网点".encode() + "东城".encode("gbk")), first_invalid_utf8("网点".encode())
    (6, None)
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 1 << 20
    for start in range(0, max(len(data), 1), step):
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(data[start : start + step], final=start + step >= len(data))
        except UnicodeDecodeError as error:
            return start - pending + error.start
    return None


def mixed_encoding_line(data: bytes) -> int | None:
    """Return the line of the first byte that breaks UTF-8 in a file that is otherwise UTF-8, or None.

    "Otherwise UTF-8" means its first megabyte holds more valid non-ASCII UTF-8 characters than
    invalid bytes: text in GBK, GB18030 or Windows-1252 alone is mostly invalid as UTF-8.

    Examples
    --------
    >>> mixed_encoding_line("id,网点\\nC1,东城支行\\nC2,".encode() + "西城支行".encode("gbk"))
    3
    >>> mixed_encoding_line("id,网点\\nC1,东城支行\\n".encode("gbk")) is None
    True
    """
    offset = first_invalid_utf8(data)
    if offset is None:
        return None
    sample = data[: 1 << 20].decode("utf-8", errors="replace")
    invalid = sample.count("\ufffd")
    valid = sum(1 for character in sample if character > "\x7f") - invalid
    if valid <= invalid:
        return None
    return data.count(b"\n", 0, offset) + 1


def is_utf8(data: bytes) -> bool:
    """Return True if ``data`` is valid UTF-8, checked by Arrow without decoding it into a Python string.

    Examples
    --------
    >>> is_utf8("客户号".encode()), is_utf8("客户号".encode("gb18030")), is_utf8(b"\\xed\\xa0\\x80")
    (True, False, False)
    """
    if len(data) < _HALVED_CHECK_BYTES:
        return _valid_utf8(data)
    middle = len(data) // 2
    while middle < len(data) and data[middle] & 0xC0 == 0x80:  # cut before a character, never inside one
        middle += 1
    view = memoryview(data)
    with ThreadPoolExecutor(max_workers=2) as pool:  # Arrow checks without the GIL: both halves at once
        return all(pool.map(_valid_utf8, (view[:middle], view[middle:])))


_HALVED_CHECK_BYTES = 8 << 20
"""From this size a file's UTF-8 check is split in two halves checked side by side (68 MB: 50 -> 26 ms)."""


def _valid_utf8(data: bytes | memoryview) -> bool:
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


# A UTF-8 character takes at most 4 bytes: this many bytes hold the first _SAMPLE_BYTES characters.
_HEAD_BYTES = 4 * _SAMPLE_BYTES + 64


def decoded_head(data: bytes, encoding: str | None) -> tuple[str, str, bool]:
    """Return the text of the file (or of its head), the encoding used and whether that text is complete.

    A large UTF-8 file is validated whole but only its first ``_HEAD_BYTES`` are decoded: Arrow reads
    the bytes themselves, so decoding all of them would only cost time and memory. Any other encoding
    is decoded whole, since Arrow then reads the re-encoded text (see ``decoded``).
    """
    text = decoded(data, encoding, head_only=True)
    return text.text, text.encoding, text.complete


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    control = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\r\n\t\f") or 0x7F <= ord(ch) < 0xA0)
    return "\x00" in sample or control / len(sample) > 0.05


_NOT_A_LINE_BREAK = re.compile(r"[^\r\n]")


def _refuse_overlong_line(name: str, body: str) -> None:
    """Refuse a file whose first lines do not end within ``_SAMPLE_BYTES`` characters.

    A table row is a few hundred characters; a line running past 256 KB is one huge record, a
    file without line breaks, or not a table, and no row count or "no data rows" would say so.
    """
    first = _NOT_A_LINE_BREAK.search(body)  # blank lines before the header are looked past
    start = first.start() if first else len(body)
    head = body[start : start + _SAMPLE_BYTES]
    if len(body) - start <= len(head):
        return
    complete = head.splitlines()[:-1]  # the head ends inside its last line
    if len(complete) >= 2:
        return
    line = body.count("\n", 0, start) + len(complete) + 1
    raise refusal(name, Message("load_refused_long_line", line=Count(line), kb=_SAMPLE_BYTES // 1024))


def _sample_lines(text: str) -> list[str]:
    head = text[:_SAMPLE_BYTES]
    lines = head.splitlines()
    if len(head) < len(text) and lines:
        lines = lines[:-1]
    return lines[: SAMPLE_ROWS + 1]


def _field_counts(lines: list[str], delimiter: str) -> list[int]:
    try:
        return [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
    except csv.Error:
        return []


def sniffed_delimiter(lines: list[str]) -> str | None:
    """Return the delimiter splitting the header and most rows into the same number (>1) of fields.

    A trailing delimiter on every data line (one extra empty field) still counts as consistent.
    """
    best: tuple[float, int, int] | None = None
    choice = None
    for rank, delimiter in enumerate(DELIMITERS):
        counts = _field_counts(lines, delimiter)
        if not counts or (counts[0] < 2 and not (len(counts) > 1 and counts[1] == 2 and lines[0].endswith(delimiter))):
            continue
        header, rows = counts[0], counts[1:] or [counts[0]]
        consistent = sum(1 for count in rows if count in (header, header + 1)) / len(rows)
        if consistent < 0.5:
            continue
        score = (consistent, header, -rank)
        if best is None or score > best:
            best, choice = score, delimiter
    return choice


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for position, raw in enumerate(names):
        name = strip_bidi(raw).strip().lstrip("\ufeff") or f"column_{position + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 1
        result.append(name)
    return result


def _refuse_unless_rows(name: str, columns: list[str], rows: int, what: Message) -> None:
    if not columns:
        raise refusal(name, Message("load_refused_no_header", what=what))
    if rows == 0:
        raise refusal(name, Message("load_refused_no_rows", what=what, columns=len(columns)))


def _preview_text(name: str, data: bytes, options: LoadOptions, encoding: str | None, delimiter: str | None) -> Preview:
    try:
        decoding = decoded(data, encoding, head_only=True)
    except LoadError as error:
        raise refusal(name, error.message, hint=None) from None
    text, used_encoding, complete = decoding.text, decoding.encoding, decoding.complete
    if _looks_binary(text):
        raise refusal(name, _REFUSALS["binary"])
    body = text[1:] if text.startswith("\ufeff") else text
    _refuse_overlong_line(name, body)
    lines = _sample_lines(body)
    while lines and not lines[0].strip():
        lines.pop(0)
    if not complete and not any(line.strip() for line in lines):  # blank lines only so far: decode it all
        text, used_encoding = decoded_text(data, encoding)
        body, complete = (text[1:] if text.startswith("\ufeff") else text), True
    head = body[:_SAMPLE_BYTES]
    if not head.strip() and not body.strip():
        raise refusal(name, Message("load_refused_empty"))
    non_blank = [line for line in lines if line.strip()]
    if not non_blank:  # the first chunk is blank lines only: look further
        non_blank = [line for line in body.splitlines() if line.strip()][: SAMPLE_ROWS + 1]
    chosen = delimiter or sniffed_delimiter(non_blank)
    if chosen is None:
        words = len(non_blank[0].split()) if non_blank else 0
        looks = Message("load_looks_prose") if words > 3 else Message("load_looks_single_column")
        raise refusal(name, Message("load_refused_no_delimiter", looks=looks))
    try:
        rows = list(csv.reader(non_blank, delimiter=chosen))
    except csv.Error as error:
        raise refusal(name, Message("load_refused_fields", error=str(error))) from None
    header = rows[0]
    data_rows = rows[1:]
    trailing = False
    if len(header) > 1 and header[-1].strip() == "":
        trailing = True
        header = header[:-1]
    elif data_rows and all(len(row) == len(header) + 1 and row[-1].strip() == "" for row in data_rows):
        trailing = True
    columns = _unique_names(header)
    _refuse_unless_rows(name, columns, len(data_rows), Message("load_what_file"))
    width = len(columns)
    sample_rows = [(row + [""] * width)[:width] for row in data_rows[:SAMPLE_ROWS]]
    sample = pd.DataFrame(sample_rows, columns=columns, dtype="string")
    payload = data[3:] if used_encoding in ("utf-8-sig", "utf-8") and data[:3] == b"\xef\xbb\xbf" else data
    if used_encoding not in ("utf-8", "utf-8-sig"):
        payload = body.encode("utf-8")  # always complete: only UTF-8 is decoded in part
    warnings = [decoding.warning] if decoding.warning and encoding is None else []
    return Preview(
        name=name,
        format="text",
        encoding=used_encoding,
        delimiter=chosen,
        sheet=None,
        sheet_names=(),
        columns=tuple(columns),
        sample=sample,
        warnings=tuple(warnings),
        payload=payload,
        trailing_column=trailing,
    )


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat(sep=" ") if hasattr(value, "hour") and hasattr(value, "date") else value.isoformat()
        return text.removesuffix(" 00:00:00")
    return str(value)


XLSX_LIMITS = ZipLimits(max_parts=10_000, max_unpacked_bytes=200_000_000, max_ratio=100.0)
"""An .xlsx is refused before openpyxl opens it when its parts exceed these bounds.

Measured here: a sheet of one million filled cells is 47 MB of XML (8 MB packed, ratio 6),
parsed in 19 s with a peak of 160 MB. 200 MB of XML is about four million cells, a minute
or more of parsing; larger sheets load far faster, in less memory, as CSV or Parquet.
"""

MAX_SHEET_CELLS = 20_000_000
"""Cells (used rows × header columns) one sheet may put into the frame."""

EXCEL_READ_SECONDS = 120.0
"""A sheet still being parsed after this long is refused (the XML bound makes this rare)."""

MAX_REJECTED_ROWS = 500_000
"""A file with more blank or ragged rows than this is refused: each refused row is kept (about
140 bytes) for the report, so five million blank lines in a 5 MB file would cost 700 MB."""

MAX_PARQUET_BYTES = 2_000_000_000
"""Decoded Arrow bytes a Parquet file may reach (read in batches, so the bound holds while reading).

Its footer's row and column counts drive the memory estimate (about 50 bytes a cell at the
peak); 200,000 values of 5,000 repeated characters are a 0.3 MB file and 1 GB once decoded.
"""

EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
"""Excel's grid: a cell outside it comes from a damaged or forged file."""


def _refuse_unsafe_workbook(name: str, data: bytes) -> None:
    problem = zip_problem(data, XLSX_LIMITS)
    if problem:
        raise refusal(name, Message("load_refused_unsafe_workbook", problem=problem), hint=SAVE_AS_CSV)


def sheet_names(data: bytes, name: str = "the file") -> tuple[str, ...]:
    """Return the sheet names of an .xlsx workbook, in order."""
    from openpyxl import load_workbook

    _refuse_unsafe_workbook(name, data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise refusal(name, Message("load_refused_workbook", error=str(error))) from None
    try:
        return tuple(workbook.sheetnames)
    finally:
        workbook.close()


@dataclass
class _UsedRange:
    """The filled cells of a sheet: its header row and the body rows cut to the header's width."""

    header_row: int = 0
    header: list[str | None] = field(default_factory=list)
    rows: list[tuple[int, list[str | None], list[str]]] = field(default_factory=list)


def _used_range(name: str, workbook, chosen: str, deadline: float) -> _UsedRange:
    """Read the filled cells of one sheet, never trusting its declared dimension.

    openpyxl's row iterator pads every row to the ``<dimension>`` the file declares (16,384
    columns for ``A1:XFD1048576``) and stops at its last row, so a forged dimension either
    exhausts memory or hides data. The sheet's own parser is used instead: each row yields
    only the cells the XML holds; empty cells are dropped, rows are cut to the header's width
    (values beyond it are kept apart, as the refusal's evidence).
    """
    from openpyxl.worksheet._reader import WorkSheetParser  # pinned openpyxl 3.1: the read-only sheet's parser

    sheet = workbook[chosen]
    used = _UsedRange()
    width = 0
    previous = 0
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for count, (number, cells) in enumerate(parser.parse()):
            if count % 4096 == 0 and time.monotonic() > deadline:
                problem = Message(
                    "load_refused_sheet_slow", sheet=chosen, seconds=f"{EXCEL_READ_SECONDS:.0f}", row=Count(number)
                )
                raise refusal(name, problem, hint=SAVE_AS_CSV)
            filled = [(cell["column"], text) for cell in cells if (text := _cell_text(cell["value"])) not in (None, "")]
            if not filled:
                continue
            last = max(column for column, _ in filled)
            if not 1 <= number <= EXCEL_ROWS or last > EXCEL_COLUMNS:
                problem = Message("load_refused_sheet_grid", sheet=chosen, row=Count(number), column=Count(last))
                raise refusal(name, problem, hint=SAVE_AS_CSV)
            if number <= previous:
                problem = Message("load_refused_sheet_order", sheet=chosen, row=Count(number), previous=Count(previous))
                raise refusal(name, problem, hint=SAVE_AS_CSV)
            previous = number
            if not used.header:
                width = last
                used.header_row, used.header = number, [None] * width
                for column, text in filled:
                    used.header[column - 1] = text
                continue
            row: list[str | None] = [None] * width
            extra = []
            for column, text in filled:
                if column <= width:
                    row[column - 1] = text
                else:
                    extra.append(text)
            used.rows.append((number, row, extra))
            if len(used.rows) * width > MAX_SHEET_CELLS:
                problem = Message(
                    "load_refused_sheet_cells",
                    sheet=chosen,
                    rows=Count(len(used.rows)),
                    columns=Count(width),
                    millions=f"{MAX_SHEET_CELLS / 1e6:.0f}",
                )
                raise refusal(name, problem, hint=SAVE_AS_CSV)
    return used


def _chosen_sheet(name: str, names: tuple[str, ...], sheet: str | int | None) -> str:
    if sheet is None:
        return names[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            problem = Message("load_refused_sheet_number", sheets=len(names), names=", ".join(names), sheet=sheet)
            raise refusal(name, problem, hint=None)
        return names[sheet]
    if sheet in names:
        return str(sheet)
    raise refusal(name, Message("load_refused_sheet_name", sheet=str(sheet), names=", ".join(names)), hint=None)


def _preview_excel(name: str, data: bytes, sheet: str | int | None) -> Preview:
    from openpyxl import load_workbook

    _refuse_unsafe_workbook(name, data)
    deadline = time.monotonic() + EXCEL_READ_SECONDS
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            names = tuple(workbook.sheetnames)
            chosen = _chosen_sheet(name, names, sheet)
            used = _used_range(name, workbook, chosen, deadline)
        finally:
            workbook.close()
    except LoadError:
        raise
    except Exception as error:
        raise refusal(name, Message("load_refused_workbook", error=str(error))) from None
    if not used.header:
        raise refusal(name, Message("load_refused_sheet_empty", sheet=chosen))
    columns = _unique_names([cell or "" for cell in used.header])
    width = len(columns)
    _refuse_unless_rows(name, columns, len(used.rows), Message("load_what_sheet", sheet=chosen))
    kept, numbers, rejected = [], [], []
    expected_row = used.header_row + 1
    for number, row, extra in used.rows:
        # Rows the XML leaves out or holds empty are blank lines of the sheet, as a person sees it.
        if len(rejected) + number - expected_row > MAX_REJECTED_ROWS:
            raise _too_many_rejected(name, width)
        rejected += [RejectedRow(blank, "", BLANK_LINE) for blank in range(expected_row, number)]
        expected_row = number + 1
        if extra:
            text = ",".join([*(cell or "" for cell in row), *extra])
            rejected.append(RejectedRow(number, text, Message("load_reason_beyond_header", columns=width)))
            continue
        kept.append(row)
        numbers.append(number)
    frame = pd.DataFrame(kept, columns=columns, dtype="string")
    return Preview(
        name=name,
        format="xlsx",
        encoding=None,
        delimiter=None,
        sheet=chosen,
        sheet_names=names,
        columns=tuple(columns),
        sample=frame.head(SAMPLE_ROWS),
        payload=(frame, np.asarray(numbers, dtype="int64"), tuple(rejected)),
    )


def _preview_parquet(name: str, data: bytes) -> Preview:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        batches, decoded = [], 0
        for batch in parquet.iter_batches(batch_size=16_384):
            decoded += batch.nbytes
            if decoded > MAX_PARQUET_BYTES:
                problem = Message(
                    "load_refused_parquet_size",
                    gb=f"{MAX_PARQUET_BYTES / 1e9:.0f}",
                    rows=Count(parquet.metadata.num_rows),
                    columns=parquet.metadata.num_columns,
                )
                raise refusal(name, problem, hint=None)
            batches.append(batch)
        table = pa.Table.from_batches(batches, schema=parquet.schema_arrow)
        del batches
        frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}.get)
    except LoadError:
        raise
    except Exception as error:
        raise refusal(name, Message("load_refused_parquet", error=str(error))) from None
    frame = frame.reset_index(drop=True)
    frame.columns = _unique_names([str(column) for column in frame.columns])
    _refuse_unless_rows(name, list(frame.columns), len(frame), Message("load_what_parquet"))
    sample = frame.head(SAMPLE_ROWS).astype("string")
    return Preview(
        name=name,
        format="parquet",
        encoding=None,
        delimiter=None,
        sheet=None,
        sheet_names=(),
        columns=tuple(frame.columns),
        sample=sample,
        payload=(frame, np.arange(1, len(frame) + 1, dtype="int64"), ()),
    )


def preview_file(
    name: str,
    data: bytes,
    options: LoadOptions = DEFAULT_OPTIONS,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
) -> Preview:
    """Return the layout, header and sample rows of an uploaded file, or raise ``LoadError``.

    Parameters
    ----------
    name : str
        File name, used in messages only (the content decides the format).
    data : bytes
        The file's bytes.
    options : LoadOptions
        Read overrides; ``encoding``, ``delimiter`` and ``sheet`` arguments win over them.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise LoadError(f"{name}: expected the file's bytes, got {type(data).__name__}")
    data = bytes(data)
    kind = file_kind(data)
    if kind in _REFUSALS:
        raise refusal(name, _REFUSALS[kind])
    if kind == "xlsx":
        return _preview_excel(name, data, sheet if sheet is not None else options.sheet)
    if kind == "parquet":
        return _preview_parquet(name, data)
    return _preview_text(name, data, options, encoding or options.encoding, delimiter or options.delimiter)


def _too_many_rejected(name: str, width: int) -> LoadError:
    return refusal(name, Message("load_refused_ragged", rows=Count(MAX_REJECTED_ROWS), fields=width))


def _arrow_read(
    preview: Preview, column_types: dict[str, pa.DataType], use_threads: bool, nulls: list[str] = _ARROW_NULLS
) -> tuple[pa.Table, list]:
    refused: list[tuple[int | None, str, int, int]] = []

    def on_invalid(row: pa_csv.InvalidRow) -> str:
        if len(refused) >= MAX_REJECTED_ROWS:
            return "error"  # Arrow stops with ArrowInvalid (an exception raised here would only be logged)
        refused.append((row.number, row.text, row.expected_columns, row.actual_columns))
        return "skip"

    names = list(preview.columns) + (["__trailing__"] if preview.trailing_column else [])
    try:
        table = pa_csv.read_csv(
            io.BytesIO(preview.payload),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1, use_threads=use_threads),
            parse_options=pa_csv.ParseOptions(
                delimiter=preview.delimiter,
                invalid_row_handler=on_invalid,
                ignore_empty_lines=False,
                newlines_in_values=b'"' in preview.payload,
            ),
            convert_options=pa_csv.ConvertOptions(
                # large_string is what pandas' Arrow strings hold: converting to pandas then copies nothing.
                column_types={**{name: pa.large_string() for name in names}, **column_types},
                null_values=nulls,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        if len(refused) >= MAX_REJECTED_ROWS:
            raise _too_many_rejected(preview.name, len(preview.columns)) from None
        raise
    return table, refused


def _skip_leading_blank_lines(preview: Preview) -> Preview:
    payload = preview.payload
    stripped = payload.lstrip(b"\r\n")
    if len(stripped) == len(payload):
        return preview
    return Preview(**{**preview.__dict__, "payload": stripped})


def _infinite(table: pa.Table, column_types: dict[str, pa.DataType]) -> list[str]:
    """Number columns in which Arrow read an ``inf`` cell (a value no extract means: read those as text)."""
    floats = [name for name, kind in column_types.items() if pa.types.is_floating(kind)]
    return [name for name in floats if pa_compute.any(pa_compute.is_inf(table.column(name))).as_py()]


def _read_text_rows(
    preview: Preview,
    numeric_columns: frozenset[str],
    temporal_columns: frozenset[str] = frozenset(),
    nan_as_number: bool = False,
) -> RawTable:
    preview = _skip_leading_blank_lines(preview)
    column_types: dict[str, pa.DataType] = {name: pa.float64() for name in numeric_columns if name in preview.columns}
    column_types |= {name: pa.timestamp("s") for name in temporal_columns if name in preview.columns}
    nulls = _ARROW_NULLS_BUT_NAN if nan_as_number else _ARROW_NULLS
    for _ in range(_MAX_TYPE_RETRIES + 1):
        try:
            table, refused = _arrow_read(preview, column_types, use_threads=True, nulls=nulls)
            if nan_as_number and (infinite := _infinite(table, column_types)):
                column_types = {name: kind for name, kind in column_types.items() if name not in infinite}
                continue
            break
        except pa.ArrowInvalid as error:
            found = re.search(r"CSV column #(\d+)", str(error))
            names = list(preview.columns)
            if found and int(found.group(1)) < len(names) and names[int(found.group(1))] in column_types:
                column_types.pop(names[int(found.group(1))])
            elif column_types:
                column_types = {}
            elif "straddl" in str(error):  # one row larger than Arrow's 1 MB block
                raise refusal(preview.name, Message("load_refused_line_over_1mb")) from None
            else:
                raise refusal(preview.name, Message("load_refused_rows", error=str(error))) from None
    else:
        column_types = {}
        table, refused = _arrow_read(preview, column_types, use_threads=True, nulls=nulls)
    if refused and any(number is None for number, *_ in refused):
        table, refused = _arrow_read(preview, column_types, use_threads=False, nulls=nulls)
    nan_cells = ()
    if nan_as_number:
        floats = [name for name, kind in column_types.items() if pa.types.is_floating(kind)]
        counts = [(name, int(pa_compute.sum(pa_compute.is_nan(table.column(name))).as_py() or 0)) for name in floats]
        nan_cells = tuple((name, count) for name, count in counts if count)
    if preview.trailing_column:
        extra = table.column("__trailing__")
        if pa_compute.any(pa_compute.not_equal(extra, "")).as_py():
            table = table.rename_columns([*preview.columns, f"column_{len(preview.columns) + 1}"])
        else:
            table = table.drop_columns(["__trailing__"])
    rejected = []
    for number, text, expected, actual in refused:
        if not text.strip():
            reason = BLANK_LINE
        elif actual > expected:
            reason = Message("load_reason_too_many_fields", expected=expected - preview.trailing_column)
        else:
            reason = Message("load_reason_too_few_fields", expected=expected - preview.trailing_column)
        rejected.append(RejectedRow(int(number), text, reason))
    total = table.num_rows + len(rejected)
    refused_numbers = np.asarray([row.row for row in rejected], dtype="int64")
    all_numbers = np.arange(2, total + 2, dtype="int64")
    row_numbers = all_numbers[~np.isin(all_numbers, refused_numbers)] if len(rejected) else all_numbers
    # One block per column and the table released as it converts: no second copy of the file's cells.
    frame = table.to_pandas(
        types_mapper={pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}.get,
        split_blocks=True,
        self_destruct=True,
    )
    del table
    return RawTable(preview, frame, row_numbers, tuple(rejected), nan_cells)


def read_rows(
    preview: Preview,
    numeric_columns: frozenset[str] = frozenset(),
    temporal_columns: frozenset[str] = frozenset(),
    nan_as_number: bool = False,
) -> RawTable:
    """Return every row of a previewed file.

    Parameters
    ----------
    preview : Preview
        From ``preview_file``.
    numeric_columns : frozenset of str
        Columns mapped to number fields; a text file parses them with Arrow directly and
        falls back to text (and the vectorised parsers) when Arrow refuses a value.
    temporal_columns : frozenset of str
        Columns a text file's reader parses as ISO 8601 dates or date-times (``timestamp[s]``), falling
        back to text (the callers' own date parsers) when a cell is anything else.
    nan_as_number : bool
        In the number columns Arrow reads, a ``nan`` cell is NaN (counted in ``RawTable.nan_cells``)
        instead of missing, and a column with an ``inf`` cell is read as text.
    """
    if preview.format == "text":
        return _without_bidi_controls(_read_text_rows(preview, numeric_columns, temporal_columns, nan_as_number))
    frame, numbers, rejected = preview.payload
    return _without_bidi_controls(RawTable(preview, frame, numbers, rejected))


def _without_bidi_controls(raw: RawTable) -> RawTable:
    """Remove bidi controls from every text column (``values.without_bidi_controls``); warn how many cells held one.

    Done where rows enter, so no name, label or id reaches a table, chart or export with a
    right-to-left override in it. The frame of a workbook or Parquet file is never changed in place
    (its preview may be cached): a cleaned column goes into a new frame.
    """
    cleaned, counts = {}, {}
    for column in raw.frame.columns:
        values = raw.frame[column]
        if not pd.api.types.is_string_dtype(values):
            continue
        result, count = without_bidi_controls(values)
        if count:
            cleaned[column], counts[column] = result, count
    if not cleaned:
        return raw
    columns = ", ".join(f"{column!r}" for column in counts)
    total = sum(counts.values())
    if total == 1:
        warning = Message("load_bidi_removed_one", columns=columns)
    else:
        warning = Message("load_bidi_removed", values=Count(total), columns=columns)
    preview = replace(raw.preview, warnings=(*raw.preview.warnings, warning))
    return RawTable(preview, raw.frame.assign(**cleaned), raw.row_numbers, raw.rejected, raw.nan_cells)


def raw_row_text(raw: RawTable, positions: np.ndarray) -> list[str]:
    """Return rows of the frame (by position) as report examples show them.

    A text file's row is its line as written (its number cells as spelled, ``nan`` and all, even where
    the reader typed them), bidi controls removed; a workbook's, or a text file with quoted fields
    (a line may not be a row), is its cells joined by the delimiter.
    """
    positions = np.asarray(positions, dtype="int64")
    payload = raw.preview.payload
    if raw.preview.format == "text" and len(positions) and b'"' not in payload:
        return [strip_bidi(line) for line in _payload_lines(payload, raw.row_numbers[positions])]
    delimiter = raw.preview.delimiter or ","
    subset = raw.frame.iloc[positions]
    return [delimiter.join(cell_text(value) for value in row) for row in subset.itertuples(index=False)]


def _payload_lines(payload: bytes, rows: np.ndarray) -> list[str]:
    """Return lines ``rows`` (1-based, the header line 1) of UTF-8 text, without their line ends.

    Only the head of the text that holds the last of those lines is scanned (blocks doubling from 1 MB).

    Examples
    --------
    >>> _payload_lines(b"h\\r\\na\\r\\nb", np.array([3, 2]))
    ['b', 'a']
    """
    need, found, start, block = int(rows.max()), [], 0, 1 << 20
    while sum(len(part) for part in found) < need and start < len(payload):
        view = np.frombuffer(payload, dtype=np.uint8, count=min(block, len(payload) - start), offset=start)
        found.append(np.flatnonzero(view == 0x0A) + start)
        start, block = start + len(view), block * 2
    ends = np.concatenate(found) if found else np.empty(0, dtype="int64")
    starts = np.concatenate([[0], ends + 1])
    stops = np.append(ends, len(payload))
    return [
        payload[starts[row - 1] : stops[row - 1]].decode("utf-8", errors="replace").removesuffix("\r")
        for row in rows.tolist()
    ]


def cell_text(value: object) -> str:
    """Return a cell as a report example shows it: blanks empty, whole numbers and midnight dates short.

    Examples
    --------
    >>> [cell_text(v) for v in (None, 12.0, 2.5, pd.Timestamp("2024-03-05"), pd.Timestamp("2024-03-05 09:30"))]
    ['', '12', '2.5', '2024-03-05', '2024-03-05 09:30:00']
    """
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d" if value == value.normalize() else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
