"""The data layer: IDX directories (valid and malformed), the OpenML cache, the fallback."""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets
from sklearn.utils import Bunch

from core import cache
from core.cli_text import format_summary
from core.data import (
    FALLBACK_NOTICE,
    MNIST_DATA_ENV,
    OFFLINE_ENV,
    OPENML_MNIST_784_DESCR,
    OPENML_URL,
    SOURCE_CACHE,
    SOURCE_FALLBACK,
    SOURCE_IDX,
    SOURCE_OPENML,
    Dataset,
    dataset_fingerprint,
    dataset_summary,
    load_dataset,
    load_fallback_dataset,
)
from core.idx import IDX_FILES, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, load_idx_dataset, read_idx
from core.openml_cache import (
    CACHE_FILE_NAME,
    dataset_cache_path,
    openml_bunch_to_dataset,
    read_dataset_cache,
    write_dataset_cache,
)

TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS = IDX_FILES
# Small, hand-picked labels so the class counts below are known without computing them.
TINY_TRAIN_LABELS = [5, 0, 4, 1, 9, 2]
TINY_TEST_LABELS = [1, 3, 1, 4]
TINY_CLASS_COUNTS = [1, 3, 1, 1, 2, 1, 0, 0, 0, 1]


# --------------------------------------------------------------------------- helpers


def idx_bytes(array: np.ndarray, *, magic: int | None = None) -> bytes:
    """An IDX file's bytes for a uint8 array (magic from its number of dimensions)."""
    array = np.asarray(array, dtype=np.uint8)
    if magic is None:
        magic = 0x0800 | array.ndim
    header = struct.pack(f">I{array.ndim}I", magic, *array.shape)
    return header + array.tobytes()


def write_file(path: Path, payload: bytes, *, gz: bool) -> Path:
    path.write_bytes(gzip.compress(payload, mtime=0) if gz else payload)
    return path


def make_idx_dir(directory: Path, *, gz: bool = True, seed: int = 0) -> dict[str, np.ndarray]:
    """Write a valid tiny MNIST directory (6 train + 4 test images); return its arrays."""
    rng = np.random.default_rng(seed)
    arrays = {
        TRAIN_IMAGES: rng.integers(0, 256, size=(6, 28, 28), dtype=np.uint8),
        TRAIN_LABELS: np.array(TINY_TRAIN_LABELS, dtype=np.uint8),
        TEST_IMAGES: rng.integers(0, 256, size=(4, 28, 28), dtype=np.uint8),
        TEST_LABELS: np.array(TINY_TEST_LABELS, dtype=np.uint8),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for base, array in arrays.items():
        write_file(directory / (base + (".gz" if gz else "")), idx_bytes(array), gz=gz)
    return arrays


def idx_path(directory: Path, base: str) -> Path:
    gz = directory / f"{base}.gz"
    return gz if gz.exists() else directory / base


@pytest.fixture
def no_env(monkeypatch):
    """No MNIST_DATA and downloads allowed unless a test says otherwise."""
    monkeypatch.delenv(MNIST_DATA_ENV, raising=False)
    monkeypatch.delenv(OFFLINE_ENV, raising=False)


@pytest.fixture
def no_network(monkeypatch):
    """Any call to fetch_openml fails the test: it must not be reached."""

    def refuse(*args, **kwargs):
        raise AssertionError("fetch_openml must not be called here")

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", refuse)


# --------------------------------------------------------------------------- valid IDX


@pytest.mark.parametrize("gz", [True, False], ids=["gzipped", "raw"])
def test_idx_directory_round_trip(tmp_path, cache_dir, no_env, no_network, gz):
    arrays = make_idx_dir(tmp_path / "mnist", gz=gz)
    dataset = load_dataset(data_dir=tmp_path / "mnist", cache_dir=cache_dir)

    expected_images = np.concatenate([arrays[TRAIN_IMAGES], arrays[TEST_IMAGES]]).reshape(10, 784)
    np.testing.assert_array_equal(dataset.images, expected_images)
    np.testing.assert_array_equal(dataset.labels, TINY_TRAIN_LABELS + TINY_TEST_LABELS)
    assert dataset.images.dtype == np.uint8 and dataset.labels.dtype == np.uint8
    assert (dataset.n_samples, dataset.n_features, dataset.n_train, dataset.n_test) == (
        10,
        784,
        6,
        4,
    )
    assert dataset.image_shape == (28, 28)
    np.testing.assert_array_equal(dataset.image(7), arrays[TEST_IMAGES][1])
    np.testing.assert_array_equal(dataset.train_labels, TINY_TRAIN_LABELS)
    np.testing.assert_array_equal(dataset.test_labels, TINY_TEST_LABELS)
    assert dataset.source == SOURCE_IDX and not dataset.is_fallback and dataset.notice is None
    assert dataset.location == str(tmp_path / "mnist")
    assert dataset.name == "mnist_784" and dataset.url == OPENML_URL
    assert dataset.description == OPENML_MNIST_784_DESCR
    assert dataset.details is None
    assert dataset.feature_names[0] == "pixel1" and dataset.feature_names[-1] == "pixel784"
    assert len(dataset.feature_names) == 784
    assert dataset.target_names == ("class",)
    assert dataset.fingerprint == dataset_fingerprint(
        expected_images, dataset.labels, image_shape=(28, 28), n_train=6
    )
    # The fingerprint describes these bytes, so they cannot be changed in place.
    with pytest.raises(ValueError):
        dataset.images[0, 0] = 1
    assert not cache_dir.exists()  # an IDX directory is read as is, never cached


def test_gzip_is_detected_by_content_not_name(tmp_path, no_env):
    """A raw file named .gz, a gzipped file without .gz, and mixed naming all load."""
    arrays = make_idx_dir(tmp_path, gz=False)
    raw_train = tmp_path / TRAIN_IMAGES
    raw_train.rename(tmp_path / f"{TRAIN_IMAGES}.gz")  # raw bytes under a .gz name
    write_file(tmp_path / TEST_IMAGES, idx_bytes(arrays[TEST_IMAGES]), gz=True)  # gzip, no .gz

    dataset = load_idx_dataset(tmp_path)

    np.testing.assert_array_equal(dataset.train_images, arrays[TRAIN_IMAGES].reshape(6, 784))
    np.testing.assert_array_equal(dataset.test_images, arrays[TEST_IMAGES].reshape(4, 784))


def test_multi_member_gzip_is_read_whole(tmp_path):
    labels = np.arange(10, dtype=np.uint8)
    payload = idx_bytes(labels)
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(payload[:9]) + gzip.compress(payload[9:]))
    np.testing.assert_array_equal(read_idx(path, magic=IDX_LABELS_MAGIC), labels)


def test_mnist_data_env_is_honoured(tmp_path, monkeypatch, cache_dir, no_network):
    make_idx_dir(tmp_path / "env")
    other = make_idx_dir(tmp_path / "arg", seed=1)
    monkeypatch.setenv(MNIST_DATA_ENV, str(tmp_path / "env"))

    from_env = load_dataset()
    from_arg = load_dataset(data_dir=tmp_path / "arg")  # the argument wins over the variable

    assert from_env.source == SOURCE_IDX and from_env.location == str(tmp_path / "env")
    assert from_arg.location == str(tmp_path / "arg")
    np.testing.assert_array_equal(from_arg.train_images, other[TRAIN_IMAGES].reshape(6, 784))
    assert from_env.fingerprint != from_arg.fingerprint


# --------------------------------------------------------------------------- malformed IDX


def rewrite(directory: Path, base: str, payload: bytes) -> Path:
    """Replace one file of a gzipped tiny directory with ``payload`` gzipped."""
    return write_file(directory / f"{base}.gz", payload, gz=True)


def damage_magic(directory, arrays):
    rewrite(directory, TRAIN_IMAGES, idx_bytes(arrays[TRAIN_IMAGES], magic=IDX_LABELS_MAGIC))


def damage_label_magic(directory, arrays):
    rewrite(directory, TEST_LABELS, idx_bytes(arrays[TEST_LABELS], magic=0x0802))


def truncate_data(directory, arrays):
    rewrite(directory, TRAIN_IMAGES, idx_bytes(arrays[TRAIN_IMAGES])[:-100])


def truncate_header(directory, arrays):
    rewrite(directory, TRAIN_LABELS, idx_bytes(arrays[TRAIN_LABELS])[:6])


def add_trailing_bytes(directory, arrays):
    rewrite(directory, TEST_LABELS, idx_bytes(arrays[TEST_LABELS]) + b"\x01\x02")


def truncate_gzip(directory, arrays):
    path = directory / f"{TRAIN_IMAGES}.gz"
    path.write_bytes(path.read_bytes()[:-40])


def corrupt_gzip_checksum(directory, arrays):
    path = directory / f"{TEST_IMAGES}.gz"
    data = bytearray(path.read_bytes())
    data[-8] ^= 0xFF  # the CRC-32 of the uncompressed data
    path.write_bytes(bytes(data))


def corrupt_gzip_deflate(directory, arrays):
    path = directory / f"{TRAIN_LABELS}.gz"
    data = bytearray(path.read_bytes())
    data[10] = 0xFF  # first byte of the deflate stream: block type 3 is invalid
    path.write_bytes(bytes(data))


def garbage_after_gzip(directory, arrays):
    path = directory / f"{TEST_LABELS}.gz"
    path.write_bytes(path.read_bytes() + b"not gzip")


def not_gzip_under_gz_name(directory, arrays):
    (directory / f"{TRAIN_LABELS}.gz").write_bytes(b"hello, this is not an IDX file at all")


def count_mismatch(directory, arrays):
    rewrite(directory, TRAIN_LABELS, idx_bytes(arrays[TRAIN_LABELS][:5]))


def label_out_of_range(directory, arrays):
    labels = arrays[TEST_LABELS].copy()
    labels[2] = 10
    rewrite(directory, TEST_LABELS, idx_bytes(labels))


def train_not_28x28(directory, arrays):
    rewrite(directory, TRAIN_IMAGES, idx_bytes(arrays[TRAIN_IMAGES][:, :27, :]))


def narrow_test_images(directory, arrays):
    rewrite(directory, TEST_IMAGES, idx_bytes(np.zeros((4, 28, 27), dtype=np.uint8)))


def no_images(directory, arrays):
    rewrite(directory, TRAIN_IMAGES, idx_bytes(np.zeros((0, 28, 28), dtype=np.uint8)))
    rewrite(directory, TRAIN_LABELS, idx_bytes(np.zeros(0, dtype=np.uint8)))


def remove_test_labels(directory, arrays):
    (directory / f"{TEST_LABELS}.gz").unlink()


def remove_all(directory, arrays):
    for base in IDX_FILES:
        (directory / f"{base}.gz").unlink()


def replace_all_by_others(directory, arrays):
    remove_all(directory, arrays)
    (directory / "README.md").write_text("not here")


MALFORMED = {
    "wrong image magic": (damage_magic, TRAIN_IMAGES, r"magic number 2049 .*expected 2051"),
    "wrong label magic": (damage_label_magic, TEST_LABELS, r"magic number 2050, expected 2049"),
    "truncated data": (truncate_data, TRAIN_IMAGES, r"truncated: the header announces 6 x 28"),
    "truncated header": (truncate_header, TRAIN_LABELS, r"truncated header"),
    "trailing bytes": (add_trailing_bytes, TEST_LABELS, r"2 unexpected bytes after"),
    "truncated gzip": (truncate_gzip, TRAIN_IMAGES, r"truncated gzip stream"),
    "gzip checksum": (corrupt_gzip_checksum, TEST_IMAGES, r"corrupt gzip stream"),
    "gzip deflate data": (corrupt_gzip_deflate, TRAIN_LABELS, r"corrupt gzip stream"),
    "garbage after gzip": (garbage_after_gzip, TEST_LABELS, r"garbage after the gzip stream"),
    "not gzip nor IDX": (not_gzip_under_gz_name, TRAIN_LABELS, r"magic number \d+, expected 2049"),
    "count mismatch": (count_mismatch, TRAIN_LABELS, r"holds 6 images but .* holds 5 labels"),
    "label outside 0-9": (label_out_of_range, TEST_LABELS, r"label 10 at index 2 is outside 0-9"),
    "images 27x28": (train_not_28x28, TRAIN_IMAGES, r"images are 27x28, expected 28x28"),
    "test 28x27": (narrow_test_images, TEST_IMAGES, r"images are 28x27"),
    "no images": (no_images, TRAIN_IMAGES, r"holds no images"),
    "missing file": (remove_test_labels, TEST_LABELS, r"lacks t10k-labels-idx1-ubyte\[\.gz\]$"),
    "empty directory": (remove_all, "", r"is empty; it should hold the four MNIST IDX files"),
    "none of the four": (replace_all_by_others, "", r"holds none of the four MNIST IDX files"),
}


@pytest.mark.parametrize("damage, culprit, message", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_directory_raises_naming_file_and_fault(
    tmp_path, monkeypatch, cache_dir, no_network, damage, culprit, message
):
    directory = tmp_path / "mnist"
    arrays = make_idx_dir(directory)
    # A usable cache must not hide the fault: a named directory is never replaced.
    assert write_dataset_cache(load_fallback_dataset(), dataset_cache_path(cache_dir))
    damage(directory, arrays)
    monkeypatch.setenv(MNIST_DATA_ENV, str(directory))

    with pytest.raises(ValueError, match=message) as caught:
        load_dataset(cache_dir=cache_dir)
    assert culprit in str(caught.value)
    assert str(directory) in str(caught.value)


def test_missing_directory_names_the_variable(tmp_path, monkeypatch, cache_dir, no_network):
    monkeypatch.setenv(MNIST_DATA_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match=r"^MNIST_DATA=.*nowhere does not exist$"):
        load_dataset(cache_dir=cache_dir)
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(ValueError, match=r"^data_dir=.*a-file is not a directory$"):
        load_dataset(data_dir=tmp_path / "a-file", cache_dir=cache_dir)


def test_read_idx_rejects_an_unknown_magic_argument(tmp_path):
    with pytest.raises(ValueError, match="magic must be 2051 or 2049, got 7"):
        read_idx(tmp_path / "x", magic=7)


def test_read_idx_shapes(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(2, 28, 28)
    path = write_file(tmp_path / "images", idx_bytes(images), gz=False)
    result = read_idx(path, magic=IDX_IMAGES_MAGIC)
    assert result.shape == (2, 28, 28) and result.dtype == np.uint8
    np.testing.assert_array_equal(result, images)


def test_read_idx_huge_header_is_truncation_not_overflow(tmp_path):
    header = struct.pack(">IIII", IDX_IMAGES_MAGIC, 2**32 - 1, 2**32 - 1, 2**32 - 1)
    path = write_file(tmp_path / "images", header + b"\0" * 10, gz=False)
    with pytest.raises(ValueError, match=r"truncated: .* \(79228162458924105385300197375 bytes\)"):
        read_idx(path, magic=IDX_IMAGES_MAGIC)


# --------------------------------------------------------------------------- OpenML and cache


def fake_openml_bunch(n_samples: int = 14, seed: int = 0) -> Bunch:
    """What fetch_openml('mnist_784', as_frame=False) returns, in small: floats and strings."""
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, size=(n_samples, 784)).astype(np.float64)
    target = np.array([str(d) for d in rng.integers(0, 10, size=n_samples)], dtype=object)
    return Bunch(
        data=data,
        target=target,
        frame=None,
        categories=None,
        feature_names=[f"pixel{i}" for i in range(1, 785)],
        target_names=["class"],
        DESCR="fake OpenML description\n\nDownloaded from openml.org.",
        details={"id": "554", "name": "mnist_784", "tag": ["vision"]},
        url=OPENML_URL,
    )


class FakeFetch:
    """Stands in for fetch_openml: counts calls, returns a bunch or raises."""

    def __init__(self, result):
        self.result = result
        self.calls = []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        if isinstance(self.result, BaseException):
            raise self.result
        return self.result


@pytest.fixture
def fake_fetch(monkeypatch, no_env):
    def install(result):
        fetch = FakeFetch(result)
        monkeypatch.setattr(sklearn.datasets, "fetch_openml", fetch)
        return fetch

    return install


def assert_matches_bunch(dataset: Dataset, bunch: Bunch) -> None:
    np.testing.assert_array_equal(dataset.images, bunch.data.astype(np.uint8))
    np.testing.assert_array_equal(dataset.labels, bunch.target.astype(int))
    assert dataset.images.dtype == np.uint8 and dataset.labels.dtype == np.uint8
    assert dataset.n_train == 12  # round(14 * 60000 / 70000)
    assert dataset.image_shape == (28, 28)
    assert dataset.description == bunch.DESCR and dataset.details == bunch.details
    assert dataset.url == OPENML_URL and dataset.feature_names == tuple(bunch.feature_names)


def test_download_is_converted_cached_and_read_back(cache_dir, fake_fetch):
    bunch = fake_openml_bunch()
    fetch = fake_fetch(bunch)

    first = load_dataset()
    assert first.source == SOURCE_OPENML
    assert fetch.calls == [(("mnist_784",), {"version": 1, "as_frame": False})]
    assert_matches_bunch(first, bunch)
    assert (cache_dir / CACHE_FILE_NAME).is_file()

    second = load_dataset()
    assert len(fetch.calls) == 1  # read from the cache, not fetched again
    assert second.source == SOURCE_CACHE
    assert second.location == str(cache_dir / CACHE_FILE_NAME)
    assert_matches_bunch(second, bunch)
    assert second.fingerprint == first.fingerprint
    assert second.name == first.name and second.target_names == first.target_names


def test_cache_dir_argument_is_used(tmp_path, fake_fetch):
    fake_fetch(fake_openml_bunch())
    load_dataset(cache_dir=tmp_path / "elsewhere")
    assert (tmp_path / "elsewhere" / CACHE_FILE_NAME).is_file()


def test_corrupted_cache_is_discarded_and_fetched_again(cache_dir, fake_fetch):
    bunch = fake_openml_bunch()
    fetch = fake_fetch(bunch)
    load_dataset()
    path = cache_dir / CACHE_FILE_NAME
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    again = load_dataset()

    assert len(fetch.calls) == 2 and again.source == SOURCE_OPENML
    assert_matches_bunch(again, bunch)
    assert read_dataset_cache(path) is not None  # rebuilt, intact


def test_intact_but_foreign_cache_is_discarded(cache_dir, fake_fetch):
    fetch = fake_fetch(fake_openml_bunch())
    path = cache_dir / CACHE_FILE_NAME
    # Checksum fine, arrays fine, but no metadata: not a dataset this module wrote.
    assert cache.save_arrays(path, images=np.zeros((3, 784), np.uint8))

    assert load_dataset().source == SOURCE_OPENML
    assert len(fetch.calls) == 1
    assert read_dataset_cache(path).source == SOURCE_CACHE


def test_inconsistent_cache_metadata_is_discarded(tmp_path):
    dataset = openml_bunch_to_dataset(fake_openml_bunch())
    path = tmp_path / CACHE_FILE_NAME
    metadata = {"format": 1, "image_shape": [28, 28], "n_train": 99}  # more than 14 rows
    encoded = np.frombuffer(json.dumps(metadata).encode(), dtype=np.uint8)
    cache.save_arrays(path, images=dataset.images, labels=dataset.labels, metadata=encoded)

    assert read_dataset_cache(path) is None
    assert not path.exists()


@pytest.mark.parametrize(
    "failure",
    [
        urllib.error.URLError("no network"),
        urllib.error.HTTPError(OPENML_URL, 503, "unavailable", {}, None),
        TimeoutError("timed out"),
        ConnectionResetError("reset"),
        ValueError("OpenML: dataset not found"),  # fetch_openml's own OpenMLError is one
    ],
    ids=["URLError", "HTTPError", "TimeoutError", "ConnectionReset", "fetch ValueError"],
)
def test_failed_download_falls_back_with_notice(cache_dir, fake_fetch, failure):
    fetch = fake_fetch(failure)

    dataset = load_dataset()

    assert len(fetch.calls) == 1
    assert dataset.source == SOURCE_FALLBACK and dataset.is_fallback
    assert dataset.notice == FALLBACK_NOTICE
    assert not (cache_dir / CACHE_FILE_NAME).exists()


def test_downloads_can_be_disabled(cache_dir, fake_fetch, monkeypatch):
    fetch = fake_fetch(fake_openml_bunch())
    assert load_dataset(allow_download=False).source == SOURCE_FALLBACK
    monkeypatch.setenv(OFFLINE_ENV, "1")
    assert load_dataset().source == SOURCE_FALLBACK
    assert fetch.calls == []


def test_offline_still_reads_the_cache(cache_dir, fake_fetch, monkeypatch):
    fetch = fake_fetch(fake_openml_bunch())
    load_dataset()
    monkeypatch.setenv(OFFLINE_ENV, "1")
    assert load_dataset(allow_download=False).source == SOURCE_CACHE
    assert len(fetch.calls) == 1


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda b: b.update(data=b.data + 0.5), "not whole numbers 0-255"),
        (lambda b: b.update(data=b.data + 300), "not whole numbers 0-255"),
        (lambda b: b.update(data=b.data[:, :783]), r"shape \(14, 783\)"),
        (lambda b: b.target.__setitem__(3, "10"), "label 10 at index 3 is outside 0-9"),
        (lambda b: b.target.__setitem__(0, "five"), "not digits"),
        (lambda b: b.update(target=b.target[:13]), "14 rows but 13 target values"),
    ],
    ids=["fractions", "above 255", "783 features", "label 10", "label text", "short target"],
)
def test_download_that_is_not_mnist_is_rejected(change, message):
    bunch = fake_openml_bunch()
    change(bunch)
    with pytest.raises(ValueError, match=message):
        openml_bunch_to_dataset(bunch)


def test_unwritable_cache_still_returns_the_download(tmp_path, fake_fetch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    fetch = fake_fetch(fake_openml_bunch())
    dataset = load_dataset(cache_dir=blocker / "cache")
    assert dataset.source == SOURCE_OPENML and len(fetch.calls) == 1


# --------------------------------------------------------------------------- fallback


def test_fallback_is_scaled_digits_with_notice():
    digits = sklearn.datasets.load_digits()
    dataset = load_fallback_dataset()

    expected = np.floor(digits.data * 255 / 16 + 0.5).astype(np.uint8)  # round half up
    np.testing.assert_array_equal(dataset.images, expected)
    np.testing.assert_array_equal(dataset.labels, digits.target)
    assert dataset.images.max() == 255 and dataset.images.dtype == np.uint8
    assert dataset.image_shape == (8, 8) and dataset.n_features == 64
    assert (dataset.n_samples, dataset.n_train, dataset.n_test) == (1797, 1540, 257)
    assert dataset.source == SOURCE_FALLBACK and dataset.is_fallback
    assert dataset.feature_names[-1] == "pixel64" and dataset.details is None
    assert "not MNIST" in dataset.notice and "MNIST_DATA" in dataset.notice
    assert "internet" in dataset.notice
    assert dataset.fingerprint == load_fallback_dataset().fingerprint


# --------------------------------------------------------------------------- fingerprint


def test_fingerprint_covers_pixels_labels_split_and_shape():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 16), dtype=np.uint8)
    labels = rng.integers(0, 10, size=5, dtype=np.uint8)
    base = dataset_fingerprint(images, labels, image_shape=(4, 4), n_train=3)
    assert base == dataset_fingerprint(images.copy(), labels.copy(), image_shape=(4, 4), n_train=3)
    assert len(base) == 64 and int(base, 16) >= 0

    pixel = images.copy()
    pixel[4, 15] ^= 1
    label = labels.copy()
    label[0] = (label[0] + 1) % 10
    variants = [
        dataset_fingerprint(pixel, labels, image_shape=(4, 4), n_train=3),
        dataset_fingerprint(images, label, image_shape=(4, 4), n_train=3),
        dataset_fingerprint(images, labels, image_shape=(4, 4), n_train=4),
        dataset_fingerprint(images, labels, image_shape=(2, 8), n_train=3),
    ]
    assert len({base, *variants}) == 5


def test_same_data_has_same_fingerprint_from_idx_and_cache(tmp_path):
    make_idx_dir(tmp_path / "mnist")
    from_idx = load_idx_dataset(tmp_path / "mnist")
    path = tmp_path / "cache" / CACHE_FILE_NAME
    assert write_dataset_cache(from_idx, path)
    from_cache = read_dataset_cache(path)
    assert from_cache.source == SOURCE_CACHE
    assert from_cache.fingerprint == from_idx.fingerprint
    np.testing.assert_array_equal(from_cache.images, from_idx.images)
    assert from_cache.description == from_idx.description


# --------------------------------------------------------------------------- summary


def test_summary_counts_and_json(tmp_path):
    make_idx_dir(tmp_path)
    summary = dataset_summary(load_idx_dataset(tmp_path))

    assert json.loads(json.dumps(summary)) == summary  # plain JSON types only
    assert summary["class_counts"] == TINY_CLASS_COUNTS
    assert summary["train_class_counts"] == [1, 1, 1, 0, 1, 1, 0, 0, 0, 1]
    assert summary["test_class_counts"] == [0, 2, 0, 1, 1, 0, 0, 0, 0, 0]
    assert summary["first_label"] == 5
    assert (summary["n_samples"], summary["n_features"]) == (10, 784)
    assert (summary["n_train"], summary["n_test"]) == (6, 4)
    assert summary["image_shape"] == [28, 28]
    assert summary["source"] == SOURCE_IDX and summary["location"] == str(tmp_path)
    assert summary["is_fallback"] is False and summary["notice"] is None

    text = format_summary(summary)
    assert "Source:       IDX files" in text
    assert "10 images of 28x28 (784 features)" in text
    assert "6 train (first rows) + 4 test" in text
    assert "      1         1         2         3" in text  # digit 1: train, test, total
    assert "Notice" not in text


def test_fallback_summary_shows_the_notice():
    summary = dataset_summary(load_fallback_dataset())
    assert summary["is_fallback"] is True and summary["notice"] == FALLBACK_NOTICE
    assert summary["image_shape"] == [8, 8] and sum(summary["class_counts"]) == 1797
    assert f"Notice: {FALLBACK_NOTICE}" in format_summary(summary)


def test_summary_rejects_other_objects():
    with pytest.raises(ValueError, match="dataset must be a Dataset, got dict"):
        dataset_summary({})


def test_openml_description_constant_is_the_notebook_one():
    assert OPENML_MNIST_784_DESCR.endswith("\n\nDownloaded from openml.org.")


# --------------------------------------------------------------------------- real MNIST


@pytest.mark.mnist
def test_real_mnist(mnist_dir, tmp_path, no_network):
    dataset = load_dataset(data_dir=mnist_dir, cache_dir=tmp_path)

    assert dataset.images.shape == (70000, 784) and dataset.n_train == 60000
    assert dataset.labels[0] == 5
    assert int(np.sum(dataset.train_labels == 5)) == 5421
    counts = [6903, 7877, 6990, 7141, 6824, 6313, 6876, 7293, 6825, 6958]
    assert dataset_summary(dataset)["class_counts"] == counts
    # Published checks of the decoded files (mnist_dir's README), not outputs of ours.
    images_sha = "5b92582eb909c82a9bfefcd44acbe9233be3eb5b419a44cf211022ad2bf4bf96"
    labels_sha = "671ff9d70b4811116d55c3dd479efa7a981e2e62753ef7a6d5c15fea81e63d27"
    assert hashlib.sha256(dataset.images.tobytes()).hexdigest() == images_sha
    assert hashlib.sha256(dataset.labels.tobytes()).hexdigest() == labels_sha

    path = tmp_path / CACHE_FILE_NAME
    assert write_dataset_cache(dataset, path)
    cached = read_dataset_cache(path)
    assert cached.fingerprint == dataset.fingerprint
    assert hashlib.sha256(cached.images.tobytes()).hexdigest() == images_sha
