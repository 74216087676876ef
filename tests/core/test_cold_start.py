"""Fresh processes, empty caches: the real commands never crash on a cold start.

A cold ``python -m core report`` once crashed 8 times in 10 (``ImportError: cannot import name
'clone' from partially initialized module 'sklearn.base'``): a worker thread imported part of
scikit-learn while another thread was still importing it. In-process tests cannot see that,
since their process has imported scikit-learn long before. These start new interpreters and
record which thread first imports each scikit-learn module: all of it must be imported by one
thread, before any fit worker (threads named ``fit-...``) exists. On the real MNIST, the cold
command is the run's one training of the 5-detector (``shared_cache_dir`` in conftest.py).
"""

from __future__ import annotations

import gzip
import json
import struct

import numpy as np
import pytest

from harness.commands import run_python
from harness.sklearn_imports import (
    RECORD_SKLEARN_IMPORTS,
    REPORT_RECORDING_IMPORTS,
    sklearn_import_threads,
)


def run_recorded(code: str, *, env: dict[str, str]):
    """``code`` in a fresh interpreter that records its scikit-learn imports; no traceback."""
    done = run_python(["-c", code], extra_env=env, timeout=600)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done


def assert_one_importing_thread(threads: dict[str, str]) -> None:
    assert threads, "scikit-learn was never imported"
    workers = {module: t for module, t in threads.items() if t.startswith("fit-")}
    assert not workers, f"imported by fit workers: {workers}"
    assert len(set(threads.values())) == 1, f"imported by several threads: {threads}"


def write_idx_dir(directory, *, n_train: int = 240, n_test: int = 60, seed: int = 0) -> None:
    """A small MNIST-shaped IDX directory (28x28 digits with labels 0-9), read without
    scikit-learn, as the real MNIST is."""
    rng = np.random.default_rng(seed)
    directory.mkdir()
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        images = rng.integers(0, 40, size=(n, 28, 28), dtype=np.uint8)
        images[:, 4 + labels, 4:24] = 255  # each digit its own stripe: learnable
        for kind, array, magic in (
            ("images-idx3", images, 0x0803),
            ("labels-idx1", labels, 0x0801),
        ):
            header = struct.pack(f">I{array.ndim}I", magic, *array.shape)
            path = directory / f"{prefix}-{kind}-ubyte.gz"
            path.write_bytes(gzip.compress(header + array.tobytes(), mtime=0))


def test_every_training_path_imports_scikit_learn_in_one_thread_first(tmp_path):
    """The app's path: background jobs for the detector and every compared model, then the
    export, in one fresh process on data read without scikit-learn."""
    data = tmp_path / "idx"
    write_idx_dir(data)
    code = """
from core.data import load_dataset
from core.export import export_model
from core.jobs import JobRegistry

dataset = load_dataset()
registry = JobRegistry()
detector = registry.job(dataset, digit=5).result(timeout=300)
for model in ("sgd_scaled", "logistic", "forest"):
    registry.job(dataset, digit=5, model=model).result(timeout=300)
assert export_model(detector, threshold=0.0, dataset=dataset)
print("done")
"""
    env = {"MNIST_DATA": str(data), "THRESHOLD_EXPLORER_CACHE": str(tmp_path / "cache")}
    done = run_recorded(RECORD_SKLEARN_IMPORTS + code, env=env)
    assert done.returncode == 0 and done.stdout.strip() == "done", done.stderr[-3000:]
    threads = sklearn_import_threads(done.stderr)
    assert_one_importing_thread(threads)
    assert next(iter(threads.values())).startswith("train-sgd-digit-5")  # the first job's


@pytest.mark.parametrize("run", range(3))
def test_a_cold_report_imports_scikit_learn_in_one_thread(tmp_path, run):
    # Before the fix: two threads (MainThread and cell [9]'s loop), and a crash in 2 runs of 3.
    data = tmp_path / "idx"
    write_idx_dir(data, seed=run)
    env = {"MNIST_DATA": str(data), "THRESHOLD_EXPLORER_CACHE": str(tmp_path / "cache")}
    done = run_recorded(REPORT_RECORDING_IMPORTS, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["digit"] == 5
    assert_one_importing_thread(sklearn_import_threads(done.stderr))


@pytest.mark.mnist
def test_cold_report_on_mnist_in_a_fresh_process(cold_report, mnist_dir, shared_cache_dir):
    """The run's one training of the real detector was this command's, on an empty cache."""
    assert cold_report["returncode"] == 0, cold_report["stderr"][-3000:]
    assert "Traceback" not in cold_report["stderr"], cold_report["stderr"][-3000:]
    report = json.loads(cold_report["stdout"])
    assert report["cv_accuracy"] == report["manual_cv_accuracy"] == [0.95035, 0.96035, 0.9604]
    assert report["threshold_90_precision"] == 3370.0194991439557
    assert_one_importing_thread(sklearn_import_threads(cold_report["stderr"]))

    # Warm, in another fresh process: read from the cache, the same numbers.
    env = {"MNIST_DATA": str(mnist_dir), "THRESHOLD_EXPLORER_CACHE": str(shared_cache_dir)}
    warm = run_recorded(REPORT_RECORDING_IMPORTS, env=env)
    assert warm.returncode == 0, warm.stderr[-3000:]
    again = json.loads(warm.stdout)
    assert {k: v for k, v in again.items() if k != "seconds"} == {
        k: v for k, v in report.items() if k != "seconds"
    }
