"""Benchmark: loading MNIST from the IDX directory and from the local cache.

    MNIST_DATA=/path/to/mnist python bench/bench_load.py [--repeat 5] [--json [PATH]]

Both against the plainest read of the same gzipped files, measured in the same run:
``gzip.open(path).read()`` and ``np.frombuffer`` of each, with no checks, no concatenation and
no fingerprint. Runs are interleaved (reference, IDX, cache, reference, ...) so that machine
noise hits all three alike; the best of ``--repeat`` is kept.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from common import add_json_option, emit, mnist_dir, ratio, read_idx

from core.data import MNIST_DATA_ENV, SOURCE_CACHE, load_dataset
from core.idx import IDX_FILES, load_idx_dataset
from core.openml_cache import dataset_cache_path, write_dataset_cache


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_json_option(parser)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each load (best kept)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    directory = mnist_dir()
    paths = [directory / f"{name}.gz" for name in IDX_FILES]
    if not all(p.is_file() for p in paths):
        sys.exit(f"error: the reference reads the gzipped files: {[str(p) for p in paths]}")

    dataset = load_idx_dataset(directory)
    seconds: dict[str, list[float]] = {"reference": [], "idx": [], "cache": []}
    loads = {
        "reference": lambda: [read_idx(p) for p in paths],
        "idx": lambda: load_idx_dataset(directory),
        "cache": lambda: load_dataset(cache_dir=cache_dir, allow_download=False),
    }
    with tempfile.TemporaryDirectory(prefix="bench-load-") as cache_dir:
        if not write_dataset_cache(dataset, dataset_cache_path(cache_dir)):
            sys.exit(f"error: could not write a cache file in {cache_dir}")
        cache_bytes = dataset_cache_path(cache_dir).stat().st_size
        os.environ.pop(MNIST_DATA_ENV)  # the cache is read only when no IDX directory is named
        for _ in range(args.repeat):
            for name, load in loads.items():
                start = time.perf_counter()
                loaded = load()
                seconds[name].append(time.perf_counter() - start)
            if loaded.source != SOURCE_CACHE or loaded.fingerprint != dataset.fingerprint:
                sys.exit("error: the cache did not give back the IDX data")
            del loaded

    best = {name: min(values) for name, values in seconds.items()}
    figures = {
        "mnist_data": str(directory),
        "n_samples": dataset.n_samples,
        "cache_file_bytes": cache_bytes,
        "best_seconds": best,
        "all_seconds": seconds,
        "ratio_to_reference": {k: ratio(best[k], best["reference"]) for k in ("idx", "cache")},
    }
    text = "\n".join(
        [f"MNIST from {directory}, best of {args.repeat}:"]
        + [
            f"  {name:<10}{best[name]:.3f} s  {best[name] / best['reference']:.2f}x reference"
            for name in best
        ]
        + [f"  (cache file {cache_bytes / 1e6:.1f} MB)"]
    )
    return emit(args, figures, text)


if __name__ == "__main__":
    sys.exit(main())
