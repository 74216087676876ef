"""``python -m core predict`` against hostile model files: every fault of the zip, of its members
or of their ``.npy`` headers is one line naming the file and the fault, exit status 2; nothing
escapes :func:`core.cli.main`, not even for 300 seeded one-byte flips of a real export.

Each crafted file is built on the fly from an export of the fallback set's 5-detector.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile

import numpy as np
import pytest
from PIL import Image

from core import export
from core.cli import EXIT_ERROR, main
from core.data import load_fallback_dataset
from core.detector import train_detector
from core.export import export_model
from harness.commands import run_python


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> bytes:
    digits = load_fallback_dataset()
    result = train_detector(digits, digit=5, cache_dir=tmp_path_factory.mktemp("hostile-cache"))
    return export_model(result, threshold=float(np.sort(result.cv_scores)[-200]), dataset=digits)


@pytest.fixture(scope="module")
def image(tmp_path_factory) -> str:
    paper = np.full((120, 100), 235, np.uint8)
    paper[20:100, 45:55] = 30  # a "1"
    path = tmp_path_factory.mktemp("hostile-image") / "one.png"
    Image.fromarray(paper).save(path)
    return str(path)


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(members: dict[str, bytes], *, fix_checksums: bool = True) -> bytes:
    """The members zipped again, the card's checksums made to match: a *valid* export."""
    if fix_checksums:
        card = json.loads(members["model_card.json"])
        for name in card["files"]:
            card["files"][name] = hashlib.sha256(members[name]).hexdigest()
        members = {**members, "model_card.json": json.dumps(card).encode()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def npy_claiming(shape: tuple[int, ...], dtype: str = "<f8", *, payload: bytes = b"") -> bytes:
    """A ``.npy`` whose header claims ``shape``, followed by ``payload`` only."""
    header = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape}, }}"
    header = header.ljust(117) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload


def run(capsys, model: bytes, image: str, tmp_path) -> tuple[int, str, str]:
    path = tmp_path / "model.zip"
    path.write_bytes(model)
    status = main(["predict", "--model", str(path), image])
    out, err = capsys.readouterr()
    return status, out, err


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_a_coef_header_claiming_a_terabyte_is_refused_before_allocating(
    exported, image, tmp_path, capsys
):
    members = {**members_of(exported), "coef.npy": npy_claiming((1, 10**12))}
    status, out, err = run(capsys, rezip(members), image, tmp_path)
    line = one_line(err)
    assert status == EXIT_ERROR and out == ""
    assert line == (
        f"error: {tmp_path / 'model.zip'}: damaged: coef.npy should be float64 (1, 64), "
        "is float64 of shape (1, 1000000000000)"
    )


@pytest.mark.parametrize(
    ("member", "npy", "fault"),
    [
        ("coef.npy", npy_claiming((1, 64), "<f4", payload=bytes(256)), "is float32"),
        ("coef.npy", npy_claiming((1, 64), payload=bytes(8)), "holds 8 bytes of data, not 512"),
        ("intercept.npy", npy_claiming((1,), "|O"), "should be float64 (1,), is object"),
        ("classes.npy", b"\x93NUMPY\x01\x00\xff\xff" + b" " * 70000, "not a plain NumPy array"),
        ("classes.npy", b"\x93NUMPY\x07\x00", "not a plain NumPy array (format version 7.0)"),
    ],
    ids=["float32", "short-data", "object", "huge-header", "npy-version"],
)
def test_every_npy_header_is_checked(exported, image, tmp_path, capsys, member, npy, fault):
    members = {**members_of(exported), member: npy}
    status, _, err = run(capsys, rezip(members), image, tmp_path)
    line = one_line(err)
    assert status == EXIT_ERROR
    assert line.startswith(f"error: {tmp_path / 'model.zip'}: damaged: {member}")
    assert fault in line


def compressed_member(data: bytes, name: str) -> tuple[int, int]:
    """(offset, size) of ``name``'s compressed data in the zip ``data``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    return info.header_offset + 30 + name_length + extra_length, info.compress_size


def test_one_corrupted_byte_in_compressed_data_is_one_line(exported, image, tmp_path, capsys):
    start, size = compressed_member(exported, "coef.npy")
    damaged = bytearray(exported)
    damaged[start] ^= 0xFF  # the deflate block's header: zlib cannot decode it
    status, _, err = run(capsys, bytes(damaged), image, tmp_path)
    line = one_line(err)
    assert status == EXIT_ERROR
    assert line.startswith(f"error: {tmp_path / 'model.zip'}: damaged: coef.npy cannot be read")


def test_an_unsupported_compression_method_names_the_file(exported, image, tmp_path, capsys):
    damaged = bytearray(exported)
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        offsets = [info.header_offset for info in archive.infolist()]
    for offset in offsets:  # local headers: method 99 (AES), which zipfile does not read
        struct.pack_into("<H", damaged, offset + 8, 99)
    central = damaged.find(b"PK\x01\x02")
    while central != -1:
        struct.pack_into("<H", damaged, central + 10, 99)
        central = damaged.find(b"PK\x01\x02", central + 4)
    status, _, err = run(capsys, bytes(damaged), image, tmp_path)
    line = one_line(err)
    assert status == EXIT_ERROR
    assert line == (
        f"error: {tmp_path / 'model.zip'}: damaged: model_card.json uses compression method 99; "
        "this tool writes and reads only stored or deflated"
    )


def test_seeded_one_byte_flips_never_escape_main(exported, image, tmp_path, capsys):
    rng = np.random.default_rng(13)
    path = tmp_path / "flipped.zip"
    statuses = []
    for position in rng.integers(0, len(exported), size=300):
        flipped = bytearray(exported)
        flipped[position] ^= int(rng.integers(1, 256))
        path.write_bytes(bytes(flipped))
        status = main(["predict", "--model", str(path), image])  # raises nothing
        out, err = capsys.readouterr()
        statuses.append(status)
        assert "Traceback" not in err and "unexpected failure" not in err, (position, err)
        if status == EXIT_ERROR:
            assert one_line(err).startswith(f"error: {path}: "), (position, err)
        else:  # a flip the format does not see (zip padding, a date): the image is scored
            assert status == 0 and out.count("\n") == 2, (position, out, err)
    assert statuses.count(EXIT_ERROR) >= 250  # nearly every flip is caught by a check


def test_an_unexpected_failure_is_one_line_pointing_to_debug(
    exported, image, tmp_path, capsys, monkeypatch
):
    path = tmp_path / "model.zip"
    path.write_bytes(exported)

    def broken(source):
        raise TypeError("a bug\nwith a second line")

    monkeypatch.setattr(export, "load_model", broken)
    assert main(["predict", "--model", str(path), image]) == EXIT_ERROR
    line = one_line(capsys.readouterr().err)
    assert line == (
        "error: unexpected failure (TypeError: a bug); run again with --debug for the traceback"
    )
    assert main(["predict", "--debug", "--model", str(path), image]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert err.rstrip().endswith("TypeError: a bug\nwith a second line")
    assert main(["--debug", "predict", "--model", str(path), image]) == EXIT_ERROR
    assert "Traceback" in capsys.readouterr().err


def test_a_missing_model_file_is_one_line(image, tmp_path, capsys):
    missing = tmp_path / "missing.zip"
    assert main(["predict", "--model", str(missing), image]) == EXIT_ERROR
    line = one_line(capsys.readouterr().err)
    assert line == f"error: {missing}: cannot read it (No such file or directory)"


def test_the_terabyte_header_in_a_fresh_process(exported, image, tmp_path):
    path = tmp_path / "terabyte.zip"
    path.write_bytes(rezip({**members_of(exported), "coef.npy": npy_claiming((1, 10**12))}))
    done = run_python(["-m", "core", "predict", "--model", str(path), image], timeout=120)
    assert done.returncode == EXIT_ERROR and done.stdout == ""
    assert one_line(done.stderr).endswith("is float64 of shape (1, 1000000000000)")
