"""AppTest: trying your own digit and taking the detector away, on the trade-off page.

Runs on the small bundled digits set (no MNIST), where training takes well under a second.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from core.data import load_fallback_dataset
from core.detector import train_detector
from core.digit_image import digit_features, prepare_digit_image
from tests.support import explorer_mounts, open_page, release_explorer

pytestmark = pytest.mark.usefixtures("fallback_app")


def picture_of(image_8x8: np.ndarray) -> bytes:
    """A small-set digit (0-255) drawn as a photo would show it: dark ink on white, enlarged."""
    grey = 255 - image_8x8.reshape(8, 8)
    picture = Image.fromarray(grey).resize((96, 96), Image.Resampling.BILINEAR)
    canvas = Image.new("L", (160, 140), 255)
    canvas.paste(picture, (40, 20))
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return buffer.getvalue()


def expected_score(data: bytes) -> float:
    dataset = load_fallback_dataset()
    result = train_detector(dataset, digit=5)
    features = digit_features(prepare_digit_image(data), image_shape=dataset.image_shape)
    return float(result.model.decision_function(features.astype(np.float64).reshape(1, -1))[0])


def own_digit_line(app) -> str:
    return next(m.value for m in app.markdown if m.value.startswith("**Your digit**"))


def test_an_uploaded_digit_is_scored_and_decided_at_the_current_threshold():
    dataset = load_fallback_dataset()
    result = train_detector(dataset, digit=5)
    low, high = result.cv_scores.min(), result.cv_scores.max()
    # A test digit whose picture scores inside the slider's range, so both verdicts can show.
    pictures = (picture_of(dataset.images[i]) for i in range(dataset.n_train, dataset.n_samples))
    data, score = next(
        (data, score) for data in pictures for score in [expected_score(data)] if low < score < high
    )

    app = open_page("pages/tradeoff.py", query={"threshold": "0"})
    assert not any(m.value.startswith("**Your digit**") for m in app.markdown)
    app.file_uploader(key="own_digit_file").set_value(("mine.png", data, "image/png")).run()
    assert not app.exception
    assert not [w.value for w in app.warning if "mine.png" in w.value]
    line = own_digit_line(app)
    assert f"score {score:,.2f}" in line
    assert any(f"8×8, score {score:,.2f}" in caption for caption in image_captions(app))
    # Released just below and just above its score (the fragment alone reruns).
    release_explorer(app, float(max(low, score - 1)))
    assert "**flagged as a 5**" in own_digit_line(app)
    release_explorer(app, float(min(high, score + 1)))
    assert "**not flagged as a 5**" in own_digit_line(app)
    # The verdict stands beside the picture: columns of one row, under the same parent.
    assert verdict_beside_picture(app)


def verdict_beside_picture(app) -> bool:
    """Whether one row of columns holds the detector's view of the picture in one column and
    the "Your digit" verdict in another."""

    def elements(node):
        children = getattr(node, "children", None)
        if children is None:
            yield node
            return
        for child in children.values():
            yield from elements(child)

    def holds_picture(column) -> bool:
        return any(
            "What the detector sees" in image.caption
            for e in elements(column)
            if e.type == "image"
            for image in e.proto.imgs
        )

    def holds_verdict(column) -> bool:
        return any(
            e.type == "markdown" and e.value.startswith("**Your digit**") for e in elements(column)
        )

    def rows(node):
        children = list(getattr(node, "children", {}).values())
        if children and all(getattr(c, "type", None) == "column" for c in children):
            yield children
        for child in children:
            yield from rows(child)

    return any(
        any(holds_picture(c) for c in row) and any(holds_verdict(c) for c in row)
        for row in rows(app._tree)
    )


def image_captions(app) -> list[str]:
    return [image.caption for element in app.get("image") for image in element.proto.imgs]


@pytest.mark.parametrize(
    ("name", "data", "fault"),
    [
        ("notes.png", b"this is text, not a picture", "not a PNG or JPEG"),
        ("blank.png", None, "blank"),
    ],
)
def test_a_file_that_is_not_a_digit_picture_gets_a_plain_message(name, data, fault):
    if data is None:
        buffer = io.BytesIO()
        Image.new("L", (64, 64), 255).save(buffer, format="PNG")
        data = buffer.getvalue()
    app = open_page("pages/tradeoff.py")
    app.file_uploader(key="own_digit_file").set_value((name, data, "image/png")).run()
    assert not app.exception
    warnings = [w.value for w in app.warning if w.value.startswith(name)]
    assert warnings and fault in warnings[0], [w.value for w in app.warning]
    assert not any(m.value.startswith("**Your digit**") for m in app.markdown)
    explorer_mounts(app)  # the rest of the page is intact


def test_the_download_is_offered_and_built_only_when_clicked():
    # The file itself (threshold, card) is checked by a real download in tests/test_browser.py.
    app = open_page("pages/tradeoff.py", query={"threshold": "1.5"})
    [button] = [b for b in app.get("download_button") if b.label.startswith("Download this")]
    assert button.proto.HasField("deferred_file_id") and not button.proto.url
    assert button.proto.ignore_rerun  # clicking it does not rerun the page
    assert "python -m core predict" in button.help
