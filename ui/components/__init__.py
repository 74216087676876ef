"""The app's browser components, packaged so that Streamlit serves their files.

Installed (``pip install -e .``), this folder is the import package ``threshold_explorer``:
Streamlit finds a component's files by locating the package named after the distribution
and reading the ``pyproject.toml`` beside it, which declares each component's ``asset_dir``.
Nothing imports it; ``ui/explorer.py`` declares and mounts the explorer.
"""
