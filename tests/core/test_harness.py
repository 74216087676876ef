"""The harness that tests and benchmarks share starts its servers as ``make run`` does."""

from __future__ import annotations

from harness import ROOT
from harness.server import MAKE_RUN_ENV


def test_the_harness_starts_servers_as_make_run_does():
    [recipe] = [
        line.strip()
        for line in (ROOT / "Makefile").read_text().splitlines()
        if "-m streamlit run app.py" in line
    ]
    prefix = " ".join(f"{name}={value}" for name, value in MAKE_RUN_ENV.items())
    assert MAKE_RUN_ENV and recipe.startswith(prefix + " "), recipe


def _imported(path) -> set[str]:
    """The top-level names of the modules a Python file imports."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_tests_and_benchmarks_share_the_harness_and_import_nothing_of_each_other():
    bench_modules = {path.stem for path in (ROOT / "bench").glob("*.py")}
    for folder, forbidden in (
        ("bench", {"tests", "pytest"}),
        ("scripts", {"tests", "pytest", "bench"}),
        ("harness", {"tests", "bench", "pytest", *bench_modules}),
        ("tests", {"bench", *bench_modules}),
    ):
        files = sorted((ROOT / folder).rglob("*.py"))
        assert files, folder
        for path in files:
            wrong = _imported(path) & forbidden
            assert not wrong, f"{path.relative_to(ROOT)} imports {', '.join(sorted(wrong))}"
