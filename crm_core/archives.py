"""Checks on an Office file's ZIP container (.xlsx upload, .pptx template) before anything unpacks it.

An .xlsx or .pptx is a ZIP archive of XML parts. Its central directory states every part's
packed and unpacked size, and Python's ``zipfile`` never returns more bytes than a part
declares, so those sizes bound what a reader (openpyxl, python-pptx) can be handed. A 1.5 MB
file whose sheet unpacks to 1.6 GB of XML (a ZIP bomb) is refused here in microseconds
instead of costing a minute and gigabytes in the parser.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from crm_core.messages import Count, Message


@dataclass(frozen=True)
class ZipLimits:
    """Bounds an archive must respect to be opened.

    Parameters
    ----------
    max_parts : int
        Members of the archive.
    max_unpacked_bytes : int
        Unpacked size of all members together.
    max_ratio : float
        Unpacked size over packed size of any member larger than ``ratio_floor_bytes``
        (real workbooks and decks stay well under 100; ZIP bombs reach 1,000 and more).
    ratio_floor_bytes : int
        Members smaller than this are not held to ``max_ratio`` (a tiny, repetitive part
        compresses very well and is harmless).
    """

    max_parts: int
    max_unpacked_bytes: int
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 1_000_000


@dataclass(frozen=True)
class ZipContents:
    """What the central directory of an archive declares."""

    parts: int
    packed_bytes: int
    unpacked_bytes: int
    largest_part: str
    largest_bytes: int
    worst_ratio_part: str
    worst_ratio: float
    worst_ratio_bytes: int


def zip_contents(data: bytes, floor_bytes: int = 0) -> ZipContents:
    """Return the declared part count and sizes of a ZIP archive; ``zipfile.BadZipFile`` if it is not one.

    ``worst_ratio`` is taken over parts of at least ``floor_bytes`` unpacked.

    Examples
    --------
    >>> buffer = io.BytesIO()
    >>> with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
    ...     archive.writestr("a.xml", "<a/>" * 1000)
    >>> contents = zip_contents(buffer.getvalue())
    >>> contents.parts, contents.unpacked_bytes, contents.largest_part, contents.worst_ratio > 50
    (1, 4000, 'a.xml', True)
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
    largest = max(members, key=lambda item: item.file_size, default=None)
    judged = [item for item in members if item.file_size >= floor_bytes]
    worst = max(judged, key=lambda item: item.file_size / max(item.compress_size, 1), default=None)
    return ZipContents(
        parts=len(members),
        packed_bytes=sum(item.compress_size for item in members),
        unpacked_bytes=sum(item.file_size for item in members),
        largest_part=largest.filename if largest else "",
        largest_bytes=largest.file_size if largest else 0,
        worst_ratio_part=worst.filename if worst else "",
        worst_ratio=worst.file_size / max(worst.compress_size, 1) if worst else 0.0,
        worst_ratio_bytes=worst.file_size if worst else 0,
    )


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB" if size < 10e6 else f"{size / 1e6:,.0f} MB"


def zip_problem(data: bytes, limits: ZipLimits) -> Message | None:
    """Return what makes the archive exceed ``limits``, in words, or None when it may be opened.

    An archive whose directory cannot be read is not judged here (the reader's own error says
    what is wrong with it): None.

    Examples
    --------
    >>> buffer = io.BytesIO()
    >>> with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
    ...     archive.writestr("sheet.xml", "<c/>" * 1_000_000)
    >>> from crm_core.messages import render
    >>> print(render(zip_problem(buffer.getvalue(), ZipLimits(10, 10**9)), "en"))  # doctest: +NORMALIZE_WHITESPACE
    its part sheet.xml unpacks to 4.0 MB, ... times its compressed size (a ZIP bomb looks like
    this; at most 100 times is accepted)
    >>> zip_problem(buffer.getvalue(), ZipLimits(max_parts=10, max_unpacked_bytes=10**9, max_ratio=10**6)) is None
    True
    """
    try:
        contents = zip_contents(data, limits.ratio_floor_bytes)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if contents.parts > limits.max_parts:
        return Message("zip_too_many_parts", parts=Count(contents.parts), limit=Count(limits.max_parts))
    if contents.unpacked_bytes > limits.max_unpacked_bytes:
        return Message(
            "zip_too_large",
            size=_megabytes(contents.unpacked_bytes),
            part=contents.largest_part,
            part_size=_megabytes(contents.largest_bytes),
            limit=_megabytes(limits.max_unpacked_bytes),
        )
    if contents.worst_ratio > limits.max_ratio:
        return Message(
            "zip_bomb",
            part=contents.worst_ratio_part,
            size=_megabytes(contents.worst_ratio_bytes),
            ratio=Count(round(contents.worst_ratio)),
            limit=Count(round(limits.max_ratio)),
        )
    return None
