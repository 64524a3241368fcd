"""Home: the front page of the course, one card per page (no TensorFlow import)."""
import streamlit as st

from playground import catalog, datasets, ui

st.title("Vision Playground")
st.markdown(
    "An interactive companion to a course on **deep learning for computer vision**. "
    "Every page teaches one idea with the course's own worked example, then lets you play with "
    "real data and real models: train networks and watch them learn, slide kernels over photos, "
    "fine-tune on your own pictures, and point your webcam at yourself."
)

badge_col, status_col = st.columns([1, 3])
with badge_col:
    ui.device_badge()
with status_col:
    status = datasets.download_status()
    st.caption("Optional downloads: " + " · ".join(
        f"{name} {':green[cached]' if cached else ':gray[not cached — downloaded on first use]'}"
        for name, cached in status.items()
    ))

CARDS_PER_ROW = 3
for section, pages in catalog.by_section().items():
    pages = [page for page in pages if page.path != "views/home.py"]
    if not pages:
        continue
    st.subheader(section)
    for row_start in range(0, len(pages), CARDS_PER_ROW):
        columns = st.columns(CARDS_PER_ROW)
        for column, page in zip(columns, pages[row_start:row_start + CARDS_PER_ROW]):
            with column.container(border=True):
                if page.thumbnail_path.exists():
                    st.image(str(page.thumbnail_path), width="stretch")
                st.page_link(page.path, label=f"**{page.title}**", icon=page.icon)
                st.caption(page.blurb)

st.divider()
st.caption(
    "Course material: SuperDataScience *Computer Vision Masterclass*, CNAM *Apprentissage profond*, "
    "Coursera *Convolutional Neural Networks* notes, ECE Paris *Deep learning for image and sound*. "
    "Everything runs offline with bundled data; bigger datasets and ImageNet weights download on first use."
)
