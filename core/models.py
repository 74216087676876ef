"""The models a detector can be: how each is built, fed and scored (:class:`ModelSpec`).

``"sgd"`` is the notebook's ``SGDClassifier(random_state=42)`` on the raw pixels, the detector
of every page; the others are the alternatives that ``/compare`` cross-validates the same way:

- ``"sgd_scaled"``: the same SGD after ``StandardScaler`` (fitted inside each fold, block by
  block: see :func:`core.engine.fit_lean`).
- ``"logistic"``: ``LogisticRegression(max_iter=1000, random_state=42)`` (lbfgs) on the pixels
  divided by 255. Scored by ``decision_function``, the log-odds: its probabilities saturate at
  exactly 1.0 for many digits, which would merge thresholds the log-odds keep apart.
- ``"forest"``: ``RandomForestClassifier(random_state=42)``, scored by
  ``predict_proba[:, 1]``, the share of its 100 trees voting yes (so at most 101 thresholds).

A spec describes its estimator in words (:attr:`ModelSpec.identity`) for cache keys, so that
reading a cache needs no scikit-learn; every parameter it does not name is a scikit-learn
default, fixed by the library version that the key also holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.imports import import_sklearn

SGD = "sgd"
SGD_SCALED = "sgd_scaled"
LOGISTIC = "logistic"
FOREST = "forest"
MODEL_KEYS = (SGD, SGD_SCALED, LOGISTIC, FOREST)
LOGISTIC_MAX_ITER = 1000  # lbfgs needs 68-124 iterations on MNIST's folds; 100 is too few
MNIST_PIXELS = 60_000 * 784  # the training pixels of full MNIST, the unit of typical_seconds


def notebook_classifier():
    """A fresh, unfitted ``SGDClassifier(random_state=42)``, the notebook's ``sgd_clf``."""
    import_sklearn()
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(random_state=42)


def _sgd_scaled():
    import_sklearn()
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    # copy=False: the scaler standardises the fold's own temporary array in place.
    return make_pipeline(StandardScaler(copy=False), SGDClassifier(random_state=42))


def _logistic():
    import_sklearn()
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=LOGISTIC_MAX_ITER, random_state=42)


def _forest():
    import_sklearn()
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(random_state=42)


@dataclass(frozen=True)
class ModelSpec:
    """One model: how it is built, fed, fitted and scored.

    Attributes
    ----------
    key : str
        One of :data:`MODEL_KEYS`.
    label : str
        Its name for people.
    score_label : str
        The scale of its scores, hence of its thresholds ("decision score", "log-odds",
        "probability").
    method : {"decision_function", "predict_proba"}
        How held-out digits are scored (``predict_proba`` gives the positive class's column).
    description : str
        One sentence saying what the model is.
    time_covers : str
        What its training time measures.
    identity : str
        The estimator in words, for cache keys.
    build : callable
        Returns a fresh, unfitted estimator.
    pixel_divisor : float
        The pixels (0-255) are divided by it after conversion.
    dtype : str
        The float type the pixels are converted to, fold by fold.
    own_threads : bool
        Whether the estimator's fit runs threads of its own (``n_jobs``, set to the engine's
        number of parallel fits; it does not change the fitted model).
    folds_in_parallel : bool
        Whether its folds are fitted side by side. Only for SGD on raw pixels: the forest
        (``n_jobs``) and lbfgs (BLAS threads) already use every core, and two folds of SGD on
        standardised pixels in two threads take as long as one after the other.
    typical_seconds : float
        A cold training on full MNIST with two cores, roughly (``bench/bench_compare.py``
        measures it): only for a progress bar to move before this server has timed one.
    """

    key: str
    label: str
    score_label: str
    method: str
    description: str
    time_covers: str
    identity: str
    build: Callable[[], object]
    pixel_divisor: float = 1.0
    dtype: str = "float64"
    own_threads: bool = False
    folds_in_parallel: bool = False
    typical_seconds: float = 30.0

    def expected_seconds(self, *, n_train: int, n_features: int) -> float:
        """:attr:`typical_seconds` scaled to ``n_train`` digits of ``n_features`` pixels."""
        return self.typical_seconds * n_train * n_features / MNIST_PIXELS


MODELS: dict[str, ModelSpec] = {
    SGD: ModelSpec(
        key=SGD,
        label="SGD, raw pixels",
        score_label="decision score",
        method="decision_function",
        description="The notebook's SGDClassifier(random_state=42) on the 0-255 pixels: the "
        "detector of the other pages.",
        time_covers="3 folds and the final model the other pages use",
        identity="sklearn.linear_model.SGDClassifier(random_state=42)",
        build=notebook_classifier,
        folds_in_parallel=True,
        typical_seconds=25.0,
    ),
    SGD_SCALED: ModelSpec(
        key=SGD_SCALED,
        label="SGD, standardised pixels",
        score_label="decision score",
        method="decision_function",
        description="The same SGDClassifier after StandardScaler (fitted on each fold's "
        "training part): every pixel centred to mean 0, scaled to variance 1.",
        time_covers="3 folds",
        identity="Pipeline(StandardScaler(copy=False) fitted block by block, "
        "SGDClassifier(random_state=42))",
        build=_sgd_scaled,
        typical_seconds=150.0,
    ),
    LOGISTIC: ModelSpec(
        key=LOGISTIC,
        label="Logistic regression",
        score_label="log-odds",
        method="decision_function",
        description=f"LogisticRegression(max_iter={LOGISTIC_MAX_ITER}, random_state=42), "
        "lbfgs, on the pixels divided by 255; its score is the log-odds of the digit.",
        time_covers="3 folds",
        identity=f"LogisticRegression(max_iter={LOGISTIC_MAX_ITER}, random_state=42)",
        build=_logistic,
        pixel_divisor=255.0,
        typical_seconds=20.0,
    ),
    FOREST: ModelSpec(
        key=FOREST,
        label="Random forest",
        score_label="probability",
        method="predict_proba",
        description="RandomForestClassifier(random_state=42): 100 trees; its score is the "
        "share of trees voting for the digit, 0 to 1.",
        time_covers="3 folds",
        identity="RandomForestClassifier(random_state=42)",
        build=_forest,
        dtype="float32",
        own_threads=True,
        typical_seconds=30.0,
    ),
}


def model_spec(model) -> ModelSpec:
    """The :class:`ModelSpec` of ``model``, one of :data:`MODEL_KEYS`.

    Raises
    ------
    ValueError
        When ``model`` is not one of :data:`MODEL_KEYS`.
    """
    spec = MODELS.get(model) if isinstance(model, str) else None
    if spec is None:
        raise ValueError(f"model must be one of {', '.join(MODEL_KEYS)}; got {model!r}")
    return spec
