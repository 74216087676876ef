"""A cached detector's numbers and its explorer need no scikit-learn (its import is about a
second)."""

from __future__ import annotations

import json
import textwrap

import numpy as np

from harness.commands import run_python

SCRIPT = textwrap.dedent(
    """
    import json, sys
    # What the trade-off page imports, then what it does before it shows its numbers.
    import core.counting, core.pickers, core.tradeoff
    import ui.detector, ui.explorer, ui.own_digit, ui.dataset
    from core.explorer import detector_nouns, encode_payload, explorer_payload
    from core.data import load_dataset
    from core.jobs import JobRegistry
    from core.counting import metrics_at
    from core.tradeoff import tradeoff_data

    dataset = load_dataset()
    result = JobRegistry().ready(dataset, digit=5)
    data = tradeoff_data(result)
    shown = metrics_at(data.cv_index, threshold=3370.0194991439557)
    # What the browser draws.
    payload = encode_payload(explorer_payload(data, nouns=detector_nouns(5)))
    before = "sklearn" in sys.modules
    curve = data.pr_curve  # scikit-learn's precision_recall_curve, for comparison
    score = float(result.model.decision_function(dataset.images[:1].astype(float))[0])
    print(json.dumps({"sklearn_before_numbers": before, "precision": shown.precision,
                      "recall": shown.recall, "curve_points": int(curve.thresholds.size),
                      "score": score, "from_cache": result.from_cache,
                      "payload_bytes": len(payload)}))
    """
)


def test_a_cached_detectors_numbers_come_before_any_scikit_learn_import(
    mnist_dir, shared_cache_dir
):
    from core.data import load_dataset
    from core.detector import train_detector

    trained = train_detector(load_dataset(data_dir=mnist_dir), digit=5, cache_dir=shared_cache_dir)
    done = run_python(
        ["-c", SCRIPT],
        env={
            "PATH": "/usr/bin:/bin",
            "MNIST_DATA": str(mnist_dir),
            "THRESHOLD_EXPLORER_CACHE": str(shared_cache_dir),
            "THRESHOLD_EXPLORER_OFFLINE": "1",
        },
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    # The ladder of scores with their counts and the curves' points: less than the 60,000
    # scores themselves would take, whatever the rows.
    assert 100_000 < seen["payload_bytes"] < 8 * 60_000
    assert seen["from_cache"] is True
    assert seen["sklearn_before_numbers"] is False
    assert (seen["precision"], seen["recall"]) == (0.9000345901072293, 0.4799852425751706)
    # The model, unpickled when first asked for, is the one trained.
    assert seen["score"] == float(
        trained.model.decision_function(load_dataset(data_dir=mnist_dir).images[:1].astype(float))[
            0
        ]
    )
    assert seen["curve_points"] == np.unique(trained.cv_scores).size
