"""How a long-lived server process asks glibc's malloc to keep less memory it no longer uses.

glibc gives each thread that allocates under contention its own arena (up to 8 per core), and
an arena keeps the pages freed in it for its own later use. A Streamlit server runs every page
run in a fresh thread, so what one run frees is seldom what the next reuses: with six sessions
and six trainings the arenas' free pages grew by about 50 MB. Two arenas keep that near its
start (the fits' large arrays are mapped and unmapped whole, outside any arena).
"""

from __future__ import annotations

import ctypes
import functools
import sys

M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h
SERVER_ARENAS = 2


@functools.cache
def _mallopt():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl has no libc.so.6 or no mallopt)
        return None


def limit_malloc_arenas(arenas: int = SERVER_ARENAS) -> bool:
    """Cap the number of malloc arenas at ``arenas``; whether the C library took it.

    Call it early, from the first threads: glibc fixes its cap when it first needs more
    arenas than it has, and arenas made before stay. Elsewhere than glibc it does nothing.
    """
    if arenas < 1:
        raise ValueError(f"arenas must be at least 1, got {arenas!r}")
    mallopt = _mallopt()
    if mallopt is None:
        return False
    return bool(mallopt(M_ARENA_MAX, int(arenas)))
