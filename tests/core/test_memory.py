"""core.memory: the server caps glibc's malloc arenas where the C library is glibc."""

from __future__ import annotations

import platform
import sys

import pytest

from core.memory import limit_malloc_arenas


def test_limit_malloc_arenas_says_whether_the_c_library_took_it():
    on_glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert limit_malloc_arenas() is on_glibc
    assert limit_malloc_arenas() is on_glibc  # again, as every run of the app's script does


def test_a_cap_below_one_arena_is_refused():
    with pytest.raises(ValueError, match="at least 1, got 0"):
        limit_malloc_arenas(0)
