"""Try your own digit: an uploaded picture made MNIST-like and scored by the detector.

The upload, its preparation and its score run outside the trade-off page's fragment (before
it, though drawn below it), so a release of the threshold never decodes a picture again. The
fragment draws what they kept in the session (:func:`own_digit_view`): the picture before and
after, small and already encoded, with the detector's verdict at the current threshold beside
them.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.data import Dataset
from core.detector import DetectorResult, digit_score
from core.images import display_image, png_bytes

MAX_UPLOAD_MB = 10  # a phone photo; also server.maxUploadSize in .streamlit/config.toml
SHOWN_PIXELS = 280  # each picture's width on the page
_KEPT_KEY = "own_digit_shown"


@dataclass(frozen=True)
class OwnDigit:
    """An uploaded digit as the fragment shows it: its name, score and two small pictures."""

    name: str
    score: float
    before: bytes  # PNG, at most SHOWN_PIXELS wide
    before_caption: str
    after: bytes  # PNG: what the detector sees, enlarged
    after_caption: str


@st.cache_data(max_entries=8, show_spinner="Reading the picture…")
def _prepared(file_id: str, _data: bytes):
    """The prepared picture and a small copy of the original as PNG, once per uploaded file
    (keyed on Streamlit's file id)."""
    import numpy as np
    from PIL import Image

    from core.digit_image import prepare_digit_image

    prepared = prepare_digit_image(_data)
    small = Image.fromarray(prepared.original)
    small.thumbnail((SHOWN_PIXELS, SHOWN_PIXELS * 4))
    return prepared, png_bytes(np.asarray(small, dtype=np.uint8))


def own_digit_section(dataset: Dataset, result: DetectorResult) -> None:
    """The uploader; the prepared picture and its score are kept for :func:`own_digit_view`."""
    upload = st.file_uploader(
        "A PNG or JPEG picture of one handwritten digit",
        type=["png", "jpg", "jpeg"],
        max_upload_size=MAX_UPLOAD_MB,
        key="own_digit_file",
        help="Dark on light paper or light on dark, a photo or a drawing. It is turned into "
        "a 28×28 MNIST-like image the way the dataset was made: grey levels, fitted into a "
        "20×20 box keeping its aspect ratio, centred by its centre of mass.",
    )
    st.session_state[_KEPT_KEY] = None
    if upload is None:
        return
    from core.digit_image import DigitImageError, digit_features  # Pillow and SciPy: only now

    try:
        prepared, before = _prepared(upload.file_id, upload.getvalue())
    except DigitImageError as exc:
        st.warning(f"{upload.name}: {exc}", icon=":material/image_not_supported:")
        return
    features = digit_features(prepared, image_shape=dataset.image_shape)
    score = digit_score(result, features)
    width, height = prepared.original_size
    steps = [f"{prepared.format}, {width}×{height} pixels"]
    if prepared.inverted:
        steps.append("inverted to light ink on dark")
    if prepared.thickened:
        steps.append("thin strokes widened")
    rows, cols = dataset.image_shape
    seen = display_image(features, shape=dataset.image_shape, scale=max(1, SHOWN_PIXELS // rows))
    st.session_state[_KEPT_KEY] = OwnDigit(
        name=upload.name,
        score=score,
        before=before,
        before_caption=f"{upload.name} ({'; '.join(steps)})",
        after=png_bytes(seen),
        after_caption=f"What the detector sees: {rows}×{cols}, score {score:,.2f}",
    )


def own_digit_verdict(*, name: str, score: float, digit: int, threshold: float) -> str:
    """The uploaded digit's decision at ``threshold`` (flagged when score >= threshold)."""
    verdict = f"flagged as a {digit}" if score >= threshold else f"not flagged as a {digit}"
    return f"**Your digit** ({name}): score {score:,.2f}, **{verdict}** at this threshold."


def own_digit_view(*, digit: int, threshold: float) -> None:
    """Inside the fragment: the uploaded picture before and after, its verdict beside them at
    ``threshold``; the uploader follows just below (outside the fragment)."""
    st.subheader("Try your own digit")
    kept: OwnDigit | None = st.session_state.get(_KEPT_KEY)
    if kept is None:
        st.caption(
            "Upload a picture below to see it the way the detector sees it, its score "
            "and its verdict at this threshold."
        )
        return
    before, after, verdict = st.columns(3, gap="medium")
    # At their own size, or narrower when the column is: never over the next column.
    before.image(
        kept.before,
        caption=kept.before_caption,
        width="content",
        alt=f"your picture {kept.name}, as uploaded",
    )
    after.image(
        kept.after,
        caption=kept.after_caption,
        width="content",
        alt=f"your picture made MNIST-like, as the detector sees it, score {kept.score:,.0f}",
    )
    with verdict:
        st.markdown(
            own_digit_verdict(name=kept.name, score=kept.score, digit=digit, threshold=threshold)
        )
        st.caption(
            f"Flagged when its score is at or above the threshold ({threshold:,.2f}); it "
            "follows the threshold whenever you release it."
        )
