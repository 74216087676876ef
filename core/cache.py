"""On-disk cache files: atomic, checksummed, and never read back half-written.

A cache file is ``MAGIC | sha256(payload) | len(payload) | payload``. It is written to a
temporary file in the same directory, flushed to disk, then renamed over the final name,
so a reader sees either the old file, the new file, or none. A file whose length or
checksum does not match is treated as absent and removed, so the caller rebuilds it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import hashlib
import io
import logging
import os
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MAGIC = b"TEXCACH1"
_HEADER = struct.Struct(f"<{len(MAGIC)}s32sQ")
CACHE_ENV = "THRESHOLD_EXPLORER_CACHE"
STALE_SECONDS = 3600  # a temporary file untouched this long belongs to a killed writer
# Set on the log records of writes the directory refused, for a caller that says it otherwise
# (the command line's one line from cache_status) to filter them out.
UNWRITABLE_RECORD = "cache_unwritable"


def default_cache_dir() -> Path:
    """``$THRESHOLD_EXPLORER_CACHE``, else ``threshold_explorer`` in scikit-learn's data home."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    # scikit-learn's get_data_home() rule, without importing scikit-learn (a slow import) on
    # the way to a cached result.
    data_home = os.environ.get("SCIKIT_LEARN_DATA") or os.path.join("~", "scikit_learn_data")
    return Path(os.path.expanduser(data_home)) / "threshold_explorer"


def resolve_cache_dir(cache_dir=None) -> Path | None:
    """``cache_dir``, else :func:`default_cache_dir`; None when that cannot be made (no cache)."""
    if cache_dir is not None:
        return Path(cache_dir)
    try:
        return default_cache_dir()
    except OSError as exc:  # the data home could not be created
        log.warning("no cache directory: %s", exc)
        return None


@dataclass(frozen=True)
class CacheStatus:
    """Whether results can be kept in a cache directory, and if not, why.

    Attributes
    ----------
    directory : Path or None
        The cache directory; None when none could be named.
    writable : bool
        True when a file can be written there (the directory is created if needed).
    errno : int or None
        The operating system's error number when not writable (``errno.EROFS``,
        ``errno.ENOSPC``, ``errno.ENOTDIR``, ``errno.EACCES``...), else None.
    strerror : str
        The operating system's own name for that error ("Read-only file system"), else "".
    """

    directory: Path | None
    writable: bool
    errno: int | None = None
    strerror: str = ""


# The last write that failed in each directory since one there succeeded: a probe of a few
# bytes can pass where a detector's file does not fit (a nearly full disk).
_write_failures: dict[str, OSError] = {}
_write_failures_lock = threading.Lock()


def _directory_key(directory: Path) -> str:
    return os.path.abspath(directory)


def _record_write(directory: Path, failure: OSError | None) -> None:
    with _write_failures_lock:
        if failure is None:
            _write_failures.pop(_directory_key(directory), None)
        else:
            _write_failures[_directory_key(directory)] = failure


def _probe(directory: Path) -> None:
    """Create ``directory`` if needed and write, then remove, a small file in it."""
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(directory))
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, prefix=".probe.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as probe:
            probe.write(MAGIC)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


def cache_status(*, cache_dir=None) -> CacheStatus:
    """Whether the cache directory can keep results: a probe write, and the last real write.

    Parameters
    ----------
    cache_dir : path-like, optional
        Default :func:`default_cache_dir`.

    Returns
    -------
    CacheStatus
        Not writable when a small file cannot be written there (read-only, full, a file where
        the directory should be, no permission), or when the last cache file written there
        failed and none has succeeded since.
    """
    directory = resolve_cache_dir(cache_dir)
    if directory is None:
        return CacheStatus(directory=None, writable=False)
    try:
        _probe(directory)
    except OSError as exc:
        return CacheStatus(
            directory=directory, writable=False, errno=exc.errno, strerror=exc.strerror or ""
        )
    with _write_failures_lock:
        failure = _write_failures.get(_directory_key(directory))
    if failure is not None:
        return CacheStatus(
            directory=directory,
            writable=False,
            errno=failure.errno,
            strerror=failure.strerror or "",
        )
    return CacheStatus(directory=directory, writable=True)


def discard(path: Path, reason: str) -> None:
    """Remove a cache file that cannot be used, saying why in the log."""
    log.warning("discarding cache file %s: %s", path, reason)
    with contextlib.suppress(OSError):
        Path(path).unlink()


def write_checked(path: Path, payload: bytes) -> bool:
    """Write ``payload`` to ``path`` atomically with a checksum header.

    A writer killed mid-write leaves only its temporary file (never read); the next
    successful write of ``path`` removes such files once :data:`STALE_SECONDS` old.

    Returns
    -------
    bool
        True when written; False when the directory cannot be written (the caller goes on
        without a cache; the reason is logged).
    """
    path = Path(path)
    header = _HEADER.pack(MAGIC, hashlib.sha256(payload).digest(), len(payload))
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(header)
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except OSError as exc:
        log.warning("cache not written to %s: %s", path, exc, extra={UNWRITABLE_RECORD: True})
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
        _record_write(path.parent, exc)
        return False
    _record_write(path.parent, None)
    _remove_stale_temporaries(path)
    return True


def _remove_stale_temporaries(path: Path) -> None:
    """Remove temporary files of ``path`` left by writers killed mid-write.

    Only files untouched for :data:`STALE_SECONDS`: a writer still at work keeps its own
    temporary file fresh, and a killed one's is never renamed into place nor read.
    """
    cutoff = time.time() - STALE_SECONDS
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
                log.info("removed %s, left by a writer that did not finish", leftover)


def read_checked(path: Path) -> bytes | None:
    """Return the payload of a cache file, or None when it is missing or damaged.

    A damaged file (wrong magic, short, wrong checksum) is removed so it is rebuilt.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):  # a file where a directory should be: none
        return None
    except OSError as exc:
        log.warning("cache not readable at %s: %s", path, exc)
        return None
    fault = _fault(data)
    if fault is None:
        return data[_HEADER.size :]
    log.warning("discarding damaged cache file %s: %s", path, fault)
    with contextlib.suppress(OSError):
        path.unlink()
    return None


def _fault(data: bytes) -> str | None:
    if len(data) < _HEADER.size:
        return "shorter than its header"
    magic, digest, length = _HEADER.unpack_from(data)
    if magic != MAGIC:
        return "not a Threshold Explorer cache file"
    if len(data) - _HEADER.size != length:
        return f"truncated: {len(data) - _HEADER.size} of {length} bytes"
    if hashlib.sha256(memoryview(data)[_HEADER.size :]).digest() != digest:
        return "checksum mismatch"
    return None


def save_arrays(path: Path, **arrays: np.ndarray) -> bool:
    """Store named arrays (no pickles) as one checked cache file; see :func:`write_checked`."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return write_checked(path, buffer.getvalue())


def load_arrays(path: Path) -> dict[str, np.ndarray] | None:
    """Arrays stored by :func:`save_arrays`, or None when missing or damaged."""
    payload = read_checked(path)
    if payload is None:
        return None
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except (ValueError, OSError) as exc:  # checksum fine but not an npz: a foreign file
        log.warning("discarding unreadable cache file %s: %s", path, exc)
        with contextlib.suppress(OSError):
            Path(path).unlink()
        return None


def _open_lock_file(path: Path):
    """The lock file at ``path``, opened (created if needed); None, logged, when it cannot be."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "a+b")  # noqa: SIM115 - the caller closes it
    except OSError as exc:
        log.warning("no lock at %s: %s", path, exc, extra={UNWRITABLE_RECORD: True})
        return None


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[bool]:
    """Hold an exclusive advisory lock on ``path`` (created if needed) across processes.

    Yields True when locked, False when the lock file cannot be created (unwritable
    directory): the caller then goes on unlocked rather than failing.
    """
    handle = _open_lock_file(Path(path))
    if handle is None:
        yield False
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield True
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


# ---------------------------------------------------------------------------------------------
# One computation per key
# ---------------------------------------------------------------------------------------------

POLL_SECONDS = 0.25  # how often a caller waiting for another's computation relays progress


class _Flight:
    """One computation in progress that other callers in this process wait for."""

    def __init__(self) -> None:
        self.finished = threading.Event()
        self.result = None
        self.error: BaseException | None = None
        self.progress = None


_flights: dict[str, _Flight] = {}
_flights_lock = threading.Lock()


def _follow(flight: _Flight, progress):
    """Wait for another caller's computation, relaying its progress to our own callback."""
    relayed = None
    while True:
        finished = flight.finished.wait(POLL_SECONDS)
        update = flight.progress
        if progress is not None and update is not None and update is not relayed:
            progress(update)  # from our own thread; the last one too, however short the wait
            relayed = update
        if finished:
            break
    if flight.error is not None:
        raise flight.error
    return flight.result


@contextlib.contextmanager
def _lock_or_landed(lock_path: Path, *, poll: Callable[[float], object | None]) -> Iterator:
    """Hold the lock at ``lock_path``; while another process holds it, call ``poll(seconds
    waited)`` about every :data:`POLL_SECONDS`. Yields None once locked, or the first value
    ``poll`` returns that is not None (then without the lock: the other process's result
    landed). An unusable lock file yields None unlocked, as :func:`file_lock` goes on."""
    handle = _open_lock_file(lock_path)
    if handle is None:
        yield None
        return
    locked = False
    try:
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = True
                break
            except BlockingIOError:
                landed = poll(time.monotonic() - started)
                if landed is not None:
                    break
                time.sleep(POLL_SECONDS)
        yield None if locked else landed
    finally:
        if locked:
            with contextlib.suppress(OSError):
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def cached_once(
    key: str,
    path: Path | None,
    *,
    load: Callable[[Path], object | None],
    compute: Callable[[Callable], object],
    save: Callable[[Path, object], object],
    use_cache: bool = True,
    progress: Callable | None = None,
    waiting: Callable[[float], None] | None = None,
):
    """The result cached at ``path``, else computed once for ``key`` and cached there.

    Callers in this process asking for the same ``key`` at once share one computation (the
    later ones wait, their ``progress`` relayed from the leader's); across processes a file
    lock beside ``path`` makes the later process wait, telling ``waiting``, and read the cache
    file as soon as the other process's lands there.

    Parameters
    ----------
    key : str
        What the result depends on.
    path : Path or None
        The cache file; None for no disk cache (still one computation per key at a time).
    load : callable ``path -> result or None``
        Reads the cache file; None when it is missing, damaged or for another key.
    compute : callable ``record -> result``
        Does the work, calling ``record(update)`` with progress updates.
    save : callable ``(path, result)``
        Writes the cache file.
    use_cache : bool, default True
        False recomputes even when a cached result exists, and rewrites the cache.
    progress : callable, optional
        Receives the progress updates, from the calling thread only.
    waiting : callable ``seconds -> None``, optional
        Called from the calling thread about every :data:`POLL_SECONDS` while another process
        holds the lock, with the seconds waited so far.
    """
    if use_cache and path is not None:
        cached = load(path)
        if cached is not None:
            return cached

    with _flights_lock:
        flight = _flights.get(key)
        leading = flight is None
        if leading:
            flight = _flights[key] = _Flight()
    if not leading:
        return _follow(flight, progress)

    def record(update) -> None:
        flight.progress = update
        if progress is not None:
            progress(update)

    def poll(seconds: float):
        if waiting is not None:
            waiting(seconds)
        return load(path) if use_cache else None

    try:
        lock = (
            contextlib.nullcontext()
            if path is None
            else _lock_or_landed(path.with_suffix(".lock"), poll=poll)
        )
        with lock as landed:
            result = landed
            if result is None:
                # Another process may have finished the same work while we waited for the lock.
                result = load(path) if use_cache and path is not None else None
            if result is None:
                result = compute(record)
                if path is not None:
                    save(path, result)
        flight.result = result
        return result
    except BaseException as exc:
        flight.error = exc
        raise
    finally:
        with _flights_lock:
            del _flights[key]
        flight.finished.set()
