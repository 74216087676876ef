"""Pictures and score files for the hostile-input tests and benchmarks, built on the fly (none is
stored): crafted ones that cost a naive decoder far more than their size says, an ordinary large
phone photo, and Parquet written by hand so that every size it claims can lie."""

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


# --- Parquet written by hand: every size it claims is ours to choose ------------------------------
# Thrift's compact protocol, as Parquet's footer and page headers use it.
_I32, _I64, _BINARY, _LIST, _STRUCT = 5, 6, 8, 9, 12


def _field(last: int, field_id: int, kind: int) -> bytes:
    delta = field_id - last
    if 0 < delta <= 15:
        return bytes([delta << 4 | kind])
    return bytes([kind]) + _varint(_zigzag(field_id))


def _struct(*fields: tuple[int, int, bytes]) -> bytes:
    """(field id, compact type, encoded value), in increasing id order; then the stop byte."""
    out, last = bytearray(), 0
    for field_id, kind, value in fields:
        out += _field(last, field_id, kind) + value
        last = field_id
    return bytes(out) + b"\x00"


def _int(value: int) -> bytes:
    return _varint(_zigzag(value))


def _binary(value: bytes) -> bytes:
    return _varint(len(value)) + value


def _list(kind: int, items: list[bytes]) -> bytes:
    if len(items) < 15:
        return bytes([len(items) << 4 | kind]) + b"".join(items)
    return bytes([0xF0 | kind]) + _varint(len(items)) + b"".join(items)


def handmade_parquet(
    n_rows: int = 100,
    *,
    row_groups: int = 1,
    page_claim: int | None = None,
    chunk_claim: int | None = None,
    values_claim: int | None = None,
    group_text: bytes | None = None,
) -> bytes:
    """A Parquet score file written byte by byte: ``label`` (INT64) and ``score`` (DOUBLE),
    required, PLAIN, uncompressed, one data page per column chunk, in ``row_groups`` row groups
    of ``n_rows`` rows each; honest unless told to lie.

    ``page_claim``: the score's first data page claims this size decompressed.
    ``chunk_claim``: the score's first column chunk claims this size decompressed.
    ``values_claim``: the score's first data page claims this many values.
    ``group_text``: adds a BYTE_ARRAY column ``group`` whose one dictionary entry is this text,
    and every row refers to it (each page a few bytes: what it decodes to is rows x text).
    """
    import struct

    import numpy as np

    rng = np.random.default_rng(0)
    out = bytearray(b"PAR1")
    groups = []
    leaves = [(b"label", 2), (b"score", 5)]  # Parquet's physical types INT64 = 2, DOUBLE = 5
    if group_text is not None:
        leaves.append((b"group", 6))  # BYTE_ARRAY
    for g in range(row_groups):
        label = (rng.random(n_rows) < 0.3).astype("<i8")
        score = (rng.normal(size=n_rows) + label).astype("<f8")
        chunks, group_bytes = [], 0
        for name, physical in leaves:
            start = len(out)
            dictionary_offset = None
            encodings = [_int(0), _int(3)]
            lie = g == 0 and name == b"score"
            if name == b"group":
                entry = struct.pack("<I", len(group_text)) + group_text
                dictionary_offset = start
                out += _struct(
                    (1, _I32, _int(2)), (2, _I32, _int(len(entry))), (3, _I32, _int(len(entry))),
                    (7, _STRUCT, _struct((1, _I32, _int(1)), (2, _I32, _int(0)))),
                ) + entry  # fmt: skip
                body = bytes([1]) + _varint(n_rows << 1) + b"\x00"  # bit width 1, one run of 0
                encoding = 8  # RLE_DICTIONARY
                encodings.append(_int(8))
            else:
                body = (label if name == b"label" else score).tobytes()
                encoding = 0
            data_offset = len(out)
            size = page_claim if lie and page_claim is not None else len(body)
            values = values_claim if lie and values_claim is not None else n_rows
            out += _struct(
                (1, _I32, _int(0)), (2, _I32, _int(size)), (3, _I32, _int(len(body))),
                (5, _STRUCT, _struct(
                    (1, _I32, _int(values)), (2, _I32, _int(encoding)), (3, _I32, _int(3)),
                    (4, _I32, _int(3)),
                )),
            ) + body  # fmt: skip
            total = len(out) - start
            uncompressed = chunk_claim if lie and chunk_claim is not None else total
            group_bytes += total
            fields = [
                (1, _I32, _int(physical)), (2, _LIST, _list(_I32, encodings)),
                (3, _LIST, _list(_BINARY, [_binary(name)])), (4, _I32, _int(0)),
                (5, _I64, _int(n_rows)), (6, _I64, _int(uncompressed)), (7, _I64, _int(total)),
                (9, _I64, _int(data_offset)),
            ]  # fmt: skip
            if dictionary_offset is not None:
                fields.append((11, _I64, _int(dictionary_offset)))
            chunks.append(_struct((2, _I64, _int(start)), (3, _STRUCT, _struct(*fields))))
        groups.append(_struct(
            (1, _LIST, _list(_STRUCT, chunks)), (2, _I64, _int(group_bytes)),
            (3, _I64, _int(n_rows)),
        ))  # fmt: skip
    schema = [_struct((4, _BINARY, _binary(b"schema")), (5, _I32, _int(len(leaves))))]
    schema += [
        _struct(
            (1, _I32, _int(physical)),
            (3, _I32, _int(0)),
            (4, _BINARY, _binary(name)),
            *([(6, _I32, _int(0))] if physical == 6 else []),  # converted type UTF8: text
        )  # fmt: skip
        for name, physical in leaves
    ]
    footer = _struct(
        (1, _I32, _int(1)), (2, _LIST, _list(_STRUCT, schema)),
        (3, _I64, _int(n_rows * row_groups)), (4, _LIST, _list(_STRUCT, groups)),
    )  # fmt: skip
    return bytes(out) + footer + struct.pack("<I", len(footer)) + b"PAR1"
