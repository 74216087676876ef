"""core.digit_image against hostile pictures: each is built on the fly and refused (or, for an
ordinary phone photo, read) from what its header says, before its pixels cost anything.

Memory and time per picture are measured by ``bench/bench_hostile.py``, not here.
"""

from __future__ import annotations

import io
import struct
import threading

import pytest
from PIL import Image

from core.digit_image import (
    DECODE_LOCK,
    MAX_ASPECT,
    MAX_DECODE_BYTES,
    MAX_JPEG_SCANS,
    MAX_PIXELS,
    WORKING_SIDE,
    DigitImageError,
    jpeg_scans,
    prepare_digit_image,
)
from harness.hostile_files import many_scan_jpeg, phone_photo_jpeg, png_chunk, wide_bilevel_png


def header_only_png(width: int, height: int, *, bit_depth: int, colour_type: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IEND", b"")


def test_a_40_megapixel_strip_is_refused_from_its_header():
    data = wide_bilevel_png(40_000_000)
    assert len(data) < 10_000  # a few KB that would decode to 40 MB and more
    with pytest.raises(DigitImageError, match="^the image is 40000000x1 pixels; at most"):
        prepare_digit_image(data)


def test_a_strip_under_a_raised_pixel_limit_is_refused_for_its_shape():
    data = wide_bilevel_png(40_000_000)
    with pytest.raises(DigitImageError, match=f"far too long and thin.*at most {MAX_ASPECT} to 1"):
        prepare_digit_image(data, max_pixels=10**9)


def test_a_twelve_megapixel_phone_photo_passes():
    prepared = prepare_digit_image(phone_photo_jpeg(width=4000, height=3000))
    assert 4000 * 3000 <= MAX_PIXELS
    assert prepared.original_size == (4000, 3000)
    assert max(prepared.original.shape) <= WORKING_SIDE  # decoded at reduced scale (draft)
    assert prepared.inverted  # dark ink on light paper
    assert prepared.image.max() == 255


def test_decoding_memory_is_estimated_from_the_mode_before_decoding():
    # 5000 x 5000 16-bit grey: 25 megapixels at 10 bytes each (Pillow's and our copies).
    wide = header_only_png(5000, 5000, bit_depth=16, colour_type=0)
    with pytest.raises(DigitImageError, match="I;16 image of 5000x5000 pixels would take"):
        prepare_digit_image(wide, max_pixels=10**8)
    # The same size in 8-bit grey fits the budget: refused only later, for having no pixels.
    narrow = header_only_png(5000, 5000, bit_depth=8, colour_type=0)
    assert 5000 * 5000 * 2 <= MAX_DECODE_BYTES < 5000 * 5000 * 10
    with pytest.raises(DigitImageError, match="^the PNG file is damaged or incomplete"):
        prepare_digit_image(narrow, max_pixels=10**8)


def test_an_animated_png_is_refused():
    frames = [Image.new("L", (64, 64), level) for level in (0, 255)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:])
    with pytest.raises(DigitImageError, match="^the PNG is an animation of 2 frames"):
        prepare_digit_image(buffer.getvalue())


def test_scans_are_counted_from_the_bytes():
    buffer = io.BytesIO()
    Image.new("L", (64, 64), 200).save(buffer, "JPEG", progressive=True)
    assert jpeg_scans(buffer.getvalue()) == 6  # libjpeg's progressive script for grey
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 10, 10)).save(buffer, "JPEG", progressive=True)
    assert jpeg_scans(buffer.getvalue()) == 10  # and for colour
    buffer = io.BytesIO()
    Image.new("L", (64, 64), 200).save(buffer, "JPEG")
    assert jpeg_scans(buffer.getvalue()) == 1  # baseline
    crafted = many_scan_jpeg(2_000, side=64)
    assert jpeg_scans(crafted, limit=10_000) == 2_000
    assert jpeg_scans(crafted) == MAX_JPEG_SCANS + 1  # counting stops past the limit


def test_a_jpeg_of_twenty_thousand_scans_is_refused_before_decoding():
    data = many_scan_jpeg(20_000)
    assert len(data) < 1_500_000
    with pytest.raises(DigitImageError, match=f"more than {MAX_JPEG_SCANS} scans"):
        prepare_digit_image(data)


def test_bad_scan_limit_is_a_value_error():
    with pytest.raises(ValueError, match="limit must be a positive integer, got 0"):
        jpeg_scans(b"\xff\xd8", limit=0)


def test_one_decode_at_a_time():
    # While another decode holds the lock, a second caller waits for it.
    done = threading.Event()
    data = phone_photo_jpeg(width=800, height=600)

    def decode() -> None:
        prepare_digit_image(data)
        done.set()

    with DECODE_LOCK:
        worker = threading.Thread(target=decode)
        worker.start()
        assert not done.wait(1.0)
    worker.join(30)
    assert done.is_set()
