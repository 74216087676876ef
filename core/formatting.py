"""How numbers are written for people and for JSON: percentages, thresholds, nulls. One home.

Every function takes plain floats and returns text, but :func:`json_number`, which returns what
JSON can hold; an undefined value (NaN, a 0/0 ratio) gets the ``missing`` text, or null.
:func:`unwritable_cache` names a cache directory that cannot be written, for the pages and the
command line alike.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.cache import CacheStatus

MISSING = "—"


def percent(value: float, *, decimals: int = 1, missing: str = MISSING) -> str:
    """``0.9`` as ``"90.0%"``; NaN as ``missing``."""
    return missing if math.isnan(value) else f"{value:.{decimals}%}"


def target_percent(value: float, *, min_decimals: int = 1) -> str:
    """A target with as few decimals as state it exactly (at least ``min_decimals``, at most 3).

    ``0.9`` is ``"90.0%"`` (``"90%"`` with ``min_decimals=0``), ``0.905`` is ``"90.5%"``.
    """
    for decimals in range(min_decimals, 3):
        text = f"{value:.{decimals}%}"
        if abs(float(text[:-1]) / 100 - value) < 1e-12:
            return text
    return f"{value:.3%}"


def json_number(value: float) -> float | None:
    """A float for JSON: NaN (an undefined ratio) becomes null. The project's one NaN-to-null."""
    return None if math.isnan(value) else float(value)


def threshold_json(threshold: float) -> float | str:
    """A threshold for JSON: the exact float, or ``"inf"`` / ``"-inf"`` (JSON has no infinity)."""
    if math.isinf(threshold):
        return "inf" if threshold > 0 else "-inf"
    return threshold


def threshold_text(threshold: float) -> str:
    """A threshold in a sentence: two decimals, or what an infinite one means."""
    if threshold == math.inf:
        return "+inf (flag nothing)"
    if threshold == -math.inf:
        return "-inf (flag everything)"
    return f"{threshold:.2f}"


def scaled_threshold_text(threshold: float, scale: str) -> str:
    """A threshold on a model's own scale, named beside it: ``"0.42 (probability)"``."""
    return f"{threshold:,.6g} ({scale})"


def unwritable_cache(status: CacheStatus) -> str:
    """``"the cache at /x cannot be written (read-only file system)"``, from a cache's status.

    The reason is the operating system's own name for the error, in lower case.
    """
    if status.directory is None:
        return "no cache directory could be named"
    reason = status.strerror or (f"error {status.errno}" if status.errno else "unknown error")
    return f"the cache at {status.directory} cannot be written ({reason[:1].lower()}{reason[1:]})"


def _quoted(values, *, most: int = 5) -> str:
    """``"a", "b" and "c"``; past ``most`` values, the first few and how many more."""
    values = [f'"{v}"' for v in values]
    if len(values) > most:
        return ", ".join(values[:most]) + f" and {len(values) - most:,} more"
    if len(values) > 1:
        return ", ".join(values[:-1]) + " and " + values[-1]
    return "".join(values)


def _megabytes(n_bytes: float) -> str:
    """Bytes in MB of 2**20 bytes (as Streamlit's upload limit counts them): whole when they
    are, else with the decimals that tell a size from a limit just under it."""
    value = n_bytes / 2**20
    if value == int(value):
        return f"{value:,.0f} MB"
    return f"{value:.2f} MB" if value < 10 else f"{value:,.1f} MB"


def score_file_problem_text(error) -> str:
    """One plain line for a :class:`~core.score_files.ScoreFileError`, naming the file, the
    column and the first bad row where there are ones.

    ``scores.csv: column "score", line 13 holds "12,5", which is not a number.``
    """
    p, file, column = error.problem, error.file, error.column
    at = "line" if error.format == "csv" else "row"
    where = f'column "{column}", {at} {error.row:,}' if error.row is not None else ""
    value, count, limit = error.value, error.count, error.limit
    role = error.role or "label"
    cells = "counts" if role in ("positives", "negatives") else "scores"
    texts = {
        "empty": lambda: "the file holds no rows." if count == 0 else "the file is empty.",
        "too_big": lambda: (
            f"the file is {_megabytes(count or 0)}, more than the limit of "
            f"{_megabytes(limit or 0)}."
        ),
        "too_many_rows": lambda: (
            f"the file has {count:,} rows, more than the limit of {limit:,}."
            if count is not None and limit is not None
            else f"the file has more rows than the limit of {limit:,}."
            if limit is not None
            else "the file has too many rows."
        ),
        "too_many_columns": lambda: (
            f"the file has more than {limit:,} columns."
            if limit is not None
            else "the file has too many columns."
        ),
        "line_too_long": lambda: (
            (f"{at} {error.row:,}" if error.row else "a line")
            + f" is longer than {_megabytes(limit or 0)}; a score file has one row per line."
        ),
        "no_header": lambda: (
            "the first line holds no column names; the file needs a header row "
            "naming its columns (e.g. label,score)."
        ),
        "not_a_table": lambda: (
            f"{at} {error.row:,} has {count} cells where the header names {limit}."
            if error.row and count is not None
            else "its rows do not all have the header's number of cells."
        ),
        "not_utf8": lambda: (
            (f"{where} is" if column is not None and error.row else f"{at} {error.row:,} is")
            + " not UTF-8 text."
            if error.row
            else "the file is not UTF-8 text."
        ),
        "damaged": lambda: "the file is damaged, truncated, or neither CSV nor Parquet.",
        "nested_column": lambda: (
            f'column "{column}" holds nested values (lists or records); a score '
            "file needs plain columns."
        ),
        "duplicate_column": lambda: f'the column name "{column}" appears more than once.',
        "claims_too_much": lambda: (
            f"its pages claim {_megabytes(count or 0)} once decoded, more than "
            f"the {_megabytes(limit or 0)} a file may take."
        ),
        "missing_column": lambda: (
            f'there is no column "{column}"; the columns are {_quoted(error.choices)}.'
            if column is not None
            else f"no column is named like a {role} column; choose one of {_quoted(error.choices)}."
        ),
        "not_a_number": lambda: (
            f"{where} is empty, where a number is needed."
            if value == ""
            else f'{where} holds "{value}", which is not a number.'
        ),
        "not_finite": lambda: (
            f'column "{column}" holds {count:,} {cells} that are not finite numbers '
            f'(NaN or infinite), the first on {at} {error.row:,} ("{value}"); none is dropped: '
            "fix or remove those rows."
            if count is not None and error.row is not None
            else f'column "{column}" holds {cells} that are not finite numbers.'
        ),
        "one_label": lambda: (
            f'column "{column}" holds only one value ("{value}"); both classes are needed.'
        ),
        "too_many_labels": lambda: (
            f'column "{column}" holds {count:,} different values '
            f"({_quoted(error.choices)}); a binary classifier's labels have two."
        ),
        "positive_absent": lambda: (
            f'column "{column}" has no value "{value}"; its values are {_quoted(error.choices)}.'
        ),
        "positive_needed": lambda: (
            f'which value of column "{column}" is the positive class: '
            + " or ".join(f'"{c}"' for c in error.choices)
            + "?"
        ),
        "missing_label": lambda: f"{where} is empty; every row needs a label.",
        "missing_fold": lambda: f"{where} is empty; every row that is not a test row needs a fold.",
        "no_curve_rows": lambda: (
            f'column "{column}" marks every row as test or holdout; no rows are '
            "left for the curves."
        ),
        "bad_count": lambda: (
            f'{where} holds "{value}", where a count (a whole number of {role}, 0 or more) '
            "is needed."
        ),
        "duplicate_score": lambda: (
            f'{where} repeats the score "{value}"; an aggregated table has one row per distinct '
            "score (within each fold, split and group)."
        ),
        "one_class": lambda: f'column "{column}" counts no {role} at all; both classes are needed.',
        "out_of_memory": lambda: f"reading it needed more than {_megabytes(limit or 0)} of memory.",
        "took_too_long": lambda: (
            f"reading it took longer than {limit:g} s."
            if limit is not None
            else "reading it took too long."
        ),
    }
    return f"{file}: {texts[p]()}" if p in texts else f"{file}: {p}"
