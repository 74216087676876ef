"""/tradeoff's server side of the explorer, on the small set: what it mounts, and what follows a
release (the browser's part is tests/browser/test_explorer.py)."""

from __future__ import annotations

import numpy as np
import pytest

from core.explorer import decode_payload
from core.thresholds import borderline_indices, metrics_at, threshold_for_precision
from tests.support import explorer_mounts, open_page, release_explorer, texts


@pytest.fixture
def small(fallback_app, cache_dir):
    """The small set's 5-detector, from the cache the page fills."""
    from core.data import load_fallback_dataset
    from core.detector import train_detector
    from core.tradeoff import tradeoff_data

    app = open_page("pages/tradeoff.py", query={"threshold": "0"})
    dataset = load_fallback_dataset()
    result = train_detector(dataset, digit=5, cache_dir=cache_dir)
    return app, dataset, result, tradeoff_data(result)


def counts(arrays, threshold):
    """The browser's counting, in numpy (score >= threshold, by binary search)."""
    fn = int(arrays["cv_positive"].searchsorted(threshold))
    tn = int(arrays["cv_negative"].searchsorted(threshold))
    return arrays["cv_positive"].size - fn, arrays["cv_negative"].size - tn, fn, tn


def test_the_page_mounts_the_explorer_with_the_detectors_scores_and_no_plotly(small):
    app, _, result, data = small
    position, blob, _ = explorer_mounts(app)
    header, arrays = decode_payload(blob)
    assert position == {"id": header["id"], "threshold": 0.0, "seq": position["seq"]}
    positive = np.sort(result.cv_scores[result.y_train])
    np.testing.assert_array_equal(arrays["cv_positive"], positive)
    negative = np.sort(result.cv_scores[~result.y_train])
    np.testing.assert_array_equal(arrays["cv_negative"], negative)
    test_positive = np.sort(result.test_scores[result.y_test])
    np.testing.assert_array_equal(arrays["test_positive"], test_positive)
    m = metrics_at(data.cv_index, threshold=0.0)
    assert counts(arrays, 0.0) == (m.tp, m.fp, m.fn, m.tn)
    assert not app.get("plotly_chart") and not app.slider and not app.metric  # replaced
    assert "Link to this view: `/tradeoff?digit=5&threshold=0.0`" in texts(app)


def test_reruns_mount_the_same_bytes_so_the_payload_is_sent_once(small):
    app, *_ = small
    _, first, _ = explorer_mounts(app)
    release_explorer(app, 1.5)
    _, again, _ = explorer_mounts(app)
    assert again == first


def test_a_release_moves_the_link_the_url_and_the_galleries_but_not_the_explorer(small):
    app, _, result, data = small
    before, _, _ = explorer_mounts(app)
    low = float(data.cv_index.thresholds[len(data.cv_index.thresholds) // 3])
    release_explorer(app, low)
    assert app.session_state["threshold"] == low
    assert app.query_params["threshold"] == repr(low)
    assert f"threshold={low!r}`" in texts(app)
    position, _, _ = explorer_mounts(app)
    assert position["seq"] == before["seq"]  # the browser is there already: no move back
    # The galleries at the cut are the ones at the released threshold, closest first.
    false_positives = borderline_indices(
        data.cv_index, threshold=low, kind="false_positive", limit=12
    )
    captions = [image.caption for element in app.get("image") for image in element.proto.imgs]
    assert [f"#{i} · {result.cv_scores[i]:,.0f}" for i in false_positives] == captions[:12]
    changed = next(m.value for m in app.markdown if m.value.startswith("**Changed side"))
    assert changed.endswith("(flagged now)")


def test_a_goal_picker_moves_the_explorer(small):
    app, _, _, data = small
    before, _, _ = explorer_mounts(app)
    app.button(key="go_precision").click().run()
    expected = threshold_for_precision(data.cv_index, target=0.9).threshold
    position, _, _ = explorer_mounts(app)
    assert position["threshold"] == expected and position["seq"] > before["seq"]
    assert any("Lowest threshold with precision" in c.value for c in app.caption)


def test_the_exact_number_moves_the_explorer_then_a_release_moves_on_from_there(small):
    app, *_ = small
    before, _, _ = explorer_mounts(app)
    number = next(n for n in app.number_input if n.label == "Exact threshold")
    number.set_value(2.5)
    next(b for b in app.button if b.label == "Set").click().run()
    position, _, _ = explorer_mounts(app)
    assert position["threshold"] == 2.5 and position["seq"] > before["seq"]
    release_explorer(app, -1.0)
    assert app.session_state["threshold"] == -1.0
    assert explorer_mounts(app)[0]["seq"] == position["seq"]


@pytest.mark.parametrize("digit", range(10))
def test_every_digit_mounts_its_own_scores(fallback_app, cache_dir, digit):
    from core.data import load_fallback_dataset
    from core.detector import train_detector
    from core.tradeoff import tradeoff_data

    app = open_page("pages/tradeoff.py", query={"digit": str(digit), "threshold": "0"})
    position, blob, _ = explorer_mounts(app)
    header, arrays = decode_payload(blob)
    assert header["digit"] == digit and position["id"] == header["id"]
    result = train_detector(load_fallback_dataset(), digit=digit, cache_dir=cache_dir)
    m = metrics_at(tradeoff_data(result).cv_index, threshold=position["threshold"])
    assert counts(arrays, position["threshold"]) == (m.tp, m.fp, m.fn, m.tn)
