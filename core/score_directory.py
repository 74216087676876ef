"""The directory of score files a server offers (``THRESHOLD_EXPLORER_SCORES``), by name.

Files too big to upload are put there by whoever runs the server; the /scores page lists them
by name, and a reader (or a link) picks one by that name only. A name is looked up in the
listing, never joined onto the directory: a browser can name no other path.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "THRESHOLD_EXPLORER_SCORES"
SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq")  # what the score-file reader reads
MAX_LISTED = 500  # a directory of more files is listed up to this many, by name


def scores_directory(environ=None) -> Path | None:
    """The directory ``THRESHOLD_EXPLORER_SCORES`` names, or None when unset or empty.

    It need not exist: :func:`score_file_names` lists nothing then.
    """
    value = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    return Path(value).expanduser() if value else None


def score_file_names(directory: Path | None) -> tuple[str, ...]:
    """The score files directly in ``directory``, by name, sorted; empty when there is none.

    Only regular files (a link is followed only when it ends at a regular file in the same
    directory) whose names end in one of :data:`SUFFIXES` (any case) and do not start with a
    dot; at most :data:`MAX_LISTED`. A directory that cannot be read lists nothing.
    """
    if directory is None:
        return ()
    try:
        root = directory.resolve(strict=True)
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError:
        return ()
    names = []
    for entry in entries:
        name = entry.name
        if name.startswith(".") or not name.lower().endswith(SUFFIXES):
            continue
        try:
            path = Path(entry.path).resolve(strict=True)
        except OSError:
            continue
        if path.parent != root or not path.is_file():
            continue
        names.append(name)
        if len(names) == MAX_LISTED:
            break
    return tuple(names)


def score_file_path(directory: Path | None, name: str) -> Path | None:
    """The path of the listed file ``name`` in ``directory``; None when it is not listed."""
    if directory is None or name not in score_file_names(directory):
        return None
    return directory.resolve() / name
