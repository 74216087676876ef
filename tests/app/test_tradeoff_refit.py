"""/tradeoff's refit section and export choice, on the small set: why the held-out test differs
(the medians in a sentence, the two pictures marked at the threshold), and the download
carrying either threshold with a caption and a card that say which."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from core.formatting import percent, threshold_text
from tests.support import open_page, release_explorer, texts, view_link


@pytest.fixture
def downloads(monkeypatch):
    """Every deferred download the page offers, by file name: the callable a click would run."""
    offered: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        offered[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return offered


@pytest.fixture
def small(fallback_app, cache_dir, downloads):
    from core.data import load_fallback_dataset
    from core.detector import train_detector
    from core.refit import final_training_scores, refit_comparison, refit_scores
    from core.tradeoff import tradeoff_data

    app = open_page("pages/tradeoff.py", query={"threshold": "0"})
    dataset = load_fallback_dataset()
    result = train_detector(dataset, digit=5, cache_dir=cache_dir)
    scores = refit_scores(
        tradeoff_data(result), final_train_scores=final_training_scores(result, dataset)
    )
    return app, downloads, lambda threshold: refit_comparison(scores, threshold=threshold)


def charts(app) -> dict[str, dict]:
    """The page's Plotly figures by key, as sent to the browser."""
    return {
        chart.proto.id.rsplit("-", 1)[-1]: json.loads(chart.proto.spec)
        for chart in app.get("plotly_chart")
    }


def marked(figure: dict) -> list[float]:
    return [shape["x0"] for shape in figure["layout"].get("shapes", [])]


def card_of(download) -> dict:
    with zipfile.ZipFile(io.BytesIO(download())) as archive:
        return json.loads(archive.read("model_card.json"))


def export_caption(app) -> str:
    [caption] = [c.value for c in app.caption if c.value.startswith("The file carries")]
    return caption


def test_the_section_says_why_with_the_medians_and_marks_the_threshold(small):
    app, _, comparison_at = small
    comparison = comparison_at(0.0)
    page = texts(app)
    assert "Why the held-out test differs" in page
    assert f"{comparison.median_cv:,.0f}".replace("-", "−") + " cross-validated" in page
    assert f"{comparison.median_final_train:,.0f}".replace("-", "−") in page
    assert (
        f"flags {percent(comparison.as_chosen.share_flagged_train)} of the training digits where "
        f"the cross-validated scores flag {percent(comparison.share_flagged_cv)}" in page
    )
    test = comparison.same_share.test
    assert f"{percent(test.precision)}, recall {percent(test.recall)} at " in page
    figures = charts(app)
    assert set(figures) == {"refit_scale", "refit_test_curve"}
    for figure in figures.values():
        assert marked(figure)[0] == 0.0
        if comparison.same_share.threshold != 0.0:
            assert marked(figure)[1] == comparison.same_share.threshold
    names = [trace["name"] for trace in figures["refit_test_curve"]["data"]]
    assert {"precision, test", "recall, test"} <= set(names)


def test_a_release_moves_the_marks_and_the_figures(small):
    app, _, comparison_at = small
    threshold = float(comparison_at(0.0).same_share.threshold) / 2 + 1.0
    release_explorer(app, threshold)
    comparison = comparison_at(threshold)
    for figure in charts(app).values():
        assert marked(figure)[0] == threshold
    assert threshold_text(comparison.same_share.threshold) in texts(app)


def test_the_export_choice_changes_the_caption_and_the_card(small):
    app, downloads, comparison_at = small
    comparison = comparison_at(0.0)
    assert app.radio(key="export_rule").value == "cross_validated"
    caption = export_caption(app)
    expected = comparison.as_chosen.test
    assert caption.startswith("The file carries 0.00, chosen on the cross-validated scores")
    assert f"Expect precision {percent(expected.precision)} and recall" in caption
    card = card_of(downloads["detector-digit5-threshold0.00.zip"])
    assert card["threshold"] == 0.0 and card["threshold_choice"]["rule"] == "cross_validated"

    app.radio(key="export_rule").set_value("same_share").run()
    assert not app.exception
    mapped = comparison.same_share.threshold
    caption = export_caption(app)
    assert caption.startswith(f"The file carries {threshold_text(mapped)} instead of 0.00")
    same = comparison.same_share.test
    assert f"Expect precision {percent(same.precision)} and recall {percent(same.recall)}" in (
        caption
    )
    card = card_of(downloads[f"detector-digit5-threshold{mapped:.2f}.zip"])
    assert card["threshold"] == mapped and card["threshold_choice"]["rule"] == "same_share"
    assert card["test"]["recall"] == same.recall
    assert card["cross_validated"]["threshold"] == 0.0
    assert np.isclose(card["threshold_choice"]["expected_precision"], same.precision)


def test_the_export_choice_is_in_the_link(fallback_app, cache_dir, downloads):
    app = open_page("pages/tradeoff.py", query={"threshold": "0", "export": "same_share"})
    assert app.radio(key="export_rule").value == "same_share"
    assert export_caption(app).startswith("The file carries") and "instead of 0.00" in (
        export_caption(app)
    )
    assert app.query_params["export"] == "same_share"
    assert view_link(app).endswith("&export=same_share")  # "Link to this view" carries it too
    app.radio(key="export_rule").set_value("cross_validated").run()
    assert "export" not in app.query_params
    assert "export=" not in view_link(app)
    app.radio(key="export_rule").set_value("same_share").run()
    assert app.query_params["export"] == "same_share"


def test_a_bad_export_in_the_link_says_what_is_shown(fallback_app, cache_dir, downloads):
    app = open_page("pages/tradeoff.py", query={"threshold": "0", "export": "median"})
    assert app.radio(key="export_rule").value == "cross_validated"
    assert "export='median' is not one of cross_validated, same_share" in texts(app)
