"""Reading score files at size: budgets checked before a file is read whole, and a Parquet
whose footer or page headers claim more than the budget refused before pyarrow sees it."""

from __future__ import annotations

import io

import numpy as np
import pyarrow.parquet as pq
import pytest

from core.parquet_claims import CHUNK_COST, ClaimsTooMuch, Damaged, parquet_claims
from core.score_files import (
    ENV_MAX_ROWS,
    MB,
    ReadLimits,
    ScoreFileError,
    limits_from_env,
    load_score_table,
)
from harness.hostile_files import handmade_parquet, scores_parquet

SMALL = ReadLimits(memory_bytes=64 * MB)


def claims(data: bytes, *, budget: int = 2**40, max_rows: int = 10**12):
    return parquet_claims(
        lambda offset, n: data[offset : offset + n], len(data), budget=budget, max_rows=max_rows
    )


def refused(data: bytes, limits: ReadLimits = SMALL, **kwargs) -> ScoreFileError:
    with pytest.raises(ScoreFileError) as caught:
        load_score_table(data, name="s.parquet", limits=limits, **kwargs)
    return caught.value


def test_the_handmade_file_is_honest_parquet():
    data = handmade_parquet(50, row_groups=3, group_text=b"north")
    table = pq.read_table(io.BytesIO(data))
    assert table.num_rows == 150 and table.column_names == ["label", "score", "group"]
    assert set(table.column("group").to_pylist()) == {"north"}
    ours = load_score_table(data, name="s.parquet", limits=SMALL)
    assert ours.n_rows == 150 and ours.columns == ("label", "score", "group")
    np.testing.assert_array_equal(ours.column("score"), table.column("score").to_numpy())
    found = claims(data)
    assert (found.num_rows, found.row_groups, found.column_chunks) == (150, 3, 9)
    assert found.pages == 3 * 3 + 3  # a data page a chunk, and each group column's dictionary


def test_what_an_honest_file_claims_covers_what_it_decodes_to():
    data = scores_parquet(20_000)  # pyarrow's own writer: snappy, dictionaries
    table = pq.read_table(io.BytesIO(data))
    found = claims(data)
    assert found.num_rows == 20_000
    assert table.nbytes <= found.decoded_bytes <= table.nbytes + 64 * MB


@pytest.mark.parametrize(
    "lie",
    [
        {"page_claim": 2**31 - 1},  # a page header: 2 GB decompressed
        {"chunk_claim": 8 * 2**30},  # a column chunk's metadata: 8 GB
        {"values_claim": 2**31 - 1},  # a page header: two billion values
        {"group_text": b"x" * 100_000},  # one long text that each of the rows repeats
    ],
    ids=["page-size", "chunk-size", "page-values", "dictionary-text"],
)
def test_a_lie_in_a_page_header_chunk_or_dictionary_is_refused_as_a_claim(lie):
    n_rows = 2_000 if "group_text" in lie else 100
    data = handmade_parquet(n_rows, **lie)
    assert len(data) < MB  # small files: what they claim is the danger
    error = refused(data)
    assert error.problem == "claims_too_much" and error.limit == 64 * MB
    assert error.count > 64 * MB
    with pytest.raises(ClaimsTooMuch):
        claims(data, budget=64 * MB)


def test_the_same_dictionary_under_a_budget_it_fits_is_read():
    data = handmade_parquet(2_000, group_text=b"x" * 1_000)  # 2 MB once decoded
    table = load_score_table(data, name="s.parquet", limits=SMALL)
    assert table.cells("group")[0].as_py() == "x" * 1_000
    assert claims(data).decoded_bytes >= 2_000 * 1_000


def test_very_many_row_groups_are_refused_after_a_bounded_walk():
    data = handmade_parquet(1, row_groups=2_000)  # 6,000 parts of one row
    budget = 100 * CHUNK_COST
    error = refused(data, ReadLimits(memory_bytes=budget))
    assert error.problem == "claims_too_much"
    with pytest.raises(ClaimsTooMuch) as caught:
        claims(data, budget=budget)
    assert caught.value.claimed <= budget + 2 * CHUNK_COST  # stopped at the first part past it
    assert load_score_table(data, name="s.parquet").n_rows == 2_000  # the default budget: read


def test_a_footer_claiming_more_rows_than_the_budget_stops_before_its_row_groups():
    data = handmade_parquet(100)
    error = refused(data, ReadLimits(max_rows=99))
    assert (error.problem, error.count, error.limit) == ("too_many_rows", 100, 99)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d[:-8] + (10**6).to_bytes(4, "little") + b"PAR1",  # footer length past the file
        lambda d: d[:-20] + d[-8:],  # the footer cut short
        lambda d: d[:4] + b"\xff" * 40 + d[44:],  # the first page header overwritten
    ],
    ids=["footer-length", "footer-cut", "page-header"],
)
def test_a_damaged_footer_or_page_header_is_damaged(damage):
    data = damage(handmade_parquet(100))
    assert refused(data).problem == "damaged"
    with pytest.raises(Damaged):
        claims(data)


def test_a_csv_past_the_row_budget_is_refused_unread_beyond_it(tmp_path):
    path = tmp_path / "big.csv"
    rows = b"".join(b"%d,0.%06d\n" % (k % 2, k) for k in range(1_000_000))
    path.write_bytes(b"label,score\n" + rows)  # about 12 MB
    limits = ReadLimits(max_rows=1_000)

    def read_bytes() -> int:
        with open("/proc/self/io") as status:
            return int(next(line for line in status if line.startswith("rchar")).split()[1])

    before = read_bytes()
    with pytest.raises(ScoreFileError) as caught:
        load_score_table(path, name="big.csv", limits=limits)
    read = read_bytes() - before
    assert (caught.value.problem, caught.value.limit) == ("too_many_rows", 1_000)
    assert read < 5 * MB < path.stat().st_size  # one block of 4 MB, not the 12 MB file


def test_a_csv_with_blank_lines_after_its_last_row_is_counted_as_before(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(b"label,score\n1,0.5\n0,0.25\n" + b"\n \r\n" * 100)
    table = load_score_table(path, name="s.csv", limits=ReadLimits(max_rows=2))
    assert table.n_rows == 2


def test_a_path_and_its_bytes_read_alike(tmp_path):
    for data, suffix in ((scores_parquet(300), "parquet"), (b"label,score\n1,0.5\n0,0.2\n", "csv")):
        path = tmp_path / f"s.{suffix}"
        path.write_bytes(data)
        from_path = load_score_table(path, name="s")
        from_bytes = load_score_table(data, name="s")
        assert from_path.fingerprint == from_bytes.fingerprint
        assert from_path.columns == from_bytes.columns and from_path.n_rows == from_bytes.n_rows


def test_the_default_budgets_admit_ten_million_rows_and_the_env_a_hundred_million():
    assert ReadLimits().max_rows >= 10_000_000
    # A 10-million-row Parquet of label and score: 16 bytes a row once decoded.
    assert ReadLimits().memory_bytes >= 10_000_000 * 16 * 2
    raised = limits_from_env({ENV_MAX_ROWS: "100000000"})
    assert raised.max_rows == 100_000_000


@pytest.mark.parametrize("bad", [{"budget": -1}, {"max_rows": 1.5}, {"budget": True}])
def test_parquet_claims_names_a_bad_argument(bad):
    data = handmade_parquet(10)
    arguments = {"budget": 10**9, "max_rows": 10**9, **bad}
    with pytest.raises(ValueError, match=next(iter(bad))):
        parquet_claims(lambda offset, n: data[offset : offset + n], len(data), **arguments)
