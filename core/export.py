"""Take the tuned detector away: one downloadable file, and a safe way to read it back.

:func:`export_model` writes a zip archive (a *model file*) holding:

``model_card.json``
    What the detector is and how good it is (:func:`model_card`): the digit, the threshold
    (the exact float), precision/recall/F1 cross-validated on the training digits and measured
    on the held-out test digits at that threshold, the data's fingerprint, the library
    versions, and the SHA-256 of every other member.
``coef.npy``, ``intercept.npy``, ``classes.npy``
    The linear model's plain parameters (NumPy's own format, no pickle): the score of a
    flattened image ``x`` (float64 grey levels 0-255) is ``x @ coef.T + intercept``.
``detector.pkl``
    The same detector as a scikit-learn ``FixedThresholdClassifier`` (the fitted
    ``SGDClassifier`` inside a ``FrozenEstimator``, ``response_method="decision_function"``)
    for use from Python: ``pickle.load`` it with the scikit-learn version the card names.
    Unpickling runs code, so only load a pickle you made or trust.
``README.txt``
    These lines, for whoever opens the archive.

:func:`load_model` reads a model file back *without unpickling anything*: it checks the format
name and version, every member's checksum, and the arrays' shapes and dtypes, then rebuilds the
decision from the plain parameters. Anything else raises :class:`ModelFileError`.

The decision is ``score >= threshold``: the convention of :mod:`core.counting` (the trade-off
page's counts) and of ``FixedThresholdClassifier.predict``. The notebook's cell [12]
(:func:`core.detector.notebook_decision`) uses ``score > threshold``; the two differ only for a
score exactly equal to the threshold.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import math
import os
import pickle
import platform
import zipfile
from dataclasses import dataclass

import numpy as np

from core.counting import build_score_index, metrics_at
from core.data import Dataset
from core.detector import DetectorResult
from core.engine import N_FOLDS, library_version
from core.formatting import percent, threshold_json, threshold_text
from core.imports import import_sklearn
from core.refit import (
    CROSS_VALIDATED,
    RefitComparison,
    check_rule,
    final_training_scores,
    metrics_json,
    refit_comparison,
    refit_scores,
)
from core.tradeoff import tradeoff_data, tradeoff_summary
from core.validation import check_threshold

FORMAT_NAME = "threshold-explorer-detector"
FORMAT_VERSION = 1
CARD_MEMBER = "model_card.json"
COEF_MEMBER = "coef.npy"
INTERCEPT_MEMBER = "intercept.npy"
CLASSES_MEMBER = "classes.npy"
PICKLE_MEMBER = "detector.pkl"
README_MEMBER = "README.txt"
MEMBERS = (CARD_MEMBER, COEF_MEMBER, INTERCEPT_MEMBER, CLASSES_MEMBER, PICKLE_MEMBER, README_MEMBER)
MAX_FILE_BYTES = 16 * 1024 * 1024  # far above any model file: anything this big is not one
MAX_MEMBER_BYTES = 8 * 1024 * 1024  # per member, uncompressed
DECISION_RULE = "score >= threshold"

_NOT_OURS = "not a Threshold Explorer model file"
_README = f"""\
A digit detector exported by Threshold Explorer ({FORMAT_NAME}, format {FORMAT_VERSION}).

model_card.json  the digit, the threshold, precision/recall, data fingerprint, versions,
                 and the SHA-256 of every other file here.
coef.npy, intercept.npy, classes.npy
                 the linear model: score = pixels @ coef.T + intercept, where pixels is
                 the flattened image (grey levels 0-255, ink bright on black, as MNIST).
                 The answer is "is the digit" when {DECISION_RULE}.
detector.pkl     the same detector as a scikit-learn FixedThresholdClassifier. Unpickling
                 runs code: load only a file you made or trust, with the scikit-learn
                 version named in the card.

Command line: python -m core predict --model THIS_FILE IMAGE...
"""


class ModelFileError(ValueError):
    """A file that is not a model file this tool exported, or a damaged one."""


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A detector read back from a model file by :func:`load_model` (no pickle involved).

    Attributes
    ----------
    digit : int
        The detected digit.
    threshold : float
        The decision threshold (may be ``inf``: flag nothing, or ``-inf``: flag everything).
    image_shape : tuple of int
        ``(height, width)`` of the images the detector scores: (28, 28) for MNIST.
    coef : ndarray of shape (1, n_features), dtype float64
        The linear model's weights, as ``SGDClassifier.coef_``. Read-only.
    intercept : ndarray of shape (1,), dtype float64
        As ``SGDClassifier.intercept_``. Read-only.
    card : dict
        The model card as stored in the file (see :func:`model_card`).
    """

    digit: int
    threshold: float
    image_shape: tuple[int, int]
    coef: np.ndarray
    intercept: np.ndarray
    card: dict

    @property
    def n_features(self) -> int:
        """Pixels per image: ``height * width``."""
        return int(self.coef.shape[1])

    def decision_function(self, X) -> np.ndarray:
        """Scores of flattened images, the same floats as the exported model's.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Grey levels 0-255 (uint8 or float), one flattened image a row.

        Returns
        -------
        ndarray of shape (n_samples,), dtype float64
        """
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X must have shape (n_samples, {self.n_features}), got {X.shape}")
        # The same operation as scikit-learn's LinearClassifierMixin, so the floats agree.
        scores = X.astype(np.float64) @ self.coef.T + self.intercept
        return scores.reshape(-1)

    def predict(self, X) -> np.ndarray:
        """True where the image is judged to be the digit: ``score >= threshold``.

        Returns
        -------
        ndarray of shape (n_samples,), dtype bool
        """
        return self.decision_function(X) >= self.threshold


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def _check_result(result, dataset: Dataset):
    if not isinstance(result, DetectorResult):
        raise ValueError(f"result must be a DetectorResult, got {type(result).__name__}")
    if not isinstance(dataset, Dataset):
        raise ValueError(f"dataset must be a Dataset, got {type(dataset).__name__}")
    if dataset.fingerprint != result.fingerprint:
        raise ValueError(
            "the detector was trained on other data than this dataset "
            f"(fingerprint {result.fingerprint[:12]}..., dataset {dataset.fingerprint[:12]}...)"
        )
    model = result.model
    coef = np.asarray(getattr(model, "coef_", np.empty((0, 0))))
    if coef.shape != (1, dataset.n_features) or list(model.classes_) != [False, True]:
        raise ValueError(
            f"the model must be a fitted binary linear classifier over {dataset.n_features} "
            f"pixels with classes [False, True]; got coef_ of shape {coef.shape}"
        )


def build_classifier(result: DetectorResult, *, threshold: float):
    """The detector as a scikit-learn ``FixedThresholdClassifier``, without refitting it.

    The fitted model is wrapped in ``sklearn.frozen.FrozenEstimator``, so ``fit`` leaves it
    untouched; the wrapper is marked fitted by a ``fit`` on two placeholder rows, which the
    frozen model ignores. ``predict`` answers ``decision_function(X) >= threshold``.

    Parameters
    ----------
    result : DetectorResult
    threshold : float
        Any real number, ``inf`` included; not NaN.

    Returns
    -------
    sklearn.model_selection.FixedThresholdClassifier
        ``classes_`` is ``[False, True]``; ``decision_function`` gives the model's scores.
    """
    import_sklearn()
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import FixedThresholdClassifier

    threshold = check_threshold(threshold)
    model = result.model
    classifier = FixedThresholdClassifier(
        FrozenEstimator(model), threshold=threshold, response_method="decision_function"
    )
    placeholder = np.zeros((2, model.n_features_in_), dtype=np.float64)
    return classifier.fit(placeholder, np.asarray(model.classes_))


def _metrics_json(y_true: np.ndarray, scores: np.ndarray, threshold: float) -> dict | None:
    if scores.size == 0:
        return None
    return metrics_json(
        metrics_at(build_score_index(y_true=y_true, scores=scores), threshold=threshold)
    )


def _choice_note(comparison: RefitComparison, *, rule: str, n_train: int) -> str:
    """The card's plain words: where the threshold was chosen and which one the model carries."""
    chosen = comparison.chosen_threshold
    carried = comparison.carried(rule)
    text = (
        f"The threshold was chosen on cross-validated scores (each training digit scored by a "
        f"fold model that never saw it): {threshold_text(chosen)}, flagging "
        f"{percent(comparison.share_flagged_cv)} of the training digits. The detector is the "
        f"final model, fitted on all {n_train:,} training digits, whose scores sit on another "
        f"scale (median score {comparison.median_final_train:,.0f} on the training digits, "
        f"{comparison.median_cv:,.0f} cross-validated). "
    )
    if rule == CROSS_VALIDATED:
        text += (
            f"It carries the chosen threshold as it is, which flags "
            f"{percent(carried.share_flagged_train)} of the training digits on the final model."
        )
    else:
        text += (
            f"It carries {threshold_text(carried.threshold)} instead: the threshold flagging the "
            f"same share of the training digits on the final model's scale."
        )
    if carried.test is not None:
        text += (
            f" Expect precision {percent(carried.test.precision)} and recall "
            f"{percent(carried.test.recall)}: the final model on the held-out test digits at "
            "this threshold."
        )
    return text


def _param_json(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


def refit_comparison_of(
    result: DetectorResult, dataset: Dataset, *, threshold: float, final_train_scores=None
) -> RefitComparison:
    """:func:`core.refit.refit_comparison` of ``result`` at ``threshold``.

    ``final_train_scores`` are :func:`core.refit.final_training_scores` when the caller keeps
    them (a page does); otherwise they are computed here.
    """
    if final_train_scores is None:
        final_train_scores = final_training_scores(result, dataset)
    scores = refit_scores(tradeoff_data(result), final_train_scores=final_train_scores)
    return refit_comparison(scores, threshold=threshold)


def model_card(
    result: DetectorResult,
    *,
    threshold: float,
    dataset: Dataset,
    created=None,
    prevalence: float | None = None,
    false_positive_cost: float | None = None,
    false_negative_cost: float | None = None,
    rule: str = CROSS_VALIDATED,
    final_train_scores=None,
) -> dict:
    """The model card: what the exported detector is, how good it is, and what made it.

    Parameters
    ----------
    result : DetectorResult
        The trained detector.
    threshold : float
        The threshold chosen on the cross-validated scores (finite or infinite; not NaN).
    dataset : Dataset
        The data it was trained on (its fingerprint must be ``result.fingerprint``).
    created : datetime, optional
        When; default now (UTC).
    prevalence, false_positive_cost, false_negative_cost : float, optional
        The prevalence assumed and the costs of the errors, as in
        :func:`core.tradeoff.tradeoff_summary`.
    rule : {"cross_validated", "same_share"}, default "cross_validated"
        Which threshold the final model carries: ``threshold`` as it is, or the threshold
        flagging the same share of training digits on the final model's scale
        (:func:`core.refit.same_share_threshold`).
    final_train_scores : array-like of shape (n_train,), optional
        :func:`core.refit.final_training_scores` of ``result``; computed when not given.

    Returns
    -------
    dict
        JSON-ready (no NaN: an undefined ratio is None). Keys: ``format``, ``format_version``,
        ``created`` (ISO 8601), ``digit``, ``threshold`` (the threshold the detector carries,
        the exact float; ``"inf"`` or ``"-inf"`` when infinite), ``decision_rule``, ``input``
        (``image_shape``, ``pixels``), ``model`` (estimator, parameters, wrapper),
        ``cross_validated`` (``folds``, ``threshold``, precision, recall, f1 and counts at
        the threshold chosen on the cross-validated scores), ``test`` (the same for the
        carried threshold on the held-out test digits, or None without a test set),
        ``threshold_choice`` (``rule``, ``note``: where the threshold was chosen and what to
        expect, in words; ``expected_precision`` and ``expected_recall`` on the test digits;
        and :meth:`core.refit.RefitComparison.as_json`: both thresholds, the shares they flag,
        the median scores and the test figures of each), ``data`` (name, source, fingerprint,
        sizes), ``versions`` (python, numpy, scikit-learn) and ``estimates``:
        :func:`core.tradeoff.tradeoff_summary` at the chosen threshold (95% Wilson intervals,
        each fold alone, the test set, the prevalence assumed, the expected cost).
        :func:`export_model` adds ``files``, the SHA-256 of each other member.

    Raises
    ------
    ValueError
        When ``threshold`` is NaN, ``rule`` is not one of the two, or ``result`` was trained on
        other data than ``dataset``.
    """
    _check_result(result, dataset)
    threshold = check_threshold(threshold)
    rule = check_rule(rule)
    created = created or _dt.datetime.now(_dt.UTC)
    model = result.model
    comparison = refit_comparison_of(
        result, dataset, threshold=threshold, final_train_scores=final_train_scores
    )
    carried = comparison.carried(rule)
    cross_validated = _metrics_json(result.y_train, result.cv_scores, threshold)
    cross_validated = {"folds": N_FOLDS, "threshold": threshold_json(threshold), **cross_validated}
    test = _metrics_json(result.y_test, result.test_scores, carried.threshold)
    estimator = f"{type(model).__module__}.{type(model).__qualname__}"
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "created": created.isoformat(timespec="seconds"),
        "digit": result.digit,
        "threshold": threshold_json(carried.threshold),
        "decision_rule": DECISION_RULE,
        "input": {
            "image_shape": list(dataset.image_shape),
            "pixels": "grey levels 0-255, ink bright on black, flattened row by row (as MNIST)",
        },
        "model": {
            "estimator": estimator,
            "params": {k: _param_json(v) for k, v in sorted(model.get_params().items())},
            "wrapper": (
                "sklearn.model_selection.FixedThresholdClassifier(estimator=FrozenEstimator("
                "model), threshold=threshold, response_method='decision_function')"
            ),
        },
        "cross_validated": cross_validated,
        "test": test,
        "threshold_choice": {
            "rule": rule,
            "chosen_on": "cross-validated scores",
            "note": _choice_note(comparison, rule=rule, n_train=dataset.n_train),
            "expected_precision": None if test is None else test["precision"],
            "expected_recall": None if test is None else test["recall"],
            **comparison.as_json(),
        },
        "data": {
            "name": dataset.name,
            "source": dataset.source,
            "fingerprint": dataset.fingerprint,
            "n_train": dataset.n_train,
            "n_test": dataset.n_test,
        },
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scikit-learn": library_version("scikit-learn"),
        },
        "estimates": tradeoff_summary(
            tradeoff_data(result),
            threshold=threshold,
            prevalence=prevalence,
            false_positive_cost=false_positive_cost,
            false_negative_cost=false_negative_cost,
        ),
    }


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def export_model(
    result: DetectorResult, *, threshold: float, dataset: Dataset, created=None, **assumptions
) -> bytes:
    """The detector at ``threshold`` as one model file (a zip archive), ready to download.

    Parameters
    ----------
    result : DetectorResult
    threshold : float
        Finite or infinite; not NaN.
    dataset : Dataset
        The data ``result`` was trained on (see :func:`model_card`).
    created : datetime, optional
        Written into the card; default now (UTC). The same arguments and ``created`` give the
        same bytes.
    **assumptions
        ``prevalence``, ``false_positive_cost``, ``false_negative_cost``, ``rule`` (which
        threshold the detector carries) and ``final_train_scores``: see :func:`model_card`.

    Returns
    -------
    bytes
        The zip archive described in this module's docstring.
    """
    card = model_card(result, threshold=threshold, dataset=dataset, created=created, **assumptions)
    carried = _card_threshold(card)  # the threshold the card says the detector carries
    model = result.model
    members = {
        COEF_MEMBER: _npy(np.asarray(model.coef_, dtype=np.float64)),
        INTERCEPT_MEMBER: _npy(np.asarray(model.intercept_, dtype=np.float64)),
        CLASSES_MEMBER: _npy(np.asarray(model.classes_, dtype=bool)),
        PICKLE_MEMBER: pickle.dumps(
            build_classifier(result, threshold=carried), protocol=pickle.HIGHEST_PROTOCOL
        ),
        README_MEMBER: _README.encode(),
    }
    card["files"] = {name: _sha256(data) for name, data in members.items()}
    card_bytes = (json.dumps(card, indent=2, allow_nan=False) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in {CARD_MEMBER: card_bytes, **members}.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def export_file_name(*, digit: int, threshold: float) -> str:
    """A file name for the download, e.g. ``detector-digit5-threshold3370.02.zip``."""
    threshold = check_threshold(threshold)
    text = threshold_json(threshold) if math.isinf(threshold) else f"{threshold:.2f}"
    return f"detector-digit{int(digit)}-threshold{text}.zip"


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def _not_ours(reason: str) -> ModelFileError:
    return ModelFileError(f"{_NOT_OURS}: {reason}")


def _read_source(source) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise _not_ours(f"it is {size / 1024 / 1024:.1f} MB, far more than a model file")
            data = file.read(MAX_FILE_BYTES + 1)
    else:
        raise ValueError(f"source must be bytes or a path, got {type(source).__name__}")
    if len(data) > MAX_FILE_BYTES:
        raise _not_ours(f"it is {len(data) / 1024 / 1024:.1f} MB, far more than a model file")
    return data


_COMPRESSIONS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}  # what we write


def _read_members(data: bytes) -> dict[str, bytes]:
    """Every member's bytes, after checking names, sizes and compression; nothing is extracted
    to disk. Any fault of the archive or of a member's data is a :class:`ModelFileError`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - whatever zipfile trips on (struct, unicode...), not a zip
        raise _not_ours("not a zip archive") from None
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if CARD_MEMBER not in names:
            raise _not_ours(f"it has no {CARD_MEMBER}")
        if len(set(names)) != len(names):
            raise _not_ours("it holds the same name twice")
        unexpected = sorted(set(names) - set(MEMBERS))
        if unexpected:
            raise _not_ours(f"unexpected member {unexpected[0]!r}")
        members = {}
        for info in infos:
            if info.flag_bits & 0x1:
                raise _not_ours(f"{info.filename} is encrypted")
            if info.compress_type not in _COMPRESSIONS:
                raise ModelFileError(
                    f"damaged: {info.filename} uses compression method {info.compress_type}; "
                    f"this tool writes and reads only {' or '.join(_COMPRESSIONS.values())}"
                )
            if info.file_size > MAX_MEMBER_BYTES:
                raise _not_ours(f"{info.filename} is {info.file_size:,} bytes, far too large")
            try:
                with archive.open(info) as member:
                    content = member.read(MAX_MEMBER_BYTES + 1)
            except Exception as exc:  # noqa: BLE001 - zlib.error, BadZipFile, EOFError...: damage
                reason = str(exc) or type(exc).__name__
                raise ModelFileError(
                    f"damaged: {info.filename} cannot be read ({reason})"
                ) from None
            if len(content) > MAX_MEMBER_BYTES:
                raise _not_ours(f"{info.filename} is far too large")
            members[info.filename] = content
    return members


def _read_card(members: dict[str, bytes]) -> dict:
    try:
        card = json.loads(members[CARD_MEMBER].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _not_ours(f"{CARD_MEMBER} is not JSON") from None
    if not isinstance(card, dict) or card.get("format") != FORMAT_NAME:
        raise _not_ours(f"{CARD_MEMBER} does not name the format {FORMAT_NAME!r}")
    version = card.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _not_ours(f"format_version is {version!r}, not a whole number")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            f"the model file has format version {version}; this Threshold Explorer reads "
            f"version {FORMAT_VERSION}"
        )
    return card


def _check_checksums(card: dict, members: dict[str, bytes]) -> None:
    files = card.get("files")
    expected = set(MEMBERS) - {CARD_MEMBER}
    if not isinstance(files, dict) or set(files) != expected:
        raise ModelFileError(f"damaged: the card's list of files is not {sorted(expected)}")
    for name in sorted(expected):
        if name not in members:
            raise ModelFileError(f"damaged: {name} is missing")
        if _sha256(members[name]) != files[name]:
            raise ModelFileError(f"damaged: checksum of {name} does not match")


_NPY_HEADER_BYTES = 1024  # ours are 128; NumPy's own readers stop at 10,000


def _npy_header(name: str, data: bytes):
    """``(shape, fortran_order, dtype, offset)`` from a ``.npy`` member's header alone."""
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            header = np.lib.format.read_array_header_1_0(stream, max_header_size=_NPY_HEADER_BYTES)
        elif version == (2, 0):
            header = np.lib.format.read_array_header_2_0(stream, max_header_size=_NPY_HEADER_BYTES)
        else:
            raise ValueError(f"format version {version[0]}.{version[1]}")
    except Exception as exc:  # noqa: BLE001 - whatever the header parser trips on is damage
        reason = (str(exc) or type(exc).__name__).splitlines()[0]
        raise ModelFileError(f"damaged: {name} is not a plain NumPy array ({reason})") from None
    return (*header, stream.tell())


def _array(members: dict[str, bytes], name: str, *, dtype, shape) -> np.ndarray:
    """The array in a ``.npy`` member, its header checked (dtype, shape, size) before anything
    is allocated: the header could claim a terabyte."""
    data = members[name]
    found_shape, fortran_order, found_dtype, offset = _npy_header(name, data)
    if found_dtype != np.dtype(dtype) or tuple(found_shape) != shape:
        raise ModelFileError(
            f"damaged: {name} should be {np.dtype(dtype)} {shape}, is {found_dtype} of "
            f"shape {tuple(found_shape)}"
        )
    expected_bytes = math.prod(shape) * np.dtype(dtype).itemsize
    if len(data) - offset != expected_bytes:
        raise ModelFileError(
            f"damaged: {name} holds {len(data) - offset} bytes of data, not {expected_bytes}"
        )
    flat = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=offset)
    array = flat.reshape(shape[::-1]).T if fortran_order else flat.reshape(shape)
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array


def _card_digit(card: dict) -> int:
    digit = card.get("digit")
    if isinstance(digit, bool) or not isinstance(digit, int) or not 0 <= digit <= 9:
        raise ModelFileError(f"damaged: digit is {digit!r}, not 0-9")
    return digit


def _card_threshold(card: dict) -> float:
    threshold = card.get("threshold")
    if threshold in ("inf", "-inf"):
        return float(threshold)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise ModelFileError(f"damaged: threshold is {threshold!r}, not a number")
    try:
        value = float(threshold)
    except OverflowError:  # a whole number too large for a float
        value = math.inf
    if not math.isfinite(value):
        raise ModelFileError(f"damaged: threshold is {threshold!r}, not a finite number")
    return value


def _card_shape(card: dict) -> tuple[int, int]:
    described = card.get("input")
    shape = described.get("image_shape") if isinstance(described, dict) else None
    if (
        not isinstance(shape, list)
        or len(shape) != 2
        or not all(isinstance(s, int) and not isinstance(s, bool) and 0 < s <= 4096 for s in shape)
    ):
        raise ModelFileError(f"damaged: input.image_shape is {shape!r}")
    return int(shape[0]), int(shape[1])


def load_model(source) -> LoadedModel:
    """Read a model file written by :func:`export_model`, never unpickling anything.

    Parameters
    ----------
    source : bytes or path-like
        The file's bytes, or its path (files over :data:`MAX_FILE_BYTES` are refused unread).

    Returns
    -------
    LoadedModel

    Raises
    ------
    ModelFileError
        A ``ValueError`` with a message for a person: "not a Threshold Explorer model file:
        ..." (not a zip, no card, another format, unexpected members), "the model file has
        format version N ...", or "damaged: ..." (a member that cannot be decompressed or
        uses a method this tool does not write, a checksum mismatch, an array header whose
        dtype or shape is not the card's, a bad card field).
    OSError
        When ``source`` is a path that cannot be read.
    """
    members = _read_members(_read_source(source))
    card = _read_card(members)
    _check_checksums(card, members)
    digit = _card_digit(card)
    threshold = _card_threshold(card)
    image_shape = _card_shape(card)
    n_features = image_shape[0] * image_shape[1]
    coef = _array(members, COEF_MEMBER, dtype=np.float64, shape=(1, n_features))
    intercept = _array(members, INTERCEPT_MEMBER, dtype=np.float64, shape=(1,))
    classes = _array(members, CLASSES_MEMBER, dtype=np.bool_, shape=(2,))
    if classes.tolist() != [False, True]:
        raise ModelFileError(f"damaged: classes are {classes.tolist()}, not [False, True]")
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
        raise ModelFileError("damaged: the model's parameters are not all finite numbers")
    return LoadedModel(
        digit=digit,
        threshold=threshold,
        image_shape=image_shape,
        coef=coef,
        intercept=intercept,
        card=card,
    )
