"""Vision Playground engine: computation that pages draw; no Streamlit here (except ui.py)."""
