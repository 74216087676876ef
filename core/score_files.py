"""Score files: a CSV or Parquet table of labels and scores read into a :class:`ScoredSet`.

Two steps. :func:`load_score_table` reads a file into a :class:`ScoreTable` (columns as read:
a CSV's cells as text, so that a bad cell can be quoted as written), checking what can be
checked before the whole file is decoded: its size, a CSV's header line and column count, a
Parquet's footer (nested or duplicate columns, its row count, the sizes its pages claim).
:func:`scored_set_from_table` then turns the named columns into a scored set, refusing the
first bad row. :func:`read_scored_set` does both, guessing the label and score columns from
their names when not given.

Every refusal is a :class:`ScoreFileError` with a problem code from :data:`PROBLEMS` and where
it lies (file, column, row as a person counts it: a CSV's line number, header = line 1, or a
Parquet's row number); :func:`core.formatting.score_file_problem_text` puts it into one line.

With ``isolated=True`` the file is parsed in a child process under an address-space limit and
a wall-clock timeout (the server's way: nothing a bad file does reaches another session); it
hands the parsed columns back through a temporary directory that is always removed. The next
child is started ahead, its libraries imported, waiting for its file
(:func:`start_isolated_reader`).

Nothing is read whole before its checks: a path is read at offsets (a Parquet's footer and page
headers, :mod:`core.parquet_claims`) and in blocks (a CSV's rows counted on the way, the hash).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from core.parquet_claims import ClaimsTooMuch, Damaged, TooManyRows, parquet_claims
from core.scored_set import NO_FOLD, NO_GROUP, ScoredSet, scored_set

PROBLEMS = (
    "empty",
    "too_big",
    "too_many_rows",
    "too_many_columns",
    "line_too_long",
    "no_header",
    "not_a_table",
    "not_utf8",
    "damaged",
    "nested_column",
    "duplicate_column",
    "claims_too_much",
    "missing_column",
    "not_a_number",
    "not_finite",
    "one_label",
    "too_many_labels",
    "positive_absent",
    "positive_needed",
    "missing_label",
    "missing_fold",
    "no_curve_rows",
    "bad_count",
    "duplicate_score",
    "one_class",
    "out_of_memory",
    "took_too_long",
)
FORMATS = ("csv", "parquet")
ROLES = ("label", "score", "fold", "split", "group", "id")
# An aggregated table's two count columns: one row per distinct score (within each fold, split
# and group) with how many positives and negatives have it, what one GROUP BY gives.
COUNT_ROLES = ("positives", "negatives")
TEST_SPLITS = ("test", "holdout")  # split values (any case) that mark a test row
PARQUET_MAGIC = b"PAR1"
CSV_DELIMITERS = (",", ";", "\t")
UTF8_BOM = b"\xef\xbb\xbf"
MB = 1024 * 1024  # as Streamlit counts its upload limit
MAX_CHOICES = 20  # label values kept in an error's ``choices``
READ_BLOCK = 4 * MB  # a file read in blocks: a CSV's rows counted, a file's hash
BLANKS = b"\r\n \t"  # trailing blank lines are no rows

# Environment variables that override the default limits (see :func:`limits_from_env`).
ENV_MAX_MB = "THRESHOLD_EXPLORER_MAX_SCORE_MB"
ENV_MAX_ROWS = "THRESHOLD_EXPLORER_MAX_SCORE_ROWS"
ENV_MAX_COLUMNS = "THRESHOLD_EXPLORER_MAX_SCORE_COLUMNS"
ENV_MEMORY_MB = "THRESHOLD_EXPLORER_SCORE_MEMORY_MB"
ENV_SECONDS = "THRESHOLD_EXPLORER_SCORE_SECONDS"

# Common column names, most telling first; compared in lower case with spaces and hyphens as
# underscores.
COLUMN_NAMES = {
    "label": (
        "label", "labels", "y_true", "y", "target", "class", "actual", "truth", "ground_truth",
        "true_label", "is_positive", "outcome",
    ),
    "score": (
        "score", "scores", "y_score", "y_scores", "proba", "probability", "prob", "y_proba",
        "y_prob", "predicted_probability", "prediction", "pred", "y_pred", "decision_function",
        "decision", "logit",
    ),
    "fold": ("fold", "folds", "cv_fold", "fold_id", "kfold"),
    "split": ("split", "subset", "partition", "set"),
    "group": ("group", "subgroup", "segment", "cohort"),
    "id": ("id", "row_id", "identifier", "key", "uid"),
    "positives": ("positives", "n_positives", "n_positive", "num_positives", "pos", "n_pos"),
    "negatives": ("negatives", "n_negatives", "n_negative", "num_negatives", "neg", "n_neg"),
}  # fmt: skip


class ScoreFileError(ValueError):
    """A score file, or the columns chosen from it, cannot be read as a scored set.

    Attributes
    ----------
    problem : str
        One of :data:`PROBLEMS`.
    file : str
        The file's name as shown to the person.
    format : {"csv", "parquet"} or None
        Decides whether ``row`` is a line (CSV) or a row (Parquet); None before it is known.
    column : str or None
        The column concerned.
    role : str or None
        What the column was to be, one of :data:`ROLES`, e.g. for a column that is missing or
        could not be guessed.
    row : int or None
        The first bad row, 1-based in the person's terms: a CSV's line number (header = line
        1), a Parquet's row number.
    value : str or None
        What the cell holds, as text (``"12,5"``; ``""`` for an empty cell).
    count : int or None
        How many (bad cells, rows, bytes, label values, ...).
    limit : int or float or None
        The limit exceeded, or the count expected.
    choices : tuple of str
        The values to choose among (a label column's values, the file's columns).
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str,
        format: str | None = None,
        column: str | None = None,
        role: str | None = None,
        row: int | None = None,
        value: str | None = None,
        count: int | None = None,
        limit: float | None = None,
        choices=(),
    ):
        if problem not in PROBLEMS:
            raise ValueError(f"problem must be one of {PROBLEMS}, got {problem!r}")
        self.problem = problem
        self.file = str(file)
        self.format = format
        self.column = column
        self.role = role
        self.row = row
        self.value = value
        self.count = count
        self.limit = limit
        self.choices = tuple(str(c) for c in choices)
        details = [
            f"{key}={val!r}"
            for key, val in (
                ("column", column), ("role", role), ("row", row), ("value", value),
                ("count", count), ("limit", limit),
            )
            if val is not None
        ]  # fmt: skip
        if self.choices:
            details.append(f"choices={list(self.choices[:5])}")
        super().__init__(
            f"{self.file}: {problem}" + (f" ({', '.join(details)})" if details else "")
        )

    def as_dict(self) -> dict:
        """Everything but the message, JSON-ready: :meth:`from_dict` makes it again."""
        keys = ("problem", "file", "format", "column", "role", "row", "value", "count", "limit")
        return {**{k: getattr(self, k) for k in keys}, "choices": list(self.choices)}

    @classmethod
    def from_dict(cls, fields: dict) -> ScoreFileError:
        fields = dict(fields)
        return cls(fields.pop("problem"), **fields)

    def __reduce__(self):
        return (_error_from_dict, (self.as_dict(),))


def _error_from_dict(fields: dict) -> ScoreFileError:
    return ScoreFileError.from_dict(fields)


# ---------------------------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadLimits:
    """What one score file may cost. Each is checked before the file is decoded where it can be.

    Attributes
    ----------
    max_bytes : int
        The file's size.
    max_rows : int
        Data rows (a CSV's lines after the header, a Parquet's ``num_rows``).
    max_columns : int
    max_line_bytes : int
        A CSV's header line, and any line (the parser's block size).
    memory_bytes : int
        What decoding may take: a Parquet whose pages claim more (uncompressed) is refused
        before decoding; the isolated reader's address-space limit.
    seconds : float
        The isolated reader's wall-clock limit.
    """

    max_bytes: int = 1024 * MB
    max_rows: int = 20_000_000
    max_columns: int = 1_000
    max_line_bytes: int = 1 * MB
    memory_bytes: int = 2048 * MB
    seconds: float = 60.0

    def __post_init__(self):
        for name in ("max_bytes", "max_rows", "max_columns", "max_line_bytes", "memory_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if not (isinstance(self.seconds, int | float) and 0 < self.seconds < math.inf):
            raise ValueError(f"seconds must be a finite number > 0, got {self.seconds!r}")


def limits_from_env(environ=None) -> ReadLimits:
    """:class:`ReadLimits` with the overrides set in the environment, the defaults elsewhere.

    ``THRESHOLD_EXPLORER_MAX_SCORE_MB`` (file size, MB of 2**20 bytes),
    ``THRESHOLD_EXPLORER_MAX_SCORE_ROWS``, ``THRESHOLD_EXPLORER_MAX_SCORE_COLUMNS``,
    ``THRESHOLD_EXPLORER_SCORE_MEMORY_MB`` (the reader's memory) and
    ``THRESHOLD_EXPLORER_SCORE_SECONDS`` (the isolated reader's time), each a positive number.

    Raises
    ------
    ValueError
        Naming the variable whose value is not a positive number.
    """
    environ = os.environ if environ is None else environ
    overrides = {}
    for variable, key, scale, kind in (
        (ENV_MAX_MB, "max_bytes", MB, int),
        (ENV_MAX_ROWS, "max_rows", 1, int),
        (ENV_MAX_COLUMNS, "max_columns", 1, int),
        (ENV_MEMORY_MB, "memory_bytes", MB, int),
        (ENV_SECONDS, "seconds", 1, float),
    ):
        text = environ.get(variable, "").strip()
        if not text:
            continue
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not 0 < number < math.inf:
            raise ValueError(f"{variable} must be a positive number, got {text!r}")
        overrides[key] = kind(max(1, number * scale)) if kind is int else number * scale
    return ReadLimits(**overrides)


# ---------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ScoreTable:
    """A score file's columns as read: a CSV's as text, a Parquet's in their own types.

    Attributes
    ----------
    name : str
        The file's name as shown.
    format : {"csv", "parquet"}
    columns : tuple of str
        The column names, in the file's order.
    n_rows : int
    fingerprint : str
        SHA-256 of the file's bytes.
    """

    name: str
    format: str
    columns: tuple[str, ...]
    n_rows: int
    fingerprint: str
    _table: object = field(repr=False, default=None)  # a pyarrow.Table
    _cells: dict = field(repr=False, default_factory=dict)  # cells(): each made once

    def first_row(self) -> int:
        """The person's number of the first data row: line 2 of a CSV, row 1 of a Parquet."""
        return 2 if self.format == "csv" else 1

    def arrow_column(self, name: str):
        """Column ``name`` as one pyarrow array (dictionaries decoded)."""
        import pyarrow as pa

        if name not in self.columns:
            raise ScoreFileError(
                "missing_column", file=self.name, format=self.format, column=name,
                choices=self.columns,
            )  # fmt: skip
        column = self._table.column(name)
        chunks = [
            c.dictionary_decode() if pa.types.is_dictionary(c.type) else c for c in column.chunks
        ]
        if not chunks:
            return pa.array([], type=column.type)
        return pa.concat_arrays(chunks) if len(chunks) > 1 else chunks[0]

    def cells(self, name: str):
        """Column ``name`` as its cells are compared and counted: text trimmed of blanks, other
        types as they are (a pyarrow array, made once)."""
        if name not in self._cells:
            self._cells[name] = _as_text(self.arrow_column(name))
        return self._cells[name]

    def column(self, name: str) -> np.ndarray:
        """Column ``name`` as an array of shape (n_rows,): text as objects (str), numbers as
        numbers; missing values as None (objects) or NaN."""
        return self.arrow_column(name).to_numpy(zero_copy_only=False)


def _problem(problem: str, name: str, format: str | None = None, **where) -> ScoreFileError:
    return ScoreFileError(problem, file=name, format=format, **where)


class _File:
    """A score file to read: its content in memory, or a path read at offsets and in blocks,
    never whole before its checks pass."""

    def __init__(self, source, name: str, limits: ReadLimits):
        self.data, self.path, self._handle = None, None, None
        if isinstance(source, bytes | bytearray | memoryview):
            self.data = bytes(source)
            self.size = len(self.data)
        else:
            self.path = Path(source)
            self._handle = self.path.open("rb")
            self.size = os.fstat(self._handle.fileno()).st_size
        if self.size > limits.max_bytes:
            self.close()
            raise _problem("too_big", name, count=self.size, limit=limits.max_bytes)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def read_at(self, offset: int, n: int) -> bytes:
        """At most ``n`` bytes from ``offset``."""
        if self.data is not None:
            return self.data[offset : offset + n]
        return os.pread(self._handle.fileno(), max(0, n), offset)

    def arrow_source(self):
        """What pyarrow reads: the bytes, or the path (pyarrow reads it at offsets)."""
        import pyarrow as pa

        return pa.BufferReader(self.data) if self.data is not None else str(self.path)

    def sha256(self) -> str:
        """SHA-256 of the content, the file read in blocks."""
        if self.data is not None:
            return hashlib.sha256(self.data).hexdigest()
        digest = hashlib.sha256()
        block = bytearray(READ_BLOCK)
        view = memoryview(block)
        with self.path.open("rb", buffering=0) as handle:
            while n := handle.readinto(block):
                digest.update(view[:n])
        return digest.hexdigest()

    def csv_bytes(self, name: str, limits: ReadLimits) -> tuple[bytes | bytearray, str]:
        """The whole content and its SHA-256, read in blocks: a file of more rows than
        ``limits.max_rows`` is refused at the block that passes it, unread beyond.

        Rows are counted as :func:`_csv_table` counts them: the lines before the last one
        that holds more than blanks, after the header.
        """
        if self.data is not None:
            return self.data, self.sha256()
        digest = hashlib.sha256()
        buffer = bytearray(self.size)
        view = memoryview(buffer)
        filled, rows, pending = 0, 0, 0  # pending: newlines after the last non-blank byte
        while filled < self.size:
            n = self._handle.readinto(view[filled : min(self.size, filled + READ_BLOCK)])
            if not n:  # shrunk since its size was read
                del view
                del buffer[filled:]
                view = memoryview(buffer)
                break
            chunk = buffer[filled : filled + n]
            digest.update(chunk)
            filled += n
            stripped = chunk.rstrip(BLANKS)
            if stripped:
                rows += pending + stripped.count(b"\n")
                pending = chunk.count(b"\n", len(stripped))
            else:
                pending += chunk.count(b"\n")
            if rows > limits.max_rows:
                raise _problem("too_many_rows", name, "csv", limit=limits.max_rows)
        more = self._handle.read(limits.max_bytes + 1 - len(buffer))
        if more:  # grown since its size was read: read on, up to the limit
            del view
            buffer += more
            digest.update(more)
            if len(buffer) > limits.max_bytes:
                raise _problem("too_big", name, count=len(buffer), limit=limits.max_bytes)
        return buffer, digest.hexdigest()


def load_score_table(
    source, *, name: str, limits: ReadLimits | None = None, isolated: bool = False
) -> ScoreTable:
    """Read a CSV or Parquet file into a :class:`ScoreTable`, checking it before decoding.

    Parameters
    ----------
    source : str, os.PathLike or bytes
        A path, or the file's content.
    name : str
        The file's name as shown in errors.
    limits : ReadLimits, optional
        Default: :func:`limits_from_env`.
    isolated : bool, default False
        Parse in a child process limited to ``limits.memory_bytes`` of address space and
        ``limits.seconds`` of wall-clock time.

    Returns
    -------
    ScoreTable

    Raises
    ------
    ScoreFileError
        "empty", "too_big", "too_many_rows", "too_many_columns", "line_too_long", "no_header",
        "not_a_table", "not_utf8", "damaged", "nested_column", "duplicate_column",
        "claims_too_much", "out_of_memory", "took_too_long".
    OSError
        When the path cannot be read.
    """
    limits = limits_from_env() if limits is None else limits
    if not isinstance(limits, ReadLimits):
        raise ValueError(f"limits must be a ReadLimits, got {limits!r}")
    name = str(name)
    if isolated:
        return _load_isolated(source, name=name, limits=limits)
    file = _File(source, name, limits)
    try:
        return _parse(file, name=name, limits=limits)
    except MemoryError:
        raise _problem("out_of_memory", name, limit=limits.memory_bytes) from None
    finally:
        file.close()


def _parse(file: _File, *, name: str, limits: ReadLimits) -> ScoreTable:
    head = file.read_at(0, 4096)
    if not head or (file.size <= len(head) and not head.strip()):  # more blanks: "no_header"
        raise _problem("empty", name)
    if head[:4] == PARQUET_MAGIC:
        table, fingerprint = _parquet_table(file, name=name, limits=limits)
        format = "parquet"
    else:
        data, fingerprint = file.csv_bytes(name, limits)
        table = _csv_table(data, name=name, limits=limits)
        del data
        format = "csv"
    if table.num_rows == 0:
        raise _problem("empty", name, format, count=0)
    return ScoreTable(
        name=name,
        format=format,
        columns=tuple(table.column_names),
        n_rows=table.num_rows,
        fingerprint=fingerprint,
        _table=table,
    )


def _out_of_memory(exc: BaseException) -> bool:
    """Whether a library's error is really the memory running out (under the isolated
    reader's limit a thread or a buffer that cannot be had shows as another error)."""
    if isinstance(exc, MemoryError):
        return True
    text = str(exc).lower()
    return any(
        words in text
        for words in ("alloc", "out of memory", "worker thread", "temporarily unavailable")
    )


# --- CSV --------------------------------------------------------------------------------------


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def _split_header(line: str, delimiter: str) -> list[str]:
    import csv

    return next(csv.reader([line], delimiter=delimiter))


def _looks_like_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_header(data: bytes, *, name: str, limits: ReadLimits) -> tuple[int, list[str], str]:
    """Where the rows start, the column names and the delimiter, from the first line alone."""
    start = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    end = data.find(b"\n", start, start + limits.max_line_bytes + 1)
    if end < 0:
        if len(data) - start > limits.max_line_bytes:
            raise _problem("line_too_long", name, "csv", row=1, limit=limits.max_line_bytes)
        end = len(data)
    try:
        line = data[start:end].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        raise _problem("not_utf8", name, "csv", row=1) from None
    if not line.strip():
        raise _problem("no_header", name, "csv", row=1, value=line)
    delimiter = max(CSV_DELIMITERS, key=line.count)  # ties: the comma, first
    if len(line) > 4 * limits.max_columns and line.count(delimiter) >= limits.max_columns:
        raise _problem("too_many_columns", name, "csv", row=1, limit=limits.max_columns)
    try:
        cells = [cell.strip() for cell in _split_header(line, delimiter)]
    except Exception:  # noqa: BLE001 - the csv module's error on a malformed quote
        raise _problem("no_header", name, "csv", row=1, value=line[:200]) from None
    if len(cells) > limits.max_columns:
        raise _problem(
            "too_many_columns", name, "csv", row=1, count=len(cells), limit=limits.max_columns
        )
    # Column names are seldom numbers, and a row of labels and scores always holds one.
    if any(_looks_like_number(cell) for cell in cells if cell) or not any(cells):
        raise _problem("no_header", name, "csv", row=1, value=line[:200])
    columns = [cell or f"column {k + 1}" for k, cell in enumerate(cells)]
    seen = set()
    for column in columns:
        if column in seen:
            raise _problem("duplicate_column", name, "csv", column=column, row=1)
        seen.add(column)
    return min(end + 1, len(data)), columns, delimiter


def _csv_table(data: bytes, *, name: str, limits: ReadLimits):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    body, columns, delimiter = _csv_header(data, name=name, limits=limits)
    end = len(data)
    while end > body and data[end - 1] in BLANKS:  # trailing blank lines are no rows
        end -= 1
    lines = data.count(b"\n", body, end) + (1 if end > body else 0)
    if lines > limits.max_rows:
        raise _problem("too_many_rows", name, "csv", count=lines, limit=limits.max_rows)

    def read(use_threads: bool, handler=None):
        buffer = pa.py_buffer(data)[body:end]
        return pacsv.read_csv(
            pa.BufferReader(buffer),
            read_options=pacsv.ReadOptions(
                column_names=columns,
                use_threads=use_threads,
                block_size=max(limits.max_line_bytes, 1 << 16),
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                ignore_empty_lines=False,
                newlines_in_values=False,
                invalid_row_handler=handler,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={column: pa.string() for column in columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )

    if end == body:
        return pa.table({column: pa.array([], pa.string()) for column in columns})
    try:
        return read(use_threads=True)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow's many errors; found again below, with its line
        if _out_of_memory(exc):
            raise MemoryError from exc
    # The error path only: first the text (pyarrow hands a bad row to the handler below as
    # text), then read again on one thread to name the first bad line.
    try:
        data[body:end].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _problem("not_utf8", name, "csv", row=_line_of(data, body + exc.start)) from None
    invalid = []

    def first_invalid(row):
        invalid.append(row)
        return "error"

    try:
        read(use_threads=False, handler=first_invalid)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001
        if _out_of_memory(exc):
            raise MemoryError from exc
        message = str(exc)
    else:  # pragma: no cover - it failed once with threads
        message = ""
    if invalid:
        bad = invalid[0]
        row = None if bad.number is None else bad.number + 1
        raise _problem(
            "not_a_table", name, "csv", row=row, count=bad.actual_columns,
            limit=bad.expected_columns, value=(bad.text or "")[:200],
        )  # fmt: skip
    if "straddling" in message or "block" in message:
        starts = np.flatnonzero(np.frombuffer(data, dtype=np.uint8, count=end) == ord("\n"))
        lengths = np.diff(np.concatenate(([-1], starts, [end])))
        long = np.flatnonzero(lengths > limits.max_line_bytes)
        row = int(long[0]) + 1 if long.size else None
        raise _problem("line_too_long", name, "csv", row=row, limit=limits.max_line_bytes)
    raise _problem("damaged", name, "csv")


# --- Parquet ----------------------------------------------------------------------------------


def _parquet_table(file: _File, *, name: str, limits: ReadLimits):
    """The file's table and its SHA-256, after what its footer and page headers claim
    (:func:`core.parquet_claims.parquet_claims`) passed the row and memory budgets: nothing
    is decoded, nor its footer parsed by pyarrow, before."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        claims = parquet_claims(
            file.read_at, file.size, budget=limits.memory_bytes, max_rows=limits.max_rows
        )
    except TooManyRows as exc:
        raise _problem(
            "too_many_rows", name, "parquet", count=exc.num_rows, limit=limits.max_rows
        ) from None
    except ClaimsTooMuch as exc:
        raise _problem(
            "claims_too_much", name, "parquet", count=exc.claimed, limit=limits.memory_bytes
        ) from None
    except Damaged:
        raise _problem("damaged", name, "parquet") from None
    try:
        parquet = pq.ParquetFile(file.arrow_source())
        metadata = parquet.metadata
        schema = parquet.schema_arrow
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow's many errors on a bad footer
        if _out_of_memory(exc):
            raise MemoryError from exc
        raise _problem("damaged", name, "parquet") from None
    names = list(schema.names)
    if len(names) > limits.max_columns:
        raise _problem(
            "too_many_columns", name, "parquet", count=len(names), limit=limits.max_columns
        )
    seen = set()
    for column_field in schema:
        if column_field.name in seen:
            raise _problem("duplicate_column", name, "parquet", column=column_field.name)
        seen.add(column_field.name)
        if pa.types.is_nested(column_field.type):
            raise _problem("nested_column", name, "parquet", column=column_field.name)
    if metadata.num_columns != len(names) or metadata.num_rows != claims.num_rows:
        raise _problem("damaged", name, "parquet")  # leaves of a nested type, or a bad footer
    with ThreadPoolExecutor(max_workers=1) as pool:  # the hash reads while pyarrow decodes
        fingerprint = pool.submit(file.sha256)
        try:
            table = parquet.read(use_threads=True, use_pandas_metadata=False)
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - pyarrow's many errors on damaged pages
            if _out_of_memory(exc):
                raise MemoryError from exc
            raise _problem("damaged", name, "parquet") from None
        finally:
            fingerprint = fingerprint.result()
    if table.num_rows != metadata.num_rows or table.column_names != names:
        raise _problem("damaged", name, "parquet")
    for column_name in names:  # Parquet's text is not checked on reading; a flip can break it
        column = table.column(column_name)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)

        def valid(low: int, high: int, column=column) -> bool:
            try:
                column.slice(low, high - low).validate(full=True)
            except pa.ArrowException:
                return False
            return True

        if not valid(0, len(column)):
            row = _first_failing(len(column), valid) + 1
            raise _problem("not_utf8", name, "parquet", column=column_name, row=row)
    return table, fingerprint


def _first_failing(n: int, passes) -> int:
    """The first index ``k`` of ``range(n)`` where ``passes(k, k + 1)`` fails, given that
    ``passes(0, n)`` fails: halving the range, each half checked whole."""
    low, high = 0, n
    while high - low > 1:
        middle = (low + high) // 2
        if passes(low, middle):
            low = middle
        else:
            high = middle
    return low


# --- the isolated reader ----------------------------------------------------------------------

_CHILD_OUT_OF_MEMORY = 3
# One glibc arena: an arena per thread would spend the child's address-space limit on nothing.
# Arrow's buffers from jemalloc, which keeps to the limit (an allocation past it fails, and the
# child says so) and decodes several times faster than the system allocator's fresh pages.
_CHILD_ENV = {"MALLOC_ARENA_MAX": "1", "ARROW_DEFAULT_MEMORY_POOL": "jemalloc"}
_RESULT = "result.json"
_TABLE = "table.arrow"


def _load_isolated(source, *, name: str, limits: ReadLimits) -> ScoreTable:
    import pyarrow as pa

    if not isinstance(source, bytes | bytearray | memoryview):
        size = Path(source).stat().st_size  # refused here, before a process is started
        if size > limits.max_bytes:
            raise _problem("too_big", name, count=size, limit=limits.max_bytes)
    elif len(source) > limits.max_bytes:
        raise _problem("too_big", name, count=len(source), limit=limits.max_bytes)
    directory = Path(tempfile.mkdtemp(prefix="score-file-"))
    try:
        if isinstance(source, bytes | bytearray | memoryview):
            path = directory / "input"
            path.write_bytes(source)
        else:
            path = Path(source).resolve()
        job = [str(path), str(directory), name, json.dumps(asdict(limits))]
        (directory / "stderr").touch()
        child = _STANDBY.take()
        try:
            child.stdin.write(json.dumps(job).encode() + b"\n")
            child.stdin.close()
        except OSError:  # it died while waiting: an error shows below, as a damaged read
            pass
        _STANDBY.refill()
        try:
            status = child.wait(timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            raise _problem("took_too_long", name, limit=limits.seconds) from None
        finally:
            if child.poll() is None:  # interrupted while waiting
                child.kill()
                child.wait()
        result_path = directory / _RESULT
        said = (directory / "stderr").read_bytes()[-4096:]
        if (
            status in (_CHILD_OUT_OF_MEMORY, -signal.SIGKILL)
            or b"bad_alloc" in said
            or b"MemoryError" in said
        ):
            raise _problem("out_of_memory", name, limit=limits.memory_bytes)
        if status != 0 or not result_path.exists():
            raise _problem("damaged", name)
        result = json.loads(result_path.read_text())
        if "error" in result:
            raise ScoreFileError.from_dict(result["error"])
        # Mapped, not copied: the columns stay readable once the directory is removed.
        with pa.memory_map(str(directory / _TABLE)) as handle:
            table = pa.ipc.open_file(handle).read_all()
        return ScoreTable(
            name=name,
            format=result["format"],
            columns=tuple(table.column_names),
            n_rows=table.num_rows,
            fingerprint=result["fingerprint"],
            _table=table,
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


class _Standby:
    """One reader process started ahead, its libraries imported, waiting on its stdin for a
    file: a read does not wait for an interpreter to start (about half a second, more on a busy
    machine). It is taken by one read and another is started for the next; one waiting while the
    server runs, and it leaves when the server does (its stdin closes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._env_key: str | None = None

    @staticmethod
    def _env() -> tuple[dict[str, str], str]:
        """The reader's environment (this process's, and the allocators of ``_CHILD_ENV``), and
        a key for it: a reader started in another is not used."""
        root = str(Path(__file__).resolve().parents[1])
        paths = filter(None, (root, os.environ.get("PYTHONPATH")))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), **_CHILD_ENV}
        return env, hashlib.sha256(json.dumps(env, sort_keys=True).encode()).hexdigest()

    @staticmethod
    def _start(env: dict[str, str]) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "core.score_files", "--wait"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,  # "ready" once its libraries are imported
            stderr=subprocess.DEVNULL,  # the job names its own stderr file
            env=env,
            start_new_session=True,
        )

    def take(self) -> subprocess.Popen:
        """The waiting reader if it is alive and of this environment, else a new one."""
        env, key = self._env()
        with self._lock:
            process, self._process = self._process, None
            fresh = process is not None and process.poll() is None and self._env_key == key
            self._env_key = key
        if not fresh:
            if process is not None:
                _end(process)
            process = self._start(env)
        return process

    def refill(self) -> subprocess.Popen:
        """Start the next reader, unless one waits already; the one waiting."""
        env, key = self._env()
        with self._lock:
            process = self._process
            if process is not None and process.poll() is None and self._env_key == key:
                return process
            self._process, self._env_key = self._start(env), key
            stale, process = process, self._process
        if stale is not None:
            _end(stale)
        return process


def start_isolated_reader(*, wait: bool = False) -> None:
    """Start the isolated reader's next process now (a server does so when it starts), so that
    the first file read does not wait for it either; ``wait``: until its libraries are
    imported."""
    process = _STANDBY.refill()
    if wait:
        process.stdout.readline()


def _end(process: subprocess.Popen) -> None:
    with contextlib.suppress(OSError):
        process.kill()
    process.wait()


_STANDBY = _Standby()


def _address_space_bytes() -> int:
    """This process's mapped address space (VmSize), in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _child_main(argv: list[str]) -> int:
    """The isolated reader's child: wait for its job on stdin (``--wait``), then parse one file
    and write its table (or its error)."""
    import pyarrow as pa
    import pyarrow.compute  # noqa: F401 - imported before the limit, as every parse needs them
    import pyarrow.csv  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    if argv == ["--wait"]:
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:  # the server left before giving it a file
            return 0
        argv = json.loads(line)
        descriptor = os.open(Path(argv[1]) / "stderr", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.dup2(descriptor, 2)
        os.close(descriptor)
    path, directory, name, limits_json = argv
    limits = ReadLimits(**json.loads(limits_json))
    # The budget is on top of what the interpreter and its libraries already map.
    budget = _address_space_bytes() + limits.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    directory = Path(directory)
    try:
        try:
            table = load_score_table(path, name=name, limits=limits)
        except ScoreFileError as exc:
            if exc.problem == "out_of_memory":
                return _CHILD_OUT_OF_MEMORY
            (directory / _RESULT).write_text(json.dumps({"error": exc.as_dict()}))
            return 0
        with pa.OSFile(str(directory / _TABLE), "wb") as sink:
            with pa.ipc.new_file(sink, table._table.schema) as writer:
                writer.write_table(table._table)
        result = {"format": table.format, "fingerprint": table.fingerprint}
        (directory / _RESULT).write_text(json.dumps(result))
        return 0
    except MemoryError:
        return _CHILD_OUT_OF_MEMORY


# ---------------------------------------------------------------------------------------------
# Columns into a scored set
# ---------------------------------------------------------------------------------------------


def _normal(name: str) -> str:
    return "_".join(str(name).strip().lower().replace("-", " ").split())


def guess_columns(columns) -> dict:
    """The column each role most likely is, from common names (case-insensitive).

    Parameters
    ----------
    columns : sequence of str

    Returns
    -------
    dict
        Keys "label", "score", "fold", "split", "group", "id", "positives", "negatives" (the
        count columns of an aggregated table); each value a column name or None. No column is
        given two roles.
    """
    by_normal = {}
    for column in columns:
        by_normal.setdefault(_normal(column), column)
    guess, taken = {}, set()
    for role in ROLES + COUNT_ROLES:
        guess[role] = None
        for candidate in COLUMN_NAMES[role]:
            column = by_normal.get(candidate)
            if column is not None and column not in taken:
                guess[role] = column
                taken.add(column)
                break
    return guess


def _text_of(value) -> str:
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    return str(value)


def _first(mask) -> int:
    """Index of the first True of a boolean pyarrow array or ndarray (-1 if none)."""
    mask = np.asarray(mask, dtype=bool)
    return int(np.argmax(mask)) if mask.any() else -1


def _missing_mask(array) -> np.ndarray:
    """True where a cell of :meth:`ScoreTable.cells` holds nothing: null, NaN, empty text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    missing = array.is_null().to_numpy(zero_copy_only=False)
    if pa.types.is_floating(array.type):
        missing |= pc.is_nan(array).fill_null(True).to_numpy(zero_copy_only=False)
    elif pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        empty = pc.equal(pc.utf8_length(array), 0)
        missing |= empty.fill_null(True).to_numpy(zero_copy_only=False)
    return missing


def _as_text(array):
    """Text columns trimmed of blanks; others as they are."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return pc.utf8_trim_whitespace(array)
    return array


def _distinct(table: ScoreTable, array, rows=None) -> tuple[list, list[str]]:
    """The distinct non-missing values of ``array`` (native) and their texts, sorted as the
    values sort (numerically when every text is a number)."""
    import pyarrow.compute as pc

    values = pc.unique((array if rows is None else array.filter(rows)).drop_null())
    natives = [v for v in values.to_pylist() if not (isinstance(v, float) and math.isnan(v))]
    natives = [v for v in natives if not (isinstance(v, str) and not v)]
    texts = [_text_of(v) for v in natives]
    if all(_looks_like_number(t) for t in texts):
        order = sorted(range(len(texts)), key=lambda k: (float(texts[k]), texts[k]))
    else:
        order = sorted(range(len(texts)), key=lambda k: texts[k])
    return [natives[k] for k in order], [texts[k] for k in order]


def label_values(table: ScoreTable, column: str) -> tuple[str, ...]:
    """The distinct values of a label column as text, sorted.

    Raises
    ------
    ScoreFileError
        "missing_column" when there is no such column; "missing_label" (with the first row)
        when a cell is empty.
    """
    return tuple(_label_values(table, column)[1])


def _label_values(table: ScoreTable, column: str) -> tuple[list, list[str]]:
    array = table.cells(column)
    missing = _first(_missing_mask(array))
    if missing >= 0:
        raise _problem(
            "missing_label", table.name, table.format, column=column, role="label",
            row=missing + table.first_row(),
        )  # fmt: skip
    natives, texts = _distinct(table, array)
    order = sorted(range(len(texts)), key=lambda k: texts[k])
    return [natives[k] for k in order], [texts[k] for k in order]


def default_positive(values) -> str | None:
    """The positive class when the labels leave no doubt, else None (never guessed otherwise).

    ``"1"`` of {"0", "1"} (also "0.0" / "1.0", as written), the true one of {False, True} in
    any case.
    """
    values = [str(v) for v in values]
    if len(values) != 2:
        return None
    lowered = {v.strip().lower(): v for v in values}
    for negative, positive in (("0", "1"), ("0.0", "1.0"), ("false", "true")):
        if set(lowered) == {negative, positive}:
            return lowered[positive]
    return None


def _scores(table: ScoreTable, column: str, *, role: str = "score") -> np.ndarray:
    """The score column (or another numeric one, as ``role``) as float64, or the first cell
    that is not a number."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = table.arrow_column(column)
    first = table.first_row()

    def refuse(index: int):
        value = array[index].as_py()
        raise _problem(
            "not_a_number", table.name, table.format, column=column, role=role,
            row=index + first, value="" if value is None else _text_of(value),
        )  # fmt: skip

    if array.null_count:
        refuse(_first(array.is_null().to_numpy(zero_copy_only=False)))
    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = table.cells(column)
        try:
            numbers = pc.cast(text, pa.float64())
        except pa.ArrowInvalid:

            def casts(low: int, high: int) -> bool:
                try:
                    pc.cast(text.slice(low, high - low), pa.float64())
                except pa.ArrowInvalid:
                    return False
                return True

            refuse(_first_failing(len(text), casts))
    elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        numbers = pc.cast(array, pa.float64(), safe=False)
    else:
        refuse(0)
    scores = numbers.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    bad = ~np.isfinite(scores)
    if bad.any():
        index = _first(bad)
        raise _problem(
            "not_finite", table.name, table.format, column=column, role=role,
            row=index + first, value=_text_of(array[index].as_py()), count=int(bad.sum()),
        )  # fmt: skip
    return scores


def _codes(array, natives: list) -> np.ndarray:
    """Each row's position among ``natives`` (-1 where missing)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    codes = pc.index_in(array, value_set=pa.array(natives, type=array.type))
    return codes.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)


def scored_set_from_table(
    table: ScoreTable,
    *,
    label: str | None = None,
    score: str,
    positive: str | None = None,
    fold: str | None = None,
    split: str | None = None,
    group: str | None = None,
    id: str | None = None,  # noqa: A002 - the role's name, as the command line's --id
    positives: str | None = None,
    negatives: str | None = None,
    other_columns: bool = True,
) -> ScoredSet:
    """The scored set the named columns of ``table`` make, refusing the first bad row.

    Either a table of rows (``label`` and ``score``) or an aggregated table (``score``,
    ``positives`` and ``negatives``: one row per distinct score within each fold, split and
    group, as one ``GROUP BY`` gives it). An aggregated table is read as it is, never
    expanded: each row becomes its positives' row and its negatives' row of the set, with
    their counts (:attr:`ScoredSet.counts`); it has no ids nor other columns.

    Parameters
    ----------
    table : ScoreTable
    label, score : str
        The columns of true labels and of scores (numbers, finite; higher means more likely
        positive). ``label`` is None for an aggregated table.
    positives, negatives : str, optional
        An aggregated table's count columns: how many positives and negatives have the row's
        score (whole numbers >= 0). Both or neither; not with ``label``.
    positive : str, optional
        The label value (as text) of the positive class. Default: "1" of {"0", "1"}, the true
        one of {False, True}; otherwise it must be given.
    fold : str, optional
        Each curve row's cross-validation fold; folds are numbered in the sorted order of
        their values.
    split : str, optional
        Rows whose value is "test" or "holdout" (any case) are test rows; the others, curve
        rows.
    group : str, optional
        Each row's subgroup (an empty cell: none).
    id : str, optional
        Each row's id.
    other_columns : bool, default True
        Keep the table's remaining columns as the set's ``other_columns``.

    Returns
    -------
    ScoredSet
        Its ``fingerprint`` is the table's and the choices that read it.

    Raises
    ------
    ScoreFileError
        "missing_column", "not_a_number", "not_finite", "missing_label", "one_label",
        "too_many_labels", "positive_needed", "positive_absent", "no_curve_rows",
        "missing_fold", each with the column and the first bad row where there is one; for an
        aggregated table also "bad_count" (a negative or fractional count), "duplicate_score"
        (a score twice within one fold, split and group) and "one_class" (no positives or no
        negatives at all).
    ValueError
        When neither ``label`` nor both count columns are given, or both are.
    """

    if not isinstance(table, ScoreTable):
        raise ValueError(f"table must be a ScoreTable, got {type(table).__name__}")
    counted = positives is not None or negatives is not None
    if counted and (positives is None or negatives is None or label is not None):
        raise ValueError("give both positives and negatives (an aggregated table) and no label")
    if not counted and label is None:
        raise ValueError("give the label column, or the positives and negatives columns")
    chosen = {"label": label, "score": score, "fold": fold, "split": split, "group": group}
    chosen["id"] = id
    if counted:
        chosen.update(positives=positives, negatives=negatives, id=None)
    for role, column in chosen.items():
        if column is not None and column not in table.columns:
            raise _problem(
                "missing_column", table.name, table.format, column=str(column), role=role,
                choices=table.columns,
            )  # fmt: skip
    if counted:
        arguments = _aggregated_set(
            table, score=score, positives=positives, negatives=negatives, fold=fold,
            split=split, group=group,
        )  # fmt: skip
        fingerprint = hashlib.sha256(
            (table.fingerprint + json.dumps(chosen, sort_keys=True)).encode()
        ).hexdigest()
        return scored_set(name=table.name, fingerprint=fingerprint, **arguments)
    where = {"file": table.name, "format": table.format, "column": label, "role": "label"}
    natives, texts = _label_values(table, label)
    if len(texts) == 1:
        raise ScoreFileError("one_label", value=texts[0], count=1, choices=texts, **where)
    if len(texts) > 2:
        raise ScoreFileError(
            "too_many_labels", count=len(texts), limit=2, choices=texts[:MAX_CHOICES], **where
        )
    if positive is None:
        positive = default_positive(texts)
        if positive is None:
            raise ScoreFileError("positive_needed", choices=texts, **where)
    positive = str(positive)
    if positive not in texts:
        stripped = [t for t in texts if t.strip().lower() == positive.strip().lower()]
        if len(stripped) != 1:
            raise ScoreFileError("positive_absent", value=positive, choices=texts, **where)
        positive = stripped[0]
    at = texts.index(positive)
    negative = texts[1 - at]
    y_true = _codes(table.cells(label), natives) == at
    scores = _scores(table, score)
    is_test, fold_ids, fold_names, group_ids, group_names = _split_fold_group(
        table, split=split, fold=fold, group=group
    )

    ids = None if id is None else table.column(id)
    others = {}
    if other_columns:
        used = {c for c in chosen.values() if c is not None}
        others = {c: table.column(c) for c in table.columns if c not in used}
    choices = {**chosen, "positive": positive}
    fingerprint = hashlib.sha256(
        (table.fingerprint + json.dumps(choices, sort_keys=True)).encode()
    ).hexdigest()
    return scored_set(
        name=table.name,
        y_true=y_true,
        scores=scores,
        positive_label=positive,
        negative_label=negative,
        is_test=is_test,
        fold_ids=fold_ids,
        fold_names=tuple(fold_names),
        group_ids=group_ids,
        group_names=tuple(group_names),
        ids=ids,
        other_columns=others,
        fingerprint=fingerprint,
    )


def read_scored_set(
    path,
    *,
    name: str | None = None,
    label: str | None = None,
    score: str | None = None,
    positive: str | None = None,
    fold: str | None = None,
    split: str | None = None,
    group: str | None = None,
    id: str | None = None,  # noqa: A002
    positives: str | None = None,
    negatives: str | None = None,
    limits: ReadLimits | None = None,
    isolated: bool = False,
) -> ScoredSet:
    """Read a score file into a scored set (:func:`load_score_table`, then
    :func:`scored_set_from_table`), guessing each column not given from its name, as the
    ``/scores`` page preselects them: a file with columns ``label, score, fold, split`` (the
    trade-off page's "Download these scores") reads back with its folds and test rows.

    Parameters
    ----------
    path : str, os.PathLike or bytes
    name : str, optional
        Shown in errors; default the path's file name.
    label, score, positive, fold, split, group, id, positives, negatives
        As :func:`scored_set_from_table`. A column left None is guessed
        (:func:`guess_columns`); an optional one given as ``""`` is not used. A table with
        both count columns (given or guessed) and no label given is read as aggregated.
    limits : ReadLimits, optional
    isolated : bool, default False

    Raises
    ------
    ScoreFileError
        As the two steps; "missing_column" (with ``role`` and the columns as ``choices``) when
        the label or score column is neither given nor guessed.
    OSError
        When the file cannot be read.
    """
    if name is None:
        name = "scores" if isinstance(path, bytes | bytearray | memoryview) else Path(path).name
    table = load_score_table(path, name=name, limits=limits, isolated=isolated)
    columns = chosen_columns(
        table, label=label, score=score, fold=fold, split=split, group=group, id=id,
        positives=positives, negatives=negatives,
    )  # fmt: skip
    return scored_set_from_table(table, positive=positive, **columns)


def chosen_columns(table: ScoreTable, **given: str | None) -> dict:
    """The column of each role: the one given, else the one :func:`guess_columns` names.

    A table whose count columns (``positives`` and ``negatives``) are given or guessed, and
    whose label column is not given, is an aggregated table: its ``label`` and ``id`` are
    None. Otherwise its count columns are None.

    Parameters
    ----------
    table : ScoreTable
    **given : str or None
        Any of ``label``, ``score``, ``fold``, ``split``, ``group``, ``id``, ``positives``,
        ``negatives``: a column name, None (guess it), or ``""`` for an optional role not to
        be used.

    Returns
    -------
    dict
        Every role of :data:`ROLES` and :data:`COUNT_ROLES` to a column name or None.

    Raises
    ------
    ScoreFileError
        "missing_column" (with ``role`` and the columns as ``choices``) when the label or score
        column is neither given nor guessed (and the table is not aggregated).
    ValueError
        When a keyword is not a role.
    """
    unknown = set(given) - set(ROLES) - set(COUNT_ROLES)
    if unknown:
        raise ValueError(f"not a column role: {sorted(unknown)}; roles are {ROLES + COUNT_ROLES}")
    guessed = guess_columns(table.columns)
    columns = {}
    for role in ROLES + COUNT_ROLES:
        column = given.get(role)
        columns[role] = guessed[role] if column is None else (column or None)
    counted = columns["positives"] is not None and columns["negatives"] is not None
    if counted and not given.get("label"):
        columns["label"] = columns["id"] = None
        required = ("score",)
    else:
        columns["positives"] = columns["negatives"] = None
        required = ("label", "score")
    for role in required:
        if columns[role] is None:
            raise _problem(
                "missing_column", table.name, table.format, role=role, choices=table.columns
            )
    return columns


def count_columns(table: ScoreTable) -> dict | None:
    """``{"positives": column, "negatives": column}`` when ``table`` is aggregated (both count
    columns named as :func:`guess_columns` knows them), else None."""
    guessed = guess_columns(table.columns)
    if guessed["positives"] is None or guessed["negatives"] is None:
        return None
    return {role: guessed[role] for role in COUNT_ROLES}


def _counts(table: ScoreTable, column: str, role: str) -> np.ndarray:
    """A count column as int64: whole numbers >= 0, or the first cell that is not."""
    numbers = _scores(table, column, role=role)
    bad = (numbers < 0) | (numbers != np.floor(numbers)) | (numbers > 2.0**53)
    if bad.any():
        index = _first(bad)
        value = table.arrow_column(column)[index].as_py()
        raise _problem(
            "bad_count", table.name, table.format, column=column, role=role,
            row=index + table.first_row(), value=_text_of(value), count=int(bad.sum()),
        )  # fmt: skip
    return numbers.astype(np.int64)


def _split_fold_group(table: ScoreTable, *, split, fold, group):
    """``(is_test, fold_ids, fold_names, group_ids, group_names)`` of the named columns, as
    :func:`core.scored_set.scored_set` takes them (None and () for a column not given).

    Raises
    ------
    ScoreFileError
        "no_curve_rows" when the split marks every row as test, "missing_fold" (with the first
        row) when a curve row has no fold.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    is_test = None
    if split is not None:
        marks = pc.utf8_lower(pc.cast(table.cells(split), pa.string()))
        is_test = pc.is_in(marks, value_set=pa.array(list(TEST_SPLITS)))
        is_test = is_test.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)
        if is_test.all():
            raise _problem(
                "no_curve_rows", table.name, table.format, column=split, role="split",
                count=int(is_test.size),
            )  # fmt: skip
    curve = np.ones(table.n_rows, bool) if is_test is None else ~is_test
    fold_ids, fold_names = None, ()
    if fold is not None:
        unfolded = _missing_mask(table.cells(fold)) & curve
        if unfolded.any():
            raise _problem(
                "missing_fold", table.name, table.format, column=fold, role="fold",
                row=_first(unfolded) + table.first_row(),
            )  # fmt: skip
        fold_ids, fold_names = _ids_of(table, fold, pa.array(curve))
        fold_ids = np.where(curve, fold_ids, NO_FOLD).astype(np.int32)
    group_ids, group_names = _ids_of(table, group)
    if group_ids is not None:
        group_ids[group_ids < 0] = NO_GROUP
    return is_test, fold_ids, tuple(fold_names), group_ids, tuple(group_names)


def _ids_of(table: ScoreTable, column: str | None, rows: np.ndarray | None = None):
    """Each row's position among the sorted distinct values of ``column`` (-1 where missing),
    and those values as text; None and () without a column."""
    if column is None:
        return None, ()
    array = table.cells(column)
    natives, names = _distinct(table, array, rows)
    return _codes(array, natives), names


def _aggregated_set(
    table: ScoreTable,
    *,
    score: str,
    positives: str,
    negatives: str,
    fold: str | None,
    split: str | None,
    group: str | None,
) -> dict:
    """The :func:`scored_set` arguments of an aggregated table: each row becomes its positives'
    row and its negatives' row (a row of count 0 is left out), with its counts."""

    first = table.first_row()
    scores = _scores(table, score)
    positive_counts = _counts(table, positives, "positives")
    negative_counts = _counts(table, negatives, "negatives")
    for column, counts in ((positives, positive_counts), (negatives, negative_counts)):
        if not counts.any():
            raise _problem(
                "one_class", table.name, table.format, column=column, role="positives"
                if column == positives else "negatives", count=0,
            )  # fmt: skip
    is_test, fold_ids, fold_names, group_ids, group_names = _split_fold_group(
        table, split=split, fold=fold, group=group
    )
    # One row per distinct score within each value of the other columns (those the GROUP BY
    # grouped by, used here or not): sort by them all, and name the first row (in the file's
    # order) that repeats an earlier one.
    order = np.argsort(scores, kind="stable")
    ordered = scores[order]
    same = ordered[1:] == ordered[:-1]
    del ordered
    others = [c for c in table.columns if c not in (score, positives, negatives)]
    if same.any() and others:
        keys = [scores] + [_ids_of(table, column)[0] for column in others]
        keyed = np.lexsort(keys[::-1])  # by score first, so a run of one score stays one run
        same = np.ones(keyed.size - 1, dtype=bool)
        for key in keys:
            in_order = key[keyed]
            same &= in_order[1:] == in_order[:-1]
        if same.any():
            order = keyed
    if same.any():
        later = np.maximum(order[1:][same], order[:-1][same])
        row = int(later.min())
        raise _problem(
            "duplicate_score", table.name, table.format, column=score, role="score",
            row=row + first, value=_text_of(table.arrow_column(score)[row].as_py()),
            count=int(same.sum()),
        )  # fmt: skip
    # Each row's positives, then each row's negatives, each in ascending score: up to two rows
    # a score, already sorted for counting.
    take = np.concatenate((order[positive_counts[order] > 0], order[negative_counts[order] > 0]))
    del order, same
    n_positive_rows = int(np.count_nonzero(positive_counts))
    y_true = np.zeros(take.size, dtype=bool)
    y_true[:n_positive_rows] = True

    def taken(array):
        return None if array is None else array[take]

    return {
        "y_true": y_true,
        "scores": scores[take],
        "counts": np.where(y_true, positive_counts[take], negative_counts[take]),
        "positive_label": positives,
        "negative_label": negatives,
        "is_test": taken(is_test),
        "fold_ids": taken(fold_ids),
        "fold_names": tuple(fold_names),
        "group_ids": taken(group_ids),
        "group_names": tuple(group_names),
    }


if __name__ == "__main__":
    status = _CHILD_OUT_OF_MEMORY
    with contextlib.suppress(KeyboardInterrupt):
        status = _child_main(sys.argv[1:])
    # Its files are closed: leave without the interpreter's teardown, where some pyarrow
    # releases abort under the address-space limit.
    os._exit(status)
