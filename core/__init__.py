"""Threshold Explorer's computational core: data, training, thresholds and charts.

Pure Python: nothing in this package imports streamlit or draws on a screen.
"""
