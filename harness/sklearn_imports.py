"""Which thread first imports each scikit-learn module, recorded inside a child process."""

from __future__ import annotations

# Run in a fresh interpreter (``python -c``) before the code under test: records which thread
# first imports each scikit-learn module, and prints it as JSON on stderr at exit.
RECORD_SKLEARN_IMPORTS = """
import atexit, json, sys, threading

first_imports = {}

class Recorder:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "sklearn" and name not in first_imports:
            first_imports[name] = threading.current_thread().name
        return None

sys.meta_path.insert(0, Recorder())
atexit.register(lambda: print("SKLEARN_IMPORTS " + json.dumps(first_imports), file=sys.stderr))
"""

# ``python -m core report --json`` (the notebook's figures for the 5-detector) with that record.
REPORT_RECORDING_IMPORTS = (
    RECORD_SKLEARN_IMPORTS
    + "import sys; from core.cli import main; sys.exit(main(['report', '--json']))"
)


def sklearn_import_threads(stderr: str) -> dict[str, str]:
    """The ``{module: thread name}`` that :data:`RECORD_SKLEARN_IMPORTS` printed."""
    import json

    for line in stderr.splitlines():
        if line.startswith("SKLEARN_IMPORTS "):
            return json.loads(line.removeprefix("SKLEARN_IMPORTS "))
    raise AssertionError(f"no import record in the process's stderr:\n{stderr[-2000:]}")
