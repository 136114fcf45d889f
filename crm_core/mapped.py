"""Resident pages of an artefact's memory-mapped files, handed back once a view is done with them.

An artefact's visit cube and stored models are memory-mapped (``pyarrow.memory_map``, joblib's
``mmap_mode="r"``): a view reads only the pages it touches, and they stay in the process's resident
size afterwards (at 5M customers 1.2 GB: the cube's planes and every customer's propensities), though
they are clean copies of the files. ``release_mapped_pages`` drops them from this process
(``madvise(MADV_DONTNEED)``): the files stay mapped, so the arrays stay valid, and the next read takes
the pages again from the system's file cache, as reading the file would.

Only read-only mappings of files inside the given folders are touched: anonymous memory (arrays a
view computed) is never released, so no value can be lost. Linux only; elsewhere nothing is done.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import sys
from collections.abc import Iterable
from pathlib import Path

MADV_DONTNEED = 4
"""``madvise`` advice: drop the resident pages of the range (a file mapping reads them again on access)."""


def read_only_file_mappings(folders: Iterable[str | Path], maps: str | None = None) -> list[tuple[int, int, str]]:
    """Return the read-only mappings of files inside ``folders`` in this process: (start, end, path).

    Parameters
    ----------
    folders : iterable of str or Path
        Folders whose files' mappings are wanted (e.g. an artefact folder).
    maps : str, optional
        The text of ``/proc/self/maps`` (read when not given; for tests).

    Examples
    --------
    >>> text = ("7f00-7f10 r--s 00000000 08:01 12 /data/art/visit_cube.arrow\\n"
    ...         "7f10-7f20 rw-p 00000000 00:00 0 \\n"
    ...         "7f20-7f30 rw-s 00000000 08:01 13 /data/art/models/x.joblib\\n"
    ...         "7f30-7f40 r--p 00000000 08:01 14 /data/other/y.joblib\\n")
    >>> read_only_file_mappings(["/data/art"], text)
    [(32512, 32528, '/data/art/visit_cube.arrow')]
    """
    roots = [os.path.join(os.path.realpath(str(folder)), "") for folder in folders]
    if maps is None:
        try:
            maps = Path("/proc/self/maps").read_text()
        except OSError:
            return []
    found = []
    for line in maps.splitlines():
        parts = line.split(maxsplit=5)
        if len(parts) < 6 or parts[1][:2] != "r-":  # readable, never writable: its pages equal the file's
            continue
        path = parts[5]
        if any(path.startswith(root) for root in roots):
            start, end = (int(value, 16) for value in parts[0].split("-"))
            found.append((start, end, path))
    return found


def mapped_folders(prepared) -> list[Path]:
    """Return the folders of a prepared dataset's memory-mapped files: its stored cube's and models'.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> opened = SimpleNamespace(dataset=SimpleNamespace(visit_cube_file="/a/visit_cube.arrow"),
    ...                          models=SimpleNamespace(folder=Path("/a/models")))
    >>> [str(p) for p in mapped_folders(opened)]
    ['/a', '/a/models']
    >>> mapped_folders(SimpleNamespace(dataset=SimpleNamespace(visit_cube_file=None), models=None))
    []
    """
    folders = []
    cube = getattr(getattr(prepared, "dataset", None), "visit_cube_file", None)
    if cube:
        folders.append(Path(cube).parent)
    models = getattr(getattr(prepared, "models", None), "folder", None)
    if models is not None:
        folders.append(Path(models))
    return list(dict.fromkeys(folders))


def _madvise():
    """libc's ``madvise`` (None off Linux or where it cannot be found)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        madvise = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return None
    madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    madvise.restype = ctypes.c_int
    return madvise


def hand_back(block) -> int:
    """Drop the resident pages under ``block`` when it is part of a read-only memory-mapped array.

    For a view that reads a stored array a block of rows at a time (the next-best offers over every
    customer's propensities): the pages of a block already scored are handed back at once instead of
    at the end of the page run, so the whole file is never resident at one time. A view of such a map
    (a stored frame's column as ``Series.to_numpy`` gives it) counts as part of it. Anything else (an
    ordinary array, a writable map, a copy such as ``block[:, columns]``) is left alone.

    Parameters
    ----------
    block : numpy.ndarray
        Typically ``stored[lo:hi]`` of a ``numpy.memmap`` opened read-only, or a contiguous view of one.

    Returns
    -------
    int
        Bytes advised (0 when nothing was done).

    Examples
    --------
    >>> import numpy as np
    >>> hand_back(np.zeros(4))
    0
    """
    import numpy as np

    mapped = block
    while mapped is not None and not isinstance(mapped, np.memmap):  # a view's bases lead to its map
        mapped = getattr(mapped, "base", None)
    if mapped is None or getattr(mapped, "_mmap", None) is None or getattr(mapped, "mode", None) != "r":
        return 0
    if block.flags.writeable or not block.flags.c_contiguous or block.nbytes == 0:
        return 0  # a writable map may hold changes; a strided view's pages are not its own
    madvise = _madvise()
    if madvise is None:
        return 0
    page = mmap.PAGESIZE
    # Whole pages around the block: the mapping itself starts and ends on pages, and a page shared with
    # the next block is only read again from the file cache.
    start = block.ctypes.data // page * page
    end = -(-(block.ctypes.data + block.nbytes) // page) * page
    return end - start if madvise(start, end - start, MADV_DONTNEED) == 0 else 0


def read_once(reduce, block):
    """Return ``reduce(block)``, then hand ``block``'s pages back (``hand_back``).

    For a loop over a stored matrix's rows (a cube's months): only the row being read is resident.

    Examples
    --------
    >>> import numpy as np
    >>> int(read_once(np.count_nonzero, np.array([0, 3, 1])))
    2
    """
    result = reduce(block)
    hand_back(block)
    return result


def release_mapped_pages(folders: Iterable[str | Path]) -> int:
    """Drop this process's resident pages of read-only mappings of files inside ``folders``.

    Parameters
    ----------
    folders : iterable of str or Path
        The folders of the mapped files (an artefact folder: its visit cube and models).

    Returns
    -------
    int
        Bytes of mappings advised (0 where the system has no ``/proc/self/maps`` or ``madvise``).
    """
    folders = [folder for folder in folders if folder]
    madvise = _madvise() if folders else None
    if madvise is None:
        return 0
    page = mmap.PAGESIZE
    released = 0
    for start, end, _ in read_only_file_mappings(folders):
        if start % page == 0 and end > start and madvise(start, end - start, MADV_DONTNEED) == 0:
            released += end - start
    return released
