"""One module per course topic: the computation a page shows (NumPy, OpenCV, TensorFlow; never Streamlit)."""
