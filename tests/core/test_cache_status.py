"""A cache directory that cannot be written: its status, and the command line's one line.

Tests run as root in CI, where a chmod does not stop a write: a regular file where the cache
directory (or its parent) should be is a real "not a directory"; a read-only or full file
system is simulated by making the write raise the error the system would.
"""

from __future__ import annotations

import errno
import os
import subprocess

import pytest

from core import cache
from core.cli import main
from core.cli_text import format_cache_notice
from core.data import load_fallback_dataset
from core.detector import train_detector
from core.formatting import unwritable_cache
from harness.commands import run_python


def _raise(number: int):
    def fail(*args, **kwargs):
        raise OSError(number, os.strerror(number))

    return fail


def test_a_writable_directory_is_writable_and_created(tmp_path):
    directory = tmp_path / "new" / "cache"

    status = cache.cache_status(cache_dir=directory)

    assert status == cache.CacheStatus(directory=directory, writable=True)
    assert directory.is_dir()
    assert list(directory.iterdir()) == []  # the probe leaves nothing behind


def test_the_default_directory_is_the_one_checked(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "from-env"))
    assert cache.cache_status().directory == tmp_path / "from-env"


@pytest.mark.parametrize("blocked", ["parent", "itself"])
def test_a_file_in_the_way_is_not_a_directory(tmp_path, blocked):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    directory = blocker / "cache" if blocked == "parent" else blocker

    status = cache.cache_status(cache_dir=directory)

    assert not status.writable
    assert status.directory == directory
    assert status.errno == errno.ENOTDIR
    assert (
        unwritable_cache(status) == f"the cache at {directory} cannot be written (not a directory)"
    )


@pytest.mark.parametrize(
    ("number", "words"),
    [(errno.EROFS, "read-only file system"), (errno.ENOSPC, "no space left on device")],
)
def test_a_read_only_or_full_file_system_is_named(tmp_path, monkeypatch, number, words):
    monkeypatch.setattr(cache.tempfile, "mkstemp", _raise(number))

    status = cache.cache_status(cache_dir=tmp_path)

    assert (status.writable, status.errno) == (False, number)
    assert unwritable_cache(status) == f"the cache at {tmp_path} cannot be written ({words})"


def test_a_failed_write_is_remembered_until_one_succeeds(tmp_path, monkeypatch):
    # A probe of a few bytes passes where a whole cache file does not fit.
    with monkeypatch.context() as patched:
        patched.setattr(cache.os, "fsync", _raise(errno.ENOSPC))
        assert cache.write_checked(tmp_path / "big.bin", b"payload") is False
    status = cache.cache_status(cache_dir=tmp_path)
    assert (status.writable, status.errno) == (False, errno.ENOSPC)

    assert cache.write_checked(tmp_path / "big.bin", b"payload") is True
    assert cache.cache_status(cache_dir=tmp_path).writable


def test_a_training_that_cannot_be_kept_is_still_returned_and_the_status_says_why(
    tmp_path, monkeypatch
):
    dataset = load_fallback_dataset()
    monkeypatch.setattr(cache.os, "replace", _raise(errno.EROFS))

    result = train_detector(dataset, digit=5, cache_dir=tmp_path)

    assert result.cv_scores.shape == (dataset.n_train,) and not result.from_cache
    assert list(tmp_path.glob("*.pkl")) == []
    status = cache.cache_status(cache_dir=tmp_path)
    assert (status.writable, status.errno) == (False, errno.EROFS)


# --- the command line ------------------------------------------------------------------------


def test_the_tradeoff_help_shows_a_plain_percent_sign(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["tradeoff", "--help"])
    assert stop.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "95% Wilson intervals" in text
    assert "%%" not in text


@pytest.mark.parametrize("command", ["report", "tradeoff", "info", "predict"])
def test_no_help_text_shows_a_doubled_percent_sign(capsys, command):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "%%" not in capsys.readouterr().out


def _run(*args: str, cache_dir) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("MNIST_DATA", None)
    env["THRESHOLD_EXPLORER_CACHE"] = str(cache_dir)
    env["THRESHOLD_EXPLORER_OFFLINE"] = "1"
    env["PYTHONWARNINGS"] = "ignore"  # SGD's convergence warning on the small fallback digits
    return run_python(["-m", "core", *args], env=env, timeout=180)


def test_report_says_in_one_line_on_stderr_that_the_cache_cannot_be_written(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    directory = blocker / "cache"

    result = _run("report", "--digit", "5", cache_dir=directory)

    assert result.returncode == 0, result.stderr
    assert "Detector of digit 5" in result.stdout
    assert result.stderr.splitlines() == [
        f"note: the cache at {directory} cannot be written (not a directory): the trained "
        "detector is not kept, so every run trains it again (about half a minute per digit "
        "on full MNIST)"
    ]


def test_tradeoff_with_a_writable_cache_says_nothing_on_stderr(tmp_path):
    result = _run("tradeoff", "--digit", "5", "--threshold", "0", cache_dir=tmp_path / "cache")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert list((tmp_path / "cache").glob("detector-digit5-*.pkl"))


def test_tradeoff_says_so_when_the_training_could_not_be_written_though_the_probe_passed(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    monkeypatch.delenv("MNIST_DATA", raising=False)
    monkeypatch.setattr(cache.os, "fsync", _raise(errno.ENOSPC))  # the probe does not fsync

    status = main(["tradeoff", "--digit", "3", "--threshold", "0", "--json"])

    assert status == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines == [format_cache_notice(cache.cache_status(cache_dir=tmp_path))]
    assert "(no space left on device)" in lines[0]
