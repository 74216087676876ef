"""A process tree's memory as the kernel reports it in ``/proc`` (read from outside it)."""

from __future__ import annotations

from pathlib import Path


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc/<pid>/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(child) for child in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
    return found


def status_kb(pid: int, field: str = "VmRSS") -> int:
    """One ``/proc/<pid>/status`` figure (VmRSS, VmHWM, ...) in kB (KiB); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(
                (int(line.split()[1]) for line in status if line[: len(field) + 1] == f"{field}:"),
                0,
            )
    except OSError:
        return 0


def tree_mb(pid: int, field: str = "VmRSS") -> float:
    """``field`` summed over ``pid`` and its descendants, in MB (10^6 bytes)."""
    return sum(status_kb(p, field) for p in process_tree(pid)) * 1024 / 1e6
