"""Try your own digit: an uploaded picture made MNIST-like and scored by the detector.

The upload, its preparation and its score live outside the trade-off page's fragment, so a
slider step never resends the pictures; the fragment shows one line, the decision at the
current threshold, from the score kept in the session.
"""

from __future__ import annotations

import streamlit as st

from core.data import Dataset
from core.detector import DetectorResult, digit_score
from core.images import display_image

MAX_UPLOAD_MB = 10  # a phone photo; also server.maxUploadSize in .streamlit/config.toml
_SCORE_KEY = "own_digit_score"


@st.cache_data(max_entries=8, show_spinner="Reading the picture…")
def _prepared(file_id: str, _data: bytes):
    """The prepared picture, once per uploaded file (keyed on Streamlit's file id)."""
    from core.digit_image import prepare_digit_image

    return prepare_digit_image(_data)


def own_digit_section(dataset: Dataset, result: DetectorResult) -> None:
    """The uploader, the picture before and after, and its score (kept for the fragment)."""
    st.subheader("Try your own digit")
    upload = st.file_uploader(
        "A PNG or JPEG picture of one handwritten digit",
        type=["png", "jpg", "jpeg"],
        max_upload_size=MAX_UPLOAD_MB,
        key="own_digit_file",
        help="Dark on light paper or light on dark, a photo or a drawing. It is turned into "
        "a 28×28 MNIST-like image the way the dataset was made: grey levels, fitted into a "
        "20×20 box keeping its aspect ratio, centred by its centre of mass.",
    )
    st.session_state[_SCORE_KEY] = None
    if upload is None:
        st.caption("Upload a picture to see it the way the detector sees it, and its score.")
        return
    from core.digit_image import DigitImageError, digit_features  # Pillow and SciPy: only now

    try:
        prepared = _prepared(upload.file_id, upload.getvalue())
    except DigitImageError as exc:
        st.warning(f"{upload.name}: {exc}", icon=":material/image_not_supported:")
        return
    features = digit_features(prepared, image_shape=dataset.image_shape)
    score = digit_score(result, features)
    st.session_state[_SCORE_KEY] = (upload.name, score)
    before, after = st.columns(2)
    width, height = prepared.original_size
    steps = [f"{prepared.format}, {width}×{height} pixels"]
    if prepared.inverted:
        steps.append("inverted to light ink on dark")
    if prepared.thickened:
        steps.append("thin strokes widened")
    before.image(
        prepared.original,
        caption=f"{upload.name} ({'; '.join(steps)})",
        width=280,
        alt=f"your picture {upload.name}, as uploaded",
    )
    rows, cols = dataset.image_shape
    seen = display_image(features, shape=dataset.image_shape, scale=max(1, 280 // rows))
    after.image(
        seen,
        caption=f"What the detector sees: {rows}×{cols}, score {score:,.2f}",
        alt=f"your picture made MNIST-like, {rows}×{cols} grey levels, score {score:,.0f}",
    )


def own_digit_line(*, digit: int, threshold: float) -> None:
    """Inside the fragment: the uploaded digit's decision at ``threshold`` (score >= threshold)."""
    kept = st.session_state.get(_SCORE_KEY)
    if kept is None:
        return
    name, score = kept
    verdict = f"flagged as a {digit}" if score >= threshold else f"not flagged as a {digit}"
    st.markdown(f"**Your digit** ({name}): score {score:,.2f}, **{verdict}** at this threshold.")
