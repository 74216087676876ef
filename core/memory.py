"""Handing memory freed by a training back to the system (glibc's ``malloc_trim``).

A training frees hundreds of megabytes, but glibc keeps the free parts of its heaps mapped:
in a long-lived server each training left the level between trainings higher than the last.
:func:`release_free_memory` returns those pages; elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import functools
import sys


@functools.cache
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def release_free_memory() -> bool:
    """Return the free pages of every malloc heap to the system; whether it could.

    ``malloc_trim(0)`` walks every arena (a few milliseconds); call it after large temporary
    arrays are dropped, not in a loop.
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
