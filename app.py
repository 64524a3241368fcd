"""Vision Playground router: page config and navigation only (no TensorFlow here)."""

import streamlit as st

from playground.core import catalog
from playground.ui import runtime

st.set_page_config(page_title="Vision Playground", page_icon=":material/visibility:", layout="wide")
runtime.install()  # SRTP before TensorFlow, Keras session kept, stale widgets forgotten, memory janitor

navigation = st.navigation(
    {
        section: [
            st.Page(page.path, title=page.title, icon=page.icon, default=page.path == "views/home.py") for page in pages
        ]
        for section, pages in catalog.by_section().items()
    }
)
navigation.run()
