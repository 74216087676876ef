"""/tradeoff's server side of the explorer, on the small set: what it mounts, and what follows a
release (the browser's part is tests/browser/test_explorer.py)."""

from __future__ import annotations

import numpy as np
import pytest

from core.counting import borderline_indices, changed_side, metrics_at, side_changes
from core.explorer import decode_payload, ladder_counts, settings_figures
from core.pickers import threshold_for_least_cost, threshold_for_precision
from tests.support import (
    explorer_mounts,
    galleries,
    ladder_scores,
    open_page,
    release_explorer,
    view_link,
)


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


def counts(blob, threshold):
    """The browser's counting, in numpy: on the payload's ladder of scores with counts."""
    header, arrays = decode_payload(blob)
    return ladder_counts(header, arrays, threshold=threshold)


def test_the_page_mounts_the_explorer_with_the_detectors_scores_and_no_plotly(small):
    app, _, result, data = small
    position, blob, _ = explorer_mounts(app)
    header, arrays = decode_payload(blob)
    figures = settings_figures(data, fp_cost=1.0, fn_cost=5.0)
    assert position == {
        "id": header["id"],
        "threshold": 0.0,
        "seq": position["seq"],
        # The training share and the goal pickers' default costs, with the server's figures
        # over every score at them.
        "settings": {
            "prevalence": None,
            "fpCost": 1.0,
            "fnCost": 5.0,
            "averagePrecision": figures.average_precision,
            "leastCost": {"threshold": figures.least_cost_threshold, "cost": figures.least_cost},
        },
        "window": position["window"],
    }
    positive, negative = ladder_scores(blob)
    np.testing.assert_array_equal(positive, np.sort(result.cv_scores[result.y_train]))
    np.testing.assert_array_equal(negative, np.sort(result.cv_scores[~result.y_train]))
    # The test rows' counts at each score of the ladder, as counted from the test scores.
    flagged = result.test_scores[None, :] >= arrays["threshold"][:, None]
    np.testing.assert_array_equal(arrays["test_tp"], (flagged & result.y_test).sum(axis=1))
    np.testing.assert_array_equal(arrays["test_fp"], (flagged & ~result.y_test).sum(axis=1))
    m = metrics_at(data.cv_index, threshold=0.0)
    assert counts(blob, 0.0) == (m.tp, m.fp, m.fn, m.tn)
    window = {n: np.asarray(v) for n, v in position["window"].items() if n != "at"}
    at = position["window"]["at"]
    assert ladder_counts(header, window, threshold=0.0, at=at) == (m.tp, m.fp, m.fn, m.tn)
    t = metrics_at(data.test_index, threshold=0.0)
    assert ladder_counts(header, window, threshold=0.0, block="test", at=at) == (
        t.tp,
        t.fp,
        t.fn,
        t.tn,
    )
    assert not app.slider and not app.metric  # replaced by the explorer
    # The explorer draws every curve of the trade-off; the only Plotly charts left are the
    # refit section's two small pictures under it (tests/app/test_tradeoff_refit.py).
    plotly_keys = {chart.proto.id.rsplit("-", 1)[-1] for chart in app.get("plotly_chart")}
    assert plotly_keys == {"refit_scale", "refit_test_curve"}
    assert view_link(app) == "/tradeoff?digit=5&threshold=0.0"


def test_reruns_mount_the_same_bytes_so_the_payload_is_sent_once(small):
    app, *_ = small
    _, first, _ = explorer_mounts(app)
    release_explorer(app, 1.5)
    _, again, _ = explorer_mounts(app)
    assert again == first


def test_a_release_moves_the_link_the_url_and_the_galleries_but_not_the_explorer(small):
    app, dataset, result, data = small
    before, _, _ = explorer_mounts(app)
    low = float(data.cv_index.thresholds[len(data.cv_index.thresholds) // 3])
    release_explorer(app, low)
    assert app.session_state["threshold"] == low
    assert app.query_params["threshold"] == repr(low)
    assert view_link(app).endswith(f"threshold={low!r}")
    position, _, _ = explorer_mounts(app)
    assert position["seq"] == before["seq"]  # the browser is there already: no move back
    # The galleries at the cut are the ones at the released threshold, closest first.
    false_positives = borderline_indices(
        data.cv_index, threshold=low, kind="false_positive", limit=12
    )
    at_the_cut, changed_gallery = galleries(app)[0], galleries(app)[2]
    assert [item["index"] for item in at_the_cut] == list(false_positives)
    assert [item["caption"] for item in at_the_cut] == [
        [f"#{i}", f"label {dataset.labels[i]}", f"score {result.cv_scores[i]:,.0f}"]
        for i in false_positives
    ]
    changed = next(m.value for m in app.markdown if m.value.startswith("**Changed side"))
    assert changed.endswith("(flagged now)")
    # The totals of the move, then the digits nearest the new threshold.
    moved = side_changes(data.cv_index, old_threshold=0.0, new_threshold=low)
    assert moved.newly_flagged > 0 and moved.no_longer_flagged == 0
    total = next(m.value for m in app.markdown if "newly flagged" in m.value)
    assert total.startswith(
        f"{moved.newly_flagged:,} digits newly flagged "
        f"({moved.newly_flagged_positives:,} were 5s), 0 digits no longer flagged."
    )
    nearest = changed_side(data.cv_index, old_threshold=0.0, new_threshold=low, limit=12)
    assert [item["index"] for item in changed_gallery] == list(nearest)


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
    assert header["nouns"]["positive"] == f"{digit}s" and position["id"] == header["id"]
    assert header["nouns"]["subject"] == f"the {digit}-detector"
    result = train_detector(load_fallback_dataset(), digit=digit, cache_dir=cache_dir)
    m = metrics_at(tradeoff_data(result).cv_index, threshold=position["threshold"])
    assert counts(blob, position["threshold"]) == (m.tp, m.fp, m.fn, m.tn)


def prevalence_input(app):
    return next(n for n in app.number_input if n.label.startswith("Share of 5s"))


def test_the_prevalence_goes_to_the_explorer_and_the_link_and_back_to_the_training_share(small):
    app, _, _, data = small
    training = round(100 * data.cv_index.n_pos / data.cv_index.n_samples, 2)
    assert prevalence_input(app).value == training
    assert any(f"{training:.2f}% of the training digits" in c.value for c in app.caption)
    prevalence_input(app).set_value(20.0).run()
    position, _, _ = explorer_mounts(app)
    assert position["settings"]["prevalence"] == 0.2
    assert app.query_params["prevalence"] == "0.2"
    assert view_link(app).endswith("&prevalence=0.2")
    assert any("recall and the false-positive rate do not depend" in c.value for c in app.caption)
    before = position["seq"]
    prevalence_input(app).set_value(training).run()
    position, _, _ = explorer_mounts(app)
    assert position["settings"]["prevalence"] is None and position["seq"] == before  # not moved
    assert "prevalence" not in app.query_params


@pytest.mark.parametrize(
    ("raw", "shown", "note"),
    [
        ("0.2", 20.0, None),
        ("0.5", 50.0, None),
        ("abc", None, "is not a number"),
        ("1.5", 99.99, "is outside"),
        ("0", 0.01, "is outside"),
    ],
)
def test_a_link_sets_the_prevalence_and_a_bad_one_says_what_is_shown(
    fallback_app, raw, shown, note
):
    app = open_page("pages/tradeoff.py", query={"threshold": "0", "prevalence": raw})
    value = prevalence_input(app).value
    if shown is None:  # the training share
        assert explorer_mounts(app)[0]["settings"]["prevalence"] is None
    else:
        assert value == pytest.approx(shown)
        assert explorer_mounts(app)[0]["settings"]["prevalence"] == pytest.approx(shown / 100)
    notes = [i.value for i in app.info]
    assert any(note in n for n in notes) if note else not any("prevalence" in n for n in notes)
    assert not app.exception


def test_the_costs_reach_the_explorer_and_the_least_cost_picker_uses_the_prevalence(small):
    app, _, _, data = small
    next(n for n in app.number_input if n.label == "Cost of a FP").set_value(2.0).run()
    assert explorer_mounts(app)[0]["settings"]["fpCost"] == 2.0
    prevalence_input(app).set_value(0.5).run()
    app.button(key="go_cost").click().run()
    expected = threshold_for_least_cost(
        data.cv_index, false_positive_cost=2.0, false_negative_cost=5.0, prevalence=0.005
    )
    assert explorer_mounts(app)[0]["threshold"] == expected.threshold
    assert any("Least expected cost where 0.5%" in c.value for c in app.caption)
    at_training = threshold_for_least_cost(
        data.cv_index, false_positive_cost=2.0, false_negative_cost=5.0
    )
    assert at_training.threshold != expected.threshold  # the share made the difference


@pytest.mark.parametrize("kind", ["precision", "recall"])
def test_a_goal_shows_each_folds_pick_and_the_bootstrap_spread(small, kind):
    from core.tradeoff import goal_spread
    from ui.tradeoff import goal_spread_text

    app, _, _, data = small
    assert not any("Each fold alone" in c.value for c in app.caption)  # only once used
    app.button(key=f"go_{kind}").click().run()
    spread = goal_spread(data, kind=kind, target=0.9)
    shown = [c.value for c in app.caption if c.value.startswith("Each fold alone")]
    assert shown == [goal_spread_text(spread)]
    assert len(spread.fold_thresholds) == 3 and "1,000 resamples" in shown[0]
    other_kind = "recall" if kind == "precision" else "precision"
    app.button(key=f"go_{other_kind}").click().run()  # both spreads stay, each under its goal
    assert len([c for c in app.caption if c.value.startswith("Each fold alone")]) == 2
    other = next(n for n in app.number_input if n.label == f"Target {kind} (%)")
    other.set_value(80.0).run()  # another target: that spread is not the one shown
    assert goal_spread_text(spread) not in [c.value for c in app.caption]
    assert len([c for c in app.caption if c.value.startswith("Each fold alone")]) == 1


def test_at_a_chosen_share_a_precision_goal_shows_each_folds_pick_there(small):
    from core.tradeoff import goal_spread
    from ui.tradeoff import goal_spread_text

    app, _, _, data = small
    prevalence_input(app).set_value(50.0).run()
    app.button(key="go_precision").click().run()
    expected = threshold_for_precision(data.cv_index, target=0.9, prevalence=0.5)
    assert explorer_mounts(app)[0]["threshold"] == expected.threshold
    spread = goal_spread(data, kind="precision", target=0.9, prevalence=0.5)
    shown = [c.value for c in app.caption if c.value.startswith("Each fold alone")]
    assert shown == [goal_spread_text(spread)] and "training share" in shown[0]


def test_the_scores_download_is_offered_and_built_only_when_clicked(small):
    import io

    import pyarrow.parquet as pq

    from core.score_export import detector_scores_table

    app, _, result, _ = small
    [button] = [b for b in app.get("download_button") if b.label.startswith("Download these")]
    assert button.proto.HasField("deferred_file_id") and not button.proto.url
    assert button.proto.ignore_rerun
    table = pq.read_table(io.BytesIO(detector_scores_table(result)))
    assert table.column_names == ["id", "label", "score", "fold", "split"]
    n_train = result.cv_scores.size
    assert table["split"].to_pylist() == ["train"] * n_train + ["test"] * result.test_scores.size
    np.testing.assert_array_equal(table["score"].to_numpy()[:n_train], result.cv_scores)
    np.testing.assert_array_equal(table["fold"].to_numpy()[:n_train], result.fold_ids)
    assert table["fold"].null_count == result.test_scores.size


def test_a_set_past_the_bootstrap_budget_says_so_with_the_folds_picks():
    from core.estimates import BOOTSTRAP_MAX_SAMPLES
    from core.tradeoff import GoalSpread
    from ui.tradeoff import goal_spread_text

    spread = GoalSpread(
        kind="precision",
        target=0.9,
        prevalence=None,
        fold_thresholds=(0.61, 0.63, float("nan")),
        bootstrap=None,
        no_bootstrap="size",
    )
    text = goal_spread_text(spread)
    assert text.startswith("Each fold alone would pick 0.61 · 0.63 · not reached.")
    assert f"resamples at most {BOOTSTRAP_MAX_SAMPLES:,} scores" in text
