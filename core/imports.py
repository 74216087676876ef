"""scikit-learn, imported once, whole, by the first thread that needs it.

scikit-learn's modules import each other circularly. Two threads importing parts of it at once
can each find the other's module half-initialised (``ImportError: cannot import name 'clone'
from partially initialized module 'sklearn.base'``): a cold ``python -m core report`` crashed
that way when its worker threads imported what the main thread was still importing. So every
place in ``core`` that needs scikit-learn calls :func:`import_sklearn` first, in the calling
thread and before it starts any worker: one lock, one import of every module we use, after
which each ``from sklearn... import`` is a lookup in ``sys.modules``.

scikit-learn stays out of module-level imports: a warm start shows a cached detector's numbers
without it (its import is slow).
"""

from __future__ import annotations

import importlib
import threading

SKLEARN_MODULES = (
    "sklearn.base",
    "sklearn.datasets",
    "sklearn.ensemble",
    "sklearn.frozen",
    "sklearn.linear_model",
    "sklearn.metrics",
    "sklearn.model_selection",
    "sklearn.pipeline",
    "sklearn.preprocessing",
)

_lock = threading.Lock()
_imported = False


def import_sklearn() -> None:
    """Import every scikit-learn module ``core`` uses, once per process; thread-safe."""
    global _imported
    if _imported:
        return
    with _lock:
        if not _imported:
            for name in SKLEARN_MODULES:
                importlib.import_module(name)
            _imported = True
