"""glibc's allocator, tuned for a threaded server that builds large data frames now and then.

By default glibc gives each thread that allocates its own arena (up to 8 per core), and memory a
ranking freed in one arena cannot serve the next ranking in another: a server with 16 request
threads grew to twice the memory its rankings need. Two arenas, and returning freed pages to the
system after a large computation, keep it near what is in use. Nothing happens off glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)
_M_ARENA_MAX = -8  # mallopt parameter, <malloc.h>
ARENAS = 2


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


_LIBC = _libc()


def limit_arenas() -> None:
    """Before the server starts its threads: at most ARENAS malloc arenas."""
    if _LIBC is not None and not _LIBC.mallopt(_M_ARENA_MAX, ARENAS):
        log.debug("mallopt(M_ARENA_MAX) refused; keeping glibc's default arenas")


def give_back() -> None:
    """Return freed memory to the system (after a large computation)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
