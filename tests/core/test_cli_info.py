"""``python -m core info`` as a user runs it: a real process, its output and exit status.

Each run costs a second or two of imports, so there are few of them.
"""

from __future__ import annotations

import gzip
import json
import os
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from harness.commands import run_python

CLASS_COUNTS = [6903, 7877, 6990, 7141, 6824, 6313, 6876, 7293, 6825, 6958]


def run_info(*args: str, mnist_data: Path | None, cache: Path) -> subprocess.CompletedProcess:
    """Run ``python -m core info`` offline, with its own cache and MNIST_DATA (or none)."""
    env = dict(os.environ)
    env.pop("MNIST_DATA", None)
    if mnist_data is not None:
        env["MNIST_DATA"] = str(mnist_data)
    env["THRESHOLD_EXPLORER_CACHE"] = str(cache)
    env["THRESHOLD_EXPLORER_OFFLINE"] = "1"  # never reach for the network from a test
    return run_python(["-m", "core", "info", *args], env=env, timeout=120)


def write_tiny_idx_dir(directory: Path) -> None:
    """Three training and two test images of 28x28, labels 7 3 3 | 0 7, gzipped."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": np.array([7, 3, 3], dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, size=(2, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": np.array([0, 7], dtype=np.uint8),
    }
    directory.mkdir()
    for name, array in arrays.items():
        header = struct.pack(f">I{array.ndim}I", 0x0800 | array.ndim, *array.shape)
        (directory / f"{name}.gz").write_bytes(gzip.compress(header + array.tobytes()))


@pytest.mark.mnist
def test_info_json_on_real_mnist(mnist_dir, tmp_path):
    result = run_info("--json", mnist_data=mnist_dir, cache=tmp_path / "cache")

    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["source"] == "idx"
    assert summary["n_samples"] == 70000 and summary["n_features"] == 784
    assert summary["image_shape"] == [28, 28]
    assert summary["n_train"] == 60000 and summary["n_test"] == 10000
    assert summary["class_counts"] == CLASS_COUNTS
    assert summary["train_class_counts"][5] == 5421
    assert summary["first_label"] == 5
    assert summary["is_fallback"] is False and summary["notice"] is None


@pytest.mark.mnist
def test_info_text_on_real_mnist(mnist_dir, tmp_path):
    result = run_info(mnist_data=mnist_dir, cache=tmp_path / "cache")

    assert result.returncode == 0, result.stderr
    assert "70,000 images of 28x28 (784 features)" in result.stdout
    assert "60,000 train (first rows) + 10,000 test" in result.stdout
    assert "      5     5,421       892     6,313" in result.stdout
    assert "Notice" not in result.stdout


def test_info_json_on_a_tiny_directory(tmp_path):
    write_tiny_idx_dir(tmp_path / "tiny")
    result = run_info("--json", mnist_data=tmp_path / "tiny", cache=tmp_path / "cache")

    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["location"] == str(tmp_path / "tiny")
    assert (summary["n_samples"], summary["n_train"], summary["n_test"]) == (5, 3, 2)
    assert summary["class_counts"] == [1, 0, 0, 2, 0, 0, 0, 2, 0, 0]
    assert summary["first_label"] == 7


def test_info_on_a_broken_directory_is_one_line_and_status_2(tmp_path):
    write_tiny_idx_dir(tmp_path / "tiny")
    labels = tmp_path / "tiny" / "t10k-labels-idx1-ubyte.gz"
    labels.write_bytes(labels.read_bytes()[:-12])  # a truncated gzip stream

    result = run_info(mnist_data=tmp_path / "tiny", cache=tmp_path / "cache")

    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "t10k-labels-idx1-ubyte.gz" in lines[0] and "truncated gzip stream" in lines[0]


def test_info_offline_without_data_shows_the_fallback_notice(tmp_path):
    result = run_info(mnist_data=None, cache=tmp_path / "empty-cache")

    assert result.returncode == 0, result.stderr
    assert "1,797 images of 8x8 (64 features)" in result.stdout
    assert "1,540 train (first rows) + 257 test" in result.stdout
    assert "Notice: This is scikit-learn's small 8x8 digits set" in result.stdout
    assert "MNIST_DATA" in result.stdout
