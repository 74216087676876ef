"""Benchmark: a cold ``python -m core multiclass`` against the chapter's multiclass cells.

    MNIST_DATA=/work/shared/mnist python bench/bench_multiclass.py [--json [PATH]] [--fallback]

Fresh processes in one run, on the real MNIST:

- cold: ``python -m core multiclass --json`` with ``THRESHOLD_EXPLORER_CACHE`` set to a new,
  empty directory; its whole wall time (start-up, data load, the six cross-validation fits,
  the final fit for ``some_digit``) and its peak RSS;
- warm: the same command again, reading the cache the cold run wrote;
- notebook: ``scripts/multiclass_golden.py --skip-fit``, the chapter's cells as written with
  scikit-learn's own calls; the reference is the time of its two ``cross_val_score`` calls and
  its ``cross_val_predict`` (with the book's scaler): nine multiclass fits, one core;
- detector: a cold ``python -m core report --digit 5``, the memory reference: a lone binary
  detector's training, whose server stays under 1 GB.

Goals: cold / notebook at most 0.5; the cold multiclass process's peak RSS no higher than the
detector's (the server adds the same to both). The figures must agree: the accuracies and the
error-analysis matrix of the command line are the notebook's, exactly. ``--fallback`` runs it
all on the small digits instead (a smoke check: no MNIST needed, no goal).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

from common import ROOT, add_json_option, emit, mnist_dir, run_process

GOAL_RATIO = 0.5


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_json_option(parser)
    parser.add_argument(
        "--fallback", action="store_true", help="the small digits, without MNIST (smoke check)"
    )
    args = parser.parse_args(argv)
    env = {**os.environ}
    if args.fallback:
        env.pop("MNIST_DATA", None)
        env["THRESHOLD_EXPLORER_OFFLINE"] = "1"
    else:
        env["MNIST_DATA"] = str(mnist_dir())
    python = sys.executable
    multiclass = [python, "-m", "core", "multiclass", "--json"]
    golden = [python, str(ROOT / "scripts" / "multiclass_golden.py"), "--json", "--skip-fit"]
    detector = [python, "-m", "core", "report", "--digit", "5", "--json"]
    runs = {}
    with tempfile.TemporaryDirectory(prefix="bench-multiclass-") as scratch:
        cached = {**env, "THRESHOLD_EXPLORER_CACHE": os.path.join(scratch, "multiclass")}
        runs["cold"] = run_process(multiclass, cached)
        runs["warm"] = run_process(multiclass, cached)
        runs["notebook"] = run_process(golden, env)
        runs["detector"] = run_process(
            detector, {**env, "THRESHOLD_EXPLORER_CACHE": os.path.join(scratch, "detector")}
        )
    for name, run in runs.items():
        if run["returncode"]:
            sys.exit(f"{name} run failed ({run['returncode']}):\n{run['stderr']}")
    ours = json.loads(runs["cold"]["stdout"])
    notebook = json.loads(runs["notebook"]["stdout"])
    agrees = {
        name: ours[name] == notebook[name]
        for name in ("cv_accuracy", "cv_accuracy_scaled", "confusion_scaled")
    }
    for run in runs.values():
        run.pop("stdout")
    cold, reference = runs["cold"]["seconds"], notebook["notebook_seconds"]
    cold_rss, detector_rss = runs["cold"]["peak_rss_mb"], runs["detector"]["peak_rss_mb"]
    figures = {
        "data": "fallback" if args.fallback else "mnist",
        "n_train": ours["n_train"],
        "cold_seconds": cold,
        "warm_seconds": runs["warm"]["seconds"],
        "training_seconds": ours["seconds"],
        "notebook_seconds": reference,
        "notebook_cells": notebook["cells"],
        "cold_over_notebook": cold / reference,
        "goal_ratio": GOAL_RATIO,
        "goal_met": cold / reference <= GOAL_RATIO,
        "cold_peak_rss_mb": cold_rss,
        "detector_peak_rss_mb": detector_rss,
        "notebook_peak_rss_mb": notebook["peak_rss_mb"],
        "memory_goal_met": cold_rss <= detector_rss,
        "agrees": agrees,
        "not_converged": ours["not_converged"],
        "runs": runs,
        "load_average_after": os.getloadavg()[0],
    }
    lines = [f"  notebook {cell:<40}{s:8.1f} s" for cell, s in notebook["cells"].items()]
    lines += [
        f"notebook's three cross-validation cells: {reference:.1f} s "
        f"(peak RSS {notebook['peak_rss_mb']:.0f} MB)",
        f"cold `core multiclass`: {cold:.1f} s (training {ours['seconds']:.1f} s, peak RSS "
        f"{cold_rss:.0f} MB); warm: {runs['warm']['seconds']:.2f} s",
        f"cold / notebook = {figures['cold_over_notebook']:.3f} (goal <= {GOAL_RATIO}: "
        f"{'met' if figures['goal_met'] else 'MISSED'})",
        f"peak RSS: multiclass {cold_rss:.0f} MB, a lone detector's training {detector_rss:.0f} "
        f"MB ({'met' if figures['memory_goal_met'] else 'MISSED'})",
        "agrees with the notebook: "
        + ", ".join(f"{name} {'yes' if same else 'NO'}" for name, same in agrees.items()),
    ]
    return emit(args, figures, "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
