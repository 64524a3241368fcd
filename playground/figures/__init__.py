"""Plotly figure builders per topic: arrays in, ``plotly.graph_objects.Figure`` out (never Streamlit)."""
