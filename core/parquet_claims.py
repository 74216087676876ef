"""What a Parquet file claims it takes once decoded, read from its footer and page headers alone.

A Parquet file says how big its parts are: the footer's row groups and column chunks, and each
page's header (its sizes once decompressed, its count of values). A reader trusts them to size
its buffers, so a file that lies (a page claiming gigabytes, a dictionary of long texts every
row refers to, millions of row groups) makes it allocate what the claim says. This module reads
those claims without a Parquet library: the footer and every page header, in Thrift's compact
protocol, each column chunk as it is met, so that its own memory stays bounded (the footer's
bytes, one page header, one dictionary page at a time) and it stops at the first claim past the
budget.

:func:`parquet_claims` returns a :class:`ParquetClaims`, or raises :class:`TooManyRows` (the
footer's row count, before anything else), :class:`ClaimsTooMuch` (the claim passed the budget;
how far it had got) or :class:`Damaged` (the footer or a page header is not what Parquet says
it is). What decoding will take is the sum, over the column chunks, of
the largest of what its header, its pages and its values claim: pages' decompressed sizes,
values times their width (a dictionary's values at its longest entry), plus a fixed cost per
row group, column chunk and page (a reader's bookkeeping, which a file of many tiny parts
multiplies) and for the footer's own bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

MAGIC = b"PAR1"
# A column chunk's fixed cost: a reader's objects and buffers for it (pyarrow's are about 2 KB),
# and a bound on how many a file may have (the default budget admits 32,768), so that a footer of
# millions of tiny row groups is refused after a bounded walk.
CHUNK_COST = 64 * 1024
PAGE_COST = 1024  # and per page
FOOTER_EXPANSION = 16  # a footer's bytes, parsed into a reader's objects (pyarrow's: about 10x)
FIRST_HEADER_READ = 4096  # bytes read for a page header; more while it is longer
MAX_HEADER_BYTES = 16 * 1024 * 1024  # a page header longer than this is not a real one

# Parquet's physical types: their width once decoded (BYTE_ARRAY: 4 bytes of offset, plus text).
BOOLEAN, INT32, INT64, INT96, FLOAT, DOUBLE, BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY = range(8)
WIDTHS = {BOOLEAN: 1, INT32: 4, INT64: 8, INT96: 12, FLOAT: 4, DOUBLE: 8, BYTE_ARRAY: 4}
DATA_PAGE, INDEX_PAGE, DICTIONARY_PAGE, DATA_PAGE_V2 = range(4)
CODECS = {0: None, 1: "snappy", 2: "gzip", 4: "brotli", 6: "zstd", 7: "lz4_raw"}


class Damaged(Exception):
    """The footer or a page header is not Parquet's."""


class TooManyRows(Exception):
    """The footer's row count passed the limit: ``num_rows``."""

    def __init__(self, num_rows: int):
        super().__init__(num_rows)
        self.num_rows = num_rows


class ClaimsTooMuch(Exception):
    """What the file claims passed the budget: ``claimed`` bytes so far."""

    def __init__(self, claimed: int):
        super().__init__(claimed)
        self.claimed = claimed


@dataclass(frozen=True)
class ParquetClaims:
    """What a Parquet file claims.

    Attributes
    ----------
    num_rows : int
        The footer's row count.
    decoded_bytes : int
        What decoding it whole claims to take (see the module's docstring).
    row_groups, column_chunks, pages : int
    """

    num_rows: int
    decoded_bytes: int
    row_groups: int
    column_chunks: int
    pages: int


# --- Thrift's compact protocol -------------------------------------------------------------------
STOP, TRUE, FALSE, BYTE, I16, I32, I64, DOUBLE_T, BINARY, LIST, SET, MAP, STRUCT = range(13)


class _Short(Exception):
    """The buffer ended inside a value."""


class _Reader:
    """Reads compact-protocol values from ``data`` at ``pos``."""

    def __init__(self, data: bytes, pos: int = 0):
        self.data, self.pos = data, pos

    def byte(self) -> int:
        try:
            value = self.data[self.pos]
        except IndexError:
            raise _Short from None
        self.pos += 1
        return value

    def varint(self) -> int:
        data, pos = self.data, self.pos
        try:
            byte = data[pos]
            if byte < 0x80:  # most are one byte
                self.pos = pos + 1
                return byte
            result, shift = byte & 0x7F, 7
            while True:
                pos += 1
                byte = data[pos]
                result |= (byte & 0x7F) << shift
                if byte < 0x80:
                    self.pos = pos + 1
                    return result
                shift += 7
                if shift > 70:
                    raise Damaged("a varint longer than ten bytes")
        except IndexError:
            raise _Short from None

    def zigzag(self) -> int:
        value = self.varint()
        return (value >> 1) ^ -(value & 1)

    def binary(self) -> bytes:
        size = self.varint()
        if self.pos + size > len(self.data):
            if size > len(self.data):  # longer than all there is: no retry can help
                raise Damaged("a string longer than the footer")
            raise _Short
        value = self.data[self.pos : self.pos + size]
        self.pos += size
        return value

    def skip(self, kind: int, depth: int = 0) -> None:
        if depth > 64:
            raise Damaged("values nested too deep")
        if kind in (TRUE, FALSE):
            return
        if kind == BYTE:
            self.byte()
        elif kind in (I16, I32, I64):
            self.varint()
        elif kind == DOUBLE_T:
            if self.pos + 8 > len(self.data):
                raise _Short
            self.pos += 8
        elif kind == BINARY:
            self.binary()
        elif kind in (LIST, SET):
            size, element = self.list_header()
            for _ in range(size):
                self.skip(element, depth + 1) if element not in (TRUE, FALSE) else self.byte()
        elif kind == MAP:
            size = self.varint()
            if size:
                types = self.byte()
                for _ in range(size):
                    self.skip(types >> 4, depth + 1)
                    self.skip(types & 0x0F, depth + 1)
        elif kind == STRUCT:
            for _, field_kind in self.fields():
                self.skip(field_kind, depth + 1)
        else:
            raise Damaged(f"unknown compact type {kind}")

    def list_header(self) -> tuple[int, int]:
        head = self.byte()
        size = head >> 4
        if size == 15:
            size = self.varint()
        if size > len(self.data):  # each element takes a byte at least
            raise Damaged("a list longer than the footer")
        return size, head & 0x0F

    def fields(self):
        """Each field of a struct as (id, type), up to its stop; the caller reads or skips its
        value before asking for the next."""
        last, data = 0, self.data
        while True:
            try:
                head = data[self.pos]
            except IndexError:
                raise _Short from None
            self.pos += 1
            if head == STOP:
                return
            delta = head >> 4
            last = last + delta if delta else self.zigzag()
            yield last, head & 0x0F

    def value(self, kind: int):
        """An integer, a boolean or bytes; anything else skipped (None)."""
        if kind in (TRUE, FALSE):
            return kind == TRUE
        if kind == BYTE:
            return self.byte()
        if kind in (I16, I32, I64):
            return self.zigzag()
        if kind == BINARY:
            return self.binary()
        self.skip(kind)
        return None


def _struct(reader: _Reader, wanted: dict[int, Callable | None]) -> dict[int, object]:
    """The fields of one struct that ``wanted`` names: None reads a plain value, a function
    reads the value itself; the others are skipped."""
    found = {}
    for field_id, kind in reader.fields():
        if field_id in wanted:
            read = wanted[field_id]
            found[field_id] = reader.value(kind) if read is None else read(reader, kind)
        else:
            reader.skip(kind)
    return found


def _each(reader: _Reader, kind: int, element: Callable[[_Reader], None]) -> int:
    """Call ``element`` on each struct of a list; its length."""
    if kind != LIST:
        raise Damaged("a list expected")
    size, element_kind = reader.list_header()
    if element_kind != STRUCT:
        raise Damaged("a list of structs expected")
    for _ in range(size):
        element(reader)
    return size


# --- the claims ----------------------------------------------------------------------------------
def parquet_claims(
    read_at: Callable[[int, int], bytes], size: int, *, budget: int, max_rows: int
) -> ParquetClaims:
    """What decoding a Parquet file claims to take, from its footer and page headers.

    Parameters
    ----------
    read_at : callable
        ``read_at(offset, n)`` gives at most ``n`` bytes of the file from ``offset``.
    size : int
        The file's size in bytes.
    budget : int
        Stop and raise :class:`ClaimsTooMuch` as soon as the claim passes it.
    max_rows : int
        Raise :class:`TooManyRows` when the footer's row count passes it, before a row group
        is read.

    Returns
    -------
    ParquetClaims

    Raises
    ------
    ValueError
        When ``size``, ``budget`` or ``max_rows`` is not an integer >= 0.
    Damaged
        The file does not end in a footer, or a part of it or a page header is not Parquet's
        (a size out of the file, a chunk's pages running past it).
    ClaimsTooMuch
        With the claim so far.
    TooManyRows
        With the footer's row count.
    """
    for what, value in (("size", size), ("budget", budget), ("max_rows", max_rows)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{what} must be an integer >= 0, got {value!r}")
    if size < 12 or read_at(size - 4, 4) != MAGIC:
        raise Damaged("no footer")
    (footer_length,) = struct.unpack("<I", read_at(size - 8, 4))
    footer_start = size - 8 - footer_length
    if footer_length == 0 or footer_start < 4:
        raise Damaged("a footer longer than the file")
    state = _Walk(read_at, footer_start, budget)
    state.claim(footer_length * FOOTER_EXPANSION)  # before the footer is read
    footer = read_at(footer_start, footer_length)
    if len(footer) != footer_length:
        raise Damaged("the file ended inside its footer")
    reader = _Reader(footer)

    def rows(r: _Reader, kind: int) -> int:
        value = r.value(kind)
        if isinstance(value, int) and value > max_rows:
            raise TooManyRows(value)
        return value

    try:
        found = _struct(reader, {2: state.schema, 3: rows, 4: state.row_groups})
    except _Short:
        raise Damaged("the footer ends inside a value") from None
    num_rows = found.get(3)
    if not isinstance(num_rows, int) or num_rows < 0:
        raise Damaged("no row count")
    return ParquetClaims(
        num_rows=num_rows,
        decoded_bytes=state.claimed,
        row_groups=state.n_row_groups,
        column_chunks=state.n_chunks,
        pages=state.n_pages,
    )


class _Walk:
    """The walk over a footer: the claim so far, checked against the budget at every step."""

    def __init__(self, read_at, data_end: int, budget: int):
        self.read_at, self.data_end, self.budget = read_at, data_end, budget
        self.claimed = 0
        self.n_row_groups = self.n_chunks = self.n_pages = 0
        self.leaf_widths: list[int | None] = []  # FIXED_LEN_BYTE_ARRAY's length, by leaf

    def claim(self, n_bytes: int) -> None:
        self.claimed += max(0, n_bytes)
        if self.claimed > self.budget:
            raise ClaimsTooMuch(self.claimed)

    # the schema: each leaf's fixed length (FIXED_LEN_BYTE_ARRAY)
    def schema(self, reader: _Reader, kind: int) -> None:
        def element(r: _Reader) -> None:
            found = _struct(r, {2: None, 5: None})
            if not found.get(5):
                self.leaf_widths.append(found.get(2))

        _each(reader, kind, element)
        self.claim(len(self.leaf_widths) * PAGE_COST)

    def row_groups(self, reader: _Reader, kind: int) -> None:
        def row_group(r: _Reader) -> None:
            self.n_row_groups += 1
            before = self.claimed
            self.claim(CHUNK_COST)
            found = _struct(r, {1: self.columns, 2: None, 3: None})
            total = found.get(2)
            rows = found.get(3)
            if not isinstance(rows, int) or rows < 0:
                raise Damaged("a row group without its row count")
            # The row group's own claim of its decoded size, where it says more than its parts.
            if isinstance(total, int) and total > self.claimed - before:
                self.claim(total - (self.claimed - before))

        _each(reader, kind, row_group)

    def columns(self, reader: _Reader, kind: int) -> None:
        column = [0]

        def chunk(r: _Reader) -> None:
            self.n_chunks += 1
            self.claim(CHUNK_COST)
            found = _struct(r, {3: self.metadata})
            meta = found.get(3)
            if meta is None:
                raise Damaged("a column chunk without its metadata")
            width = self.leaf_widths[column[0]] if column[0] < len(self.leaf_widths) else None
            column[0] += 1
            self.chunk_claim(meta, width)

        _each(reader, kind, chunk)

    @staticmethod
    def metadata(reader: _Reader, kind: int) -> dict:
        if kind != STRUCT:
            raise Damaged("column metadata expected")
        return _struct(reader, {1: None, 4: None, 5: None, 6: None, 7: None, 9: None, 11: None})

    def chunk_claim(self, meta: dict, fixed_width: int | None) -> None:
        physical, codec = meta.get(1), meta.get(4, 0)
        num_values = meta.get(5)
        uncompressed, compressed = meta.get(6), meta.get(7)
        data_offset, dictionary_offset = meta.get(9), meta.get(11)
        for value in (physical, num_values, uncompressed, compressed, data_offset):
            if not isinstance(value, int) or value < 0:
                raise Damaged("a column chunk's sizes are missing or negative")
        start = data_offset
        if isinstance(dictionary_offset, int) and 4 <= dictionary_offset < data_offset:
            start = dictionary_offset
        end = start + compressed
        if start < 4 or end > self.data_end:
            raise Damaged("a column chunk lies outside the file")
        width = fixed_width if physical == FIXED_LEN_BYTE_ARRAY else WIDTHS.get(physical)
        if width is None or width < 0:
            raise Damaged("an unknown physical type")
        # What this chunk claims: the most of what its header, its pages and its values say.
        pages_bytes, page_values, entry, dictionary = self.pages(start, end, codec, physical, width)
        values = max(num_values, page_values)
        if physical == BYTE_ARRAY:
            # Texts decode to offsets plus their bytes: a dictionary's entries repeated at each
            # row that refers to them, at most its longest entry each.
            decoded = values * (width + (entry or 0))
        else:
            decoded = values * max(width, 1)
        self.claim(max(uncompressed, pages_bytes, decoded) + dictionary)

    def pages(self, start: int, end: int, codec: int, physical: int, width: int):
        """Walk a chunk's page headers: their decompressed bytes, their values, the longest
        entry of a dictionary of texts (None without one) and what the dictionary's values
        take decoded. Stops as soon as the claim so far and its pages pass the budget."""
        position, total, values, longest, dictionary = start, 0, 0, None, 0
        while position < end:
            header, length = self.page_header(position, end)
            kind = header.get(1)
            uncompressed, compressed = header.get(2), header.get(3)
            if not all(isinstance(v, int) and v >= 0 for v in (kind, uncompressed, compressed)):
                raise Damaged("a page header's sizes are missing or negative")
            body = position + length
            if body + compressed > end:
                raise Damaged("a page runs past its column chunk")
            self.n_pages += 1
            self.claim(PAGE_COST)
            total += uncompressed
            counts = header.get(5) or header.get(7) or header.get(8) or {}
            count = counts.get(1, 0) if isinstance(counts, dict) else 0
            if not isinstance(count, int) or count < 0:
                raise Damaged("a page's value count is negative")
            if kind == DICTIONARY_PAGE:
                if physical == BYTE_ARRAY:
                    entry = self.longest_entry(body, compressed, uncompressed, codec, count)
                    longest = max(longest or 0, entry)
                dictionary += count * width + uncompressed
            elif kind in (DATA_PAGE, DATA_PAGE_V2):
                values += count
            if self.claimed + max(total, values * width) + dictionary > self.budget:
                raise ClaimsTooMuch(self.claimed + max(total, values * width) + dictionary)
            position = body + compressed
        return total, values, longest, dictionary

    def page_header(self, position: int, end: int) -> tuple[dict, int]:
        wanted = {1: None, 2: None, 3: None, 5: _counts, 7: _counts, 8: _counts}
        n = FIRST_HEADER_READ
        while True:
            data = self.read_at(position, min(n, end - position))
            reader = _Reader(data)
            try:
                return _struct(reader, wanted), reader.pos
            except _Short:
                if len(data) < n or n >= MAX_HEADER_BYTES:
                    raise Damaged("a page header runs past its column chunk") from None
                n *= 4

    def longest_entry(self, body: int, compressed: int, uncompressed: int, codec, count) -> int:
        """The longest text of a dictionary page (PLAIN: a 4-byte length before each); its
        whole size when it cannot be decoded here (an unknown codec), never less."""
        name = CODECS.get(codec, "unknown")
        data = self.read_at(body, compressed)
        try:
            if name == "unknown":
                return uncompressed
            if name is not None:
                import pyarrow as pa

                data = pa.Codec(name).decompress(data, decompressed_size=uncompressed).to_pybytes()
        except Exception:  # noqa: BLE001 - a codec's error on a damaged page: the reader's to name
            return uncompressed
        longest, position = 0, 0
        for _ in range(count):
            if position + 4 > len(data):
                return uncompressed
            (length,) = struct.unpack_from("<I", data, position)
            longest = max(longest, length)
            position += 4 + length
        return longest


def _counts(reader: _Reader, kind: int) -> dict:
    if kind != STRUCT:
        raise Damaged("a page's header expected")
    return _struct(reader, {1: None})
