"""Which of the standard MNIST IDX files a directory lacks (tests skip, benchmarks stop)."""

from __future__ import annotations

from pathlib import Path

from core.idx import IDX_FILES


def missing_idx_files(directory: Path) -> list[str]:
    """The standard IDX files (gzipped or not) that ``directory`` lacks."""
    return [
        name
        for name in IDX_FILES
        if not (directory / name).is_file() and not (directory / f"{name}.gz").is_file()
    ]
