"""The server process's C allocator: few malloc arenas, so freed view arrays are reused across threads.

glibc gives each thread that allocates under contention an arena of its own (up to eight per
core). The dashboard allocates its per-customer arrays on the page's script thread and on the two
warming threads (``ui.background``), and memory one arena freed is not reused by another: at 5M
customers the peak resident size was 3.91-3.96 GB with the default arenas against 3.72-3.83 GB with
one or two (``benchmarks/bench_open.py``, same artefact, same hour; pages as fast). ``serve.py``
calls ``limit_malloc_arenas`` first, before the server starts its threads.
"""

from __future__ import annotations

import ctypes
import os
import sys

MALLOC_ARENAS = 2
"""Arenas for the server process: the page's thread and the warming threads share them."""

_M_ARENA_MAX = -8  # mallopt's parameter number (glibc's malloc.h)


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``arenas`` for this process (``mallopt(M_ARENA_MAX)``).

    Left as it is where the allocator is not glibc's, and where ``MALLOC_ARENA_MAX`` or
    ``GLIBC_TUNABLES`` already says (the operator's setting wins).

    Returns
    -------
    bool
        Whether the cap was set.
    """
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    if "arena_max" in os.environ.get("GLIBC_TUNABLES", ""):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return mallopt(_M_ARENA_MAX, int(arenas)) == 1
