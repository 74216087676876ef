"""What the training benchmarks measure about their own process: memory and result digests."""

from __future__ import annotations

import hashlib
import resource


def rss_mb() -> float:
    """Current resident set size in MB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def digest(array) -> str:
    """A short SHA-256 of an array's bytes: equal results, equal digests."""
    return hashlib.sha256(array.tobytes()).hexdigest()[:16]
