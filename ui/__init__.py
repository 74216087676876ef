"""The imperative shell shared by the pages: Streamlit state, caching and common widgets.

Pages stay thin: they read widgets, call ``core``, and render with these helpers.
"""
