"""The server's store of loaded score tables and scored sets: shared, budgeted, reloaded.

Every session of a server asks the one :class:`ScoreStore` for what a score file gives (its
table, the scored set a choice of columns makes of it), by a key naming the content (the file's
fingerprint, and the choices): sessions opening the same file share one copy. The store keeps
at most ``budget_bytes`` of arrays (numpy and pyarrow buffers, each counted once however many
values hold it; :func:`held_bytes`); past it the least recently used values fall out. What
fell out is not lost: the next :meth:`ScoreStore.get` of its key loads it again from its
source, which the caller's loader reads (a file of the server's directory, or an upload whose
bytes :meth:`ScoreStore.spill` wrote to the cache directory). One value larger than the whole
budget is still loaded, and then kept alone.

Thread-safe (a server's sessions are threads): one loader per key at a time; a second caller of
the same key waits for the first's value instead of loading it again. Pure Python: nothing
here knows of Streamlit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core.cache import read_checked, write_checked

ENV_BUDGET_MB = "THRESHOLD_EXPLORER_SCORE_STORE_MB"
DEFAULT_BUDGET_MB = 4096  # a sixth of a 24 GB server: a 100-million-row set still fits
MB = 1024 * 1024
MAX_REMEMBERED = 1024  # keys remembered as fallen out (to say "reloading"), oldest forgotten
STATES = ("held", "loading", "evicted", "new")
SPILL_SUFFIX = ".upload"
SPILL_KEEP_SECONDS = 24 * 3600  # a spilled upload untouched this long is removed


def budget_from_env(environ=None) -> int:
    """The store's budget in bytes: ``THRESHOLD_EXPLORER_SCORE_STORE_MB`` (MB of 2**20 bytes,
    a positive number), else :data:`DEFAULT_BUDGET_MB`.

    Raises
    ------
    ValueError
        Naming the variable when its value is not a positive number.
    """
    text = (os.environ if environ is None else environ).get(ENV_BUDGET_MB, "").strip()
    if not text:
        return DEFAULT_BUDGET_MB * MB
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if not 0 < number < float("inf"):
        raise ValueError(f"{ENV_BUDGET_MB} must be a positive number, got {text!r}")
    return max(1, int(number * MB))


def held_bytes(value) -> int:
    """The bytes of the arrays ``value`` holds, each buffer counted once.

    Walks dataclasses (their fields, private ones included), mappings' values, sequences and sets;
    counts numpy arrays by the array that owns their memory (a view adds nothing once its base
    is counted) and pyarrow tables, chunked arrays and arrays by their buffers. Anything else
    (numbers, short texts) counts its ``len`` for text and bytes, else nothing.

    Parameters
    ----------
    value : object

    Returns
    -------
    int
    """
    seen: set[int] = set()
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if item is None or isinstance(item, bool | int | float | complex):
            continue
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray):
            owner = item
            while isinstance(owner.base, np.ndarray):
                owner = owner.base
            if owner is not item:
                if id(owner) in seen:
                    continue
                seen.add(id(owner))
            if owner.dtype == object:
                stack.extend(owner.ravel().tolist())
            total += owner.nbytes
        elif isinstance(item, str | bytes | bytearray):
            total += len(item)
        elif _is_arrow(item):
            total += _arrow_bytes(item, seen)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name, None) for f in dataclasses.fields(item))
    return total


def _is_arrow(item) -> bool:
    return type(item).__module__.startswith("pyarrow")


def _arrow_bytes(item, seen: set[int]) -> int:
    """Bytes of a pyarrow table, chunked array or array, by buffer address (each once)."""
    import pyarrow as pa

    if isinstance(item, pa.Table | pa.RecordBatch):
        arrays = list(item.columns)
    else:
        arrays = [item]
    total = 0
    while arrays:
        array = arrays.pop()
        if isinstance(array, pa.ChunkedArray):
            arrays.extend(array.chunks)
            continue
        if not isinstance(array, pa.Array):
            continue
        for buffer in array.buffers():
            if buffer is None or buffer.address in seen:
                continue
            seen.add(buffer.address)
            total += buffer.size
        if isinstance(array, pa.DictionaryArray):
            arrays.append(array.dictionary)
    return total


class _Pending:
    """One load under way: the caller that loads, and the others that wait for it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value = None
        self.error: BaseException | None = None


class ScoreStore:
    """Loaded values by key, within a budget of bytes, least recently used out first.

    Parameters
    ----------
    budget_bytes : int
        The most bytes of arrays kept (:func:`held_bytes`); at least 1.
    spill_dir : str or os.PathLike, optional
        Where :meth:`spill` writes uploads' bytes (default: none, and :meth:`spill` refuses).
    """

    def __init__(self, *, budget_bytes: int, spill_dir=None) -> None:
        if isinstance(budget_bytes, bool) or not isinstance(budget_bytes, int) or budget_bytes < 1:
            raise ValueError(f"budget_bytes must be an integer >= 1, got {budget_bytes!r}")
        self.budget_bytes = budget_bytes
        self.spill_dir = None if spill_dir is None else Path(spill_dir)
        self._lock = threading.Lock()
        self._held: OrderedDict[str, tuple[object, int]] = OrderedDict()
        self._pending: dict[str, _Pending] = {}
        self._evicted: OrderedDict[str, None] = OrderedDict()
        self._loads: dict[str, int] = {}

    # --- asking ---------------------------------------------------------------------------
    def get(self, key: str, load: Callable[[], object]):
        """The value of ``key``: the one held, else the one another caller is loading (waited
        for), else ``load()``'s, then held.

        Parameters
        ----------
        key : str
            Names the content (e.g. a file's fingerprint and the choices read from it).
        load : callable
            Makes the value from its source when it is not held. Called by one caller at a
            time per key; its exception reaches that caller and every one waiting, and nothing
            is held.

        Returns
        -------
        object
        """
        if not isinstance(key, str) or not key:
            raise ValueError(f"key must be a non-empty str, got {key!r}")
        with self._lock:
            if key in self._held:
                self._held.move_to_end(key)
                return self._held[key][0]
            pending = self._pending.get(key)
            loader = pending is None
            if loader:
                pending = self._pending[key] = _Pending()
        if not loader:
            pending.done.wait()
            if pending.error is not None:
                raise pending.error
            return pending.value
        try:
            value = load()
        except BaseException as error:
            pending.error = error
            with self._lock:
                del self._pending[key]
            pending.done.set()
            raise
        size = held_bytes(value)
        with self._lock:
            del self._pending[key]
            self._loads[key] = self._loads.get(key, 0) + 1
            self._evicted.pop(key, None)
            self._held[key] = (value, size)
            self._fit(keep=key)
        pending.value = value
        pending.done.set()
        return value

    def state(self, key: str) -> str:
        """One of :data:`STATES`: "held", "loading" (by another caller), "evicted" (held once,
        fallen out of the budget since: a get reloads it) or "new"."""
        with self._lock:
            if key in self._held:
                return "held"
            if key in self._pending:
                return "loading"
            return "evicted" if key in self._evicted else "new"

    def remeasure(self, *keys: str) -> None:
        """Count the values of ``keys`` (default: every one held) again, as they may have grown
        (e.g. a table's columns made once on demand), and let the least recently used others
        fall out if the budget is now passed."""
        with self._lock:
            held = {k: v for k, (v, _) in self._held.items() if not keys or k in keys}
        sizes = {key: held_bytes(value) for key, value in held.items()}
        with self._lock:
            for key, value in held.items():
                if key in self._held and self._held[key][0] is value:
                    self._held[key] = (value, sizes[key])
            newest = next(reversed(self._held), None)
            if newest is not None:
                self._fit(keep=newest)

    # --- what is held ---------------------------------------------------------------------
    @property
    def nbytes(self) -> int:
        """Bytes of arrays held now, as :func:`held_bytes` counted them."""
        with self._lock:
            return sum(size for _, size in self._held.values())

    def keys(self) -> tuple[str, ...]:
        """The keys held, least recently used first."""
        with self._lock:
            return tuple(self._held)

    def loads(self, key: str) -> int:
        """How many times ``key`` was loaded (1 when shared since; more after falling out)."""
        with self._lock:
            return self._loads.get(key, 0)

    def forget(self, key: str) -> None:
        """Let ``key`` fall out now (held or not)."""
        with self._lock:
            if self._held.pop(key, None) is not None:
                self._remember_evicted(key)

    def _fit(self, *, keep: str) -> None:
        """Evict least recently used values until the budget holds (``keep`` stays, alone if
        it must). Under the lock."""
        total = sum(size for _, size in self._held.values())
        for key in list(self._held):
            if total <= self.budget_bytes:
                break
            if key == keep:
                continue
            total -= self._held.pop(key)[1]
            self._remember_evicted(key)

    def _remember_evicted(self, key: str) -> None:
        self._evicted[key] = None
        self._evicted.move_to_end(key)
        while len(self._evicted) > MAX_REMEMBERED:
            self._evicted.popitem(last=False)

    # --- uploads --------------------------------------------------------------------------
    def spill(self, content: bytes) -> Path:
        """Keep an upload's bytes in the spill directory (once per content), so that what falls
        out of the store can be read again from there: :meth:`unspill` gives them back.

        Written by :func:`core.cache.write_checked` (atomic, checksummed), named by the
        SHA-256 of ``content``; a file of the same name is reused.

        Raises
        ------
        OSError
            When there is no spill directory, or it cannot be written.
        """
        if self.spill_dir is None:
            raise OSError("this store has no spill directory")
        digest = hashlib.sha256(content).hexdigest()
        path = self.spill_dir / f"{digest}{SPILL_SUFFIX}"
        if path.is_file():  # written whole or not at all; unspill checks its checksum
            os.utime(path)
            return path
        if not write_checked(path, bytes(content)):
            raise OSError(f"cannot write {path}")
        self._remove_old_spills()
        return path

    def _remove_old_spills(self) -> None:
        """Remove spilled uploads untouched for :data:`SPILL_KEEP_SECONDS` (a session still on
        one re-spills it from its own bytes when it reads it again)."""
        now = time.time()
        for old in self.spill_dir.glob(f"*{SPILL_SUFFIX}"):
            with contextlib.suppress(OSError):
                if now - old.stat().st_mtime > SPILL_KEEP_SECONDS:
                    old.unlink()

    @staticmethod
    def unspill(path) -> bytes | None:
        """The bytes :meth:`spill` kept at ``path``; None when they are gone or damaged."""
        return read_checked(Path(path))
