"""How long loading MNIST takes: from the IDX directory and from the local cache.

Usage::

    MNIST_DATA=/path/to/mnist python bench/bench_load.py [--repeat 5] [--json [PATH]]

Both loads are timed against a plain reference measured in the same run, on the same
files: ``gzip.open(path).read()`` and ``np.frombuffer`` of the four IDX files, with no
checks, no concatenation and no fingerprint. Runs are interleaved (reference, IDX, cache,
reference, ...) so that machine noise hits all three alike; the best of ``--repeat`` runs
is reported, in seconds and as ratios to the reference.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.data import (  # noqa: E402 - after the path set-up above
    IDX_FILES,
    MNIST_DATA_ENV,
    SOURCE_CACHE,
    dataset_cache_path,
    load_dataset,
    load_idx_dataset,
    write_dataset_cache,
)


def reference_load(paths: list[Path]) -> list[np.ndarray]:
    """The plainest way to read the four files: gunzip, then view the bytes as uint8."""
    arrays = []
    for path in paths:
        with gzip.open(path, "rb") as handle:
            arrays.append(np.frombuffer(handle.read(), dtype=np.uint8))
    return arrays


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each load (best kept)")
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="PATH",
        help="write the figures as JSON to PATH (no PATH: print them instead of the text)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")

    value = os.environ.get(MNIST_DATA_ENV)
    if not value:
        print(f"error: set {MNIST_DATA_ENV} to a directory of the MNIST IDX files", file=sys.stderr)
        return 2
    directory = Path(value)
    paths = [directory / f"{name}.gz" for name in IDX_FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"error: the reference needs the gzipped files; missing {missing}", file=sys.stderr)
        return 2

    dataset = load_idx_dataset(directory)
    timings: dict[str, list[float]] = {"reference": [], "idx": [], "cache": []}
    with tempfile.TemporaryDirectory(prefix="bench-load-") as cache_dir:
        if not write_dataset_cache(dataset, dataset_cache_path(cache_dir)):
            print(f"error: could not write a cache file in {cache_dir}", file=sys.stderr)
            return 2
        cache_bytes = dataset_cache_path(cache_dir).stat().st_size
        # The cache is only looked at when no IDX directory is named.
        os.environ.pop(MNIST_DATA_ENV)
        for _ in range(args.repeat):
            start = time.perf_counter()
            reference_load(paths)
            timings["reference"].append(time.perf_counter() - start)

            start = time.perf_counter()
            from_idx = load_idx_dataset(directory)
            timings["idx"].append(time.perf_counter() - start)

            start = time.perf_counter()
            from_cache = load_dataset(cache_dir=cache_dir, allow_download=False)
            timings["cache"].append(time.perf_counter() - start)

            if from_cache.source != SOURCE_CACHE or from_cache.fingerprint != from_idx.fingerprint:
                print("error: the cache did not give back the IDX data", file=sys.stderr)
                return 2
            del from_idx, from_cache

    best = {name: min(values) for name, values in timings.items()}
    result = {
        "benchmark": "load MNIST (70,000 x 784 uint8)",
        "mnist_data": str(directory),
        "repeat": args.repeat,
        "n_samples": dataset.n_samples,
        "cache_file_bytes": cache_bytes,
        "best_seconds": best,
        "all_seconds": timings,
        "ratio_to_reference": {
            "idx": best["idx"] / best["reference"],
            "cache": best["cache"] / best["reference"],
        },
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpus": os.cpu_count(),
    }
    if args.json == "-":
        print(json.dumps(result, indent=2))
        return 0
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    print(f"Loading MNIST from {directory}: best of {args.repeat} runs, {os.cpu_count()} CPUs")
    print(f"  reference (gzip.open().read() + np.frombuffer): {best['reference']:.3f} s")
    print(
        f"  load_idx_dataset (checks, concatenation, fingerprint): {best['idx']:.3f} s"
        f"  = {result['ratio_to_reference']['idx']:.2f} x reference"
    )
    print(
        f"  load_dataset from cache ({cache_bytes / 1e6:.1f} MB file): {best['cache']:.3f} s"
        f"  = {result['ratio_to_reference']['cache']:.2f} x reference"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
