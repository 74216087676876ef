"""Helpers for streamlit.testing AppTest runs of the real app."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def open_page(
    script: str | None = None, *, timeout: float = 120, query: dict[str, str] | None = None
) -> AppTest:
    """Run app.py (the entry point) and, when ``script`` is given, switch to that page.

    ``query`` holds the URL's query parameters, as a link would carry them.
    """
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for name, value in (query or {}).items():
        app.query_params[name] = value
    if script is not None:
        app.switch_page(script)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def texts(app: AppTest) -> str:
    """All markdown, captions, notes and alerts of the page, as one string to search."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "text",
    ):
        parts += [str(element.value) for element in getattr(app, kind)]
    return "\n".join(parts)


def metric_values(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}
