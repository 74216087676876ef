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


# --- score files ----------------------------------------------------------------------------
def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 63)


def scores_parquet(n_rows: int = 1000, *, seed: int = 0, **columns) -> bytes:
    """A valid Parquet score file: ``label`` (0/1) and ``score`` columns, plus ``columns``."""
    import io

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    label = rng.random(n_rows) < 0.3
    table = pa.table(
        {"label": label.astype(np.int64), "score": rng.normal(size=n_rows) + label, **columns}
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def parquet_claiming(n_bytes: int = 8 * 2**30, *, n_rows: int = 1000) -> bytes:
    """A valid Parquet score file whose footer claims its row group takes ``n_bytes`` once
    decoded: the footer's thrift field rewritten, nothing else."""
    import io
    import struct

    import pyarrow.parquet as pq

    data = scores_parquet(n_rows)
    footer_length = struct.unpack("<I", data[-8:-4])[0]
    start = len(data) - 8 - footer_length
    footer = data[start:-8]
    group = pq.ParquetFile(io.BytesIO(data)).metadata.row_group(0)
    # RowGroup field 2 (total_byte_size) then 3 (num_rows), i64s in the compact protocol:
    # field header 0x16, then a zigzag varint.
    old = (
        b"\x16" + _varint(_zigzag(group.total_byte_size))
        + b"\x16" + _varint(_zigzag(group.num_rows))
    )  # fmt: skip
    if footer.count(old) != 1:
        raise RuntimeError("the footer's sizes were not found once")
    new = b"\x16" + _varint(_zigzag(n_bytes)) + b"\x16" + _varint(_zigzag(group.num_rows))
    footer = footer.replace(old, new)
    return data[:start] + footer + struct.pack("<I", len(footer)) + b"PAR1"


def nested_parquet() -> bytes:
    """A Parquet file with a list column beside label and score."""
    import pyarrow as pa

    return scores_parquet(3, items=pa.array([[1, 2], [], [3]]))


def duplicate_column_parquet() -> bytes:
    """A Parquet file whose ``score`` column appears twice."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays(
        [pa.array([0, 1]), pa.array([0.1, 0.9]), pa.array([0.2, 0.8])],
        names=["label", "score", "score"],
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def wide_csv(n_columns: int = 5_000_000) -> bytes:
    """A CSV whose header is one line of ``n_columns`` columns."""
    return (
        b",".join(b"c%d" % k for k in range(n_columns)) + b"\n" + b"0," * (n_columns - 1) + b"0\n"
    )
