"""One thin page per topic: widgets -> one engine call -> figure (run by st.navigation in app.py)."""
