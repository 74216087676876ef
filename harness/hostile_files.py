"""Pictures for the hostile-input tests and benchmarks, built on the fly (none is stored): crafted
ones that cost a naive decoder far more than their size says, and an ordinary large phone photo."""

from __future__ import annotations


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk: length, type, body, CRC."""
    import struct
    import zlib

    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def wide_bilevel_png(width: int = 40_000_000) -> bytes:
    """A 1-bit white PNG of ``width`` x 1 pixels: a few KB that decode to ``width`` bytes.

    Written chunk by chunk, so building it costs neither the pixels nor Pillow's encoder.
    """
    import struct
    import zlib

    header = struct.pack(">IIBBBBB", width, 1, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter type 0, then white bits
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(row, 9))
        + png_chunk(b"IEND", b"")
    )


def jpeg_segments(data: bytes) -> list[tuple[int, int, int]]:
    """``(start, end, marker)`` of each segment of a well-formed JPEG, a scan's entropy-coded
    data included in its SOS segment, up to and with EOI."""
    import re

    marker_at = re.compile(rb"\xff+([^\x00\xd0-\xd7\xff])")
    found, position = [], 2
    while position < len(data):
        marker = data[position + 1]
        if marker == 0xD9:
            found.append((position, position + 2, marker))
            break
        end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker == 0xDA:
            end = marker_at.search(data, end).start(1) - 1
        found.append((position, end, marker))
        position = end
    return found


def many_scan_jpeg(n_scans: int = 20_000, *, side: int = 2048) -> bytes:
    """A progressive JPEG of a white ``side`` x ``side`` page with ``n_scans`` scans.

    Pillow's own progressive JPEG (6 scans for grey) with its last scan, an AC refinement of
    a few dozen bytes (and the Huffman table before it), repeated: libjpeg decodes each repeat
    over the whole picture, so a few hundred KB cost minutes (``bench/bench_hostile.py``).
    """
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (side, side), 255).save(buffer, "JPEG", progressive=True, quality=75)
    data = buffer.getvalue()
    segments = jpeg_segments(data)
    scans = [s for s in segments if s[2] == 0xDA]
    last = segments.index(scans[-1])
    start = segments[last - 1][0] if segments[last - 1][2] == 0xC4 else scans[-1][0]
    repeat = data[start : scans[-1][1]]
    end = scans[-1][1]
    return data[:end] + repeat * (n_scans - len(scans)) + data[end:]


def phone_photo_jpeg(*, width: int = 4000, height: int = 3000) -> bytes:
    """A 12-megapixel JPEG of a dark '4' on light, slightly noisy paper, as a phone takes it."""
    import io

    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(12)
    paper = rng.normal(215, 6, (height // 8, width // 8)).clip(0, 255).astype(np.uint8)
    page = Image.fromarray(paper).resize((width, height), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(page)
    stroke = height // 25
    left, top = width // 3, height // 5
    draw.line([(left + 300, top), (left, top + 1200), (left + 1100, top + 1200)], 40, stroke)
    draw.line([(left + 800, top + 500), (left + 800, top + 1900)], 40, stroke)
    buffer = io.BytesIO()
    page.convert("RGB").save(buffer, "JPEG", quality=88)
    return buffer.getvalue()
