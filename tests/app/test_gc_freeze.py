"""Long-lived objects are frozen out of the collector's way after fragment runs too."""

from __future__ import annotations

import json

from harness.commands import run_python

FRAGMENT_AFTER_IMPORT = """
import gc, json
from ui.entry import freeze_long_lived_objects, guarded

freeze_long_lived_objects()  # what the end of a full run of app.py does
before = gc.get_freeze_count()
import sklearn.linear_model  # what a training thread imports while a page only polls it
after_import = gc.get_freeze_count()
guarded(lambda: None)()  # one of that page's fragment runs
print(json.dumps([before, after_import, gc.get_freeze_count()]))
"""


def test_a_fragment_run_freezes_what_a_training_thread_imported():
    done = run_python(["-c", FRAGMENT_AFTER_IMPORT], timeout=120)
    assert done.returncode == 0, done.stderr
    before, after_import, after_fragment = json.loads(done.stdout.strip().splitlines()[-1])
    # scikit-learn and SciPy bring tens of thousands of objects, frozen by the fragment's run
    # and not by their import.
    assert after_import <= before
    assert after_fragment - after_import > 20_000, (before, after_import, after_fragment)
