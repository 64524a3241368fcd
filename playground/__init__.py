"""Vision Playground engine: ``core`` (shared services), ``lessons`` (one module per topic),
``figures`` (Plotly builders) and ``ui`` (the only package that imports Streamlit)."""
