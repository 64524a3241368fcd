"""Vision Playground router: page config and navigation only (no TensorFlow here)."""
import streamlit as st

from playground import catalog

st.set_page_config(page_title="Vision Playground", page_icon=":material/visibility:", layout="wide")

navigation = st.navigation({
    section: [st.Page(page.path, title=page.title, icon=page.icon, default=page.path == "pages/home.py")
              for page in pages]
    for section, pages in catalog.by_section().items()
})
navigation.run()
