"""The app's effective Streamlit configuration keeps the safe defaults README explains."""

from __future__ import annotations

import pytest
from streamlit import config

from harness import ROOT
from ui.own_digit import MAX_UPLOAD_MB


@pytest.fixture
def effective(monkeypatch):
    """Streamlit's options as `streamlit run app.py` in the project sees them."""
    monkeypatch.chdir(ROOT)
    config.get_config_options(force_reparse=True)
    yield config.get_option
    config.get_config_options(force_reparse=True)


def test_server_listens_on_loopback_only(effective):
    assert effective("server.address") == "127.0.0.1"


def test_cross_site_protections_stay_on(effective):
    assert effective("server.enableXsrfProtection") is True
    assert effective("server.enableCORS") is True


def test_no_usage_statistics_and_no_error_details_on_the_page(effective):
    assert effective("browser.gatherUsageStats") is False
    assert effective("client.showErrorDetails") == "none"


def test_uploads_are_limited_to_what_an_image_needs(effective):
    assert effective("server.maxUploadSize") <= MAX_UPLOAD_MB <= 10  # megabytes


def test_no_page_renders_raw_html():
    sources = [*ROOT.glob("app.py"), *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]
    assert sources
    offenders = [p.name for p in sources if "unsafe_allow_html" in p.read_text()]
    assert offenders == []


def test_source_files_are_not_watched(effective):
    # Watching makes every session walk all imported modules whenever one more is imported.
    assert effective("server.fileWatcherType") == "none"
    assert effective("server.runOnSave") is False
