"""Vision Playground router: page config and navigation only (no TensorFlow here)."""
import streamlit as st

from playground import catalog, ui, webcam

st.set_page_config(page_title="Vision Playground", page_icon=":material/visibility:", layout="wide")
webcam.load_srtp_library()  # before any page imports TensorFlow, or WebRTC's SRTP may bind to its OpenSSL
ui.keep_keras_session()  # background training must keep its compiled kernels between page reruns
ui.forget_stale_widgets()  # otherwise every earlier run's models stay in memory
ui.start_memory_janitor()  # closed tabs' sessions and finished jobs give their memory back

navigation = st.navigation({
    section: [st.Page(page.path, title=page.title, icon=page.icon, default=page.path == "views/home.py")
              for page in pages]
    for section, pages in catalog.by_section().items()
})
navigation.run()
