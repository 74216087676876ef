"""core.memory: freed heap pages go back to the system where the C library can do it."""

from __future__ import annotations

import platform
import sys

from core.memory import release_free_memory


def test_release_free_memory_says_whether_it_could():
    on_glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert release_free_memory() is on_glibc
    assert release_free_memory() is on_glibc  # and again: it holds nothing between calls
