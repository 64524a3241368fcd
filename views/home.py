"""Home: the front page of the course, one card per page (no TensorFlow import)."""

import numpy as np
import streamlit as st
from PIL import Image, ImageOps

from playground import ui
from playground.core import catalog, datasets

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
    st.caption(
        "Optional downloads: "
        + " · ".join(
            f"{name} {':green[cached]' if cached else ':gray[not cached — downloaded on first use]'}"
            for name, cached in status.items()
        )
    )

CARDS_PER_ROW = 4
THUMBNAIL_SIZE = (480, 270)  # every card's picture is padded to 16:9 so the cards line up


@st.cache_data(show_spinner=False)
def thumbnail(path: str) -> np.ndarray:
    """The page's thumbnail padded (not cropped) with white to 16:9."""
    with Image.open(path) as image:
        return np.asarray(ImageOps.pad(image.convert("RGB"), THUMBNAIL_SIZE, color="white"))


# One grid in course order (sections only label the cards), so no row is left half empty.
course = [
    page for section_pages in catalog.by_section().values() for page in section_pages if page.path != "views/home.py"
]
for row_start in range(0, len(course), CARDS_PER_ROW):
    columns = st.columns(CARDS_PER_ROW)
    for column, page in zip(columns, course[row_start : row_start + CARDS_PER_ROW]):
        with column.container(border=True):
            if page.thumbnail_path.exists():
                st.image(thumbnail(str(page.thumbnail_path)), width="stretch")
            st.caption(page.section.upper())
            st.page_link(page.path, label=f"**{page.title}**", icon=page.icon)
            st.caption(page.blurb)

st.divider()
st.caption(
    "Course material: SuperDataScience *Computer Vision Masterclass*, CNAM *Apprentissage profond*, "
    "Coursera *Convolutional Neural Networks* notes, ECE Paris *Deep learning for image and sound*. "
    "Everything runs offline with bundled data; bigger datasets and ImageNet weights download on first use."
)
