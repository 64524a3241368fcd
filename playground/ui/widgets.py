"""Page building blocks: header, error guard, image picker, device badge, model choice, chart clicks.

- :func:`page_header` — title, two-sentence intro, data/model source line.
- :func:`guard` — turns bad input into a clear message instead of a traceback.
- :func:`image_picker` — sample / upload / camera, through the safe decoder; a bad
  upload shows a message and keeps the previous image.
- :func:`device_badge` — what the app computes on.
- :func:`model_choice` — a radio of models whose download may fail, with a fallback.
- :func:`clicked_point` — the cell a user clicked on a chart.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import streamlit as st

from playground.core import device, images, shipped_models

log = logging.getLogger("playground")


def page_header(title: str, intro: str, source: str | None = None) -> None:
    """Title, a short introduction and, optionally, a one-line note on data/model source."""
    st.title(title)
    st.markdown(intro)
    if source:
        st.caption(f":material/database: {source}")


@contextlib.contextmanager
def guard(what: str = "That") -> Iterator[None]:
    """Show user errors (``ValueError`` and subclasses) as ``st.error``; log anything else
    and show a short message. Never lets a traceback reach the page."""
    try:
        yield
    except ValueError as exc:
        st.error(str(exc), icon=":material/error:")
    except Exception as exc:  # a bug; the server log keeps the traceback
        log.exception("unexpected error in page")
        st.error(
            f"{what} failed unexpectedly ({type(exc).__name__}: {exc}). "
            "Your earlier results are kept; try other settings.",
            icon=":material/error:",
        )


@dataclass
class PickedImage:
    """An image chosen by the user: RGB uint8 (H, W, 3) and a display name."""

    rgb: np.ndarray
    name: str
    note: str = ""


@st.cache_data(show_spinner=False, max_entries=32)
def _sample(name: str) -> np.ndarray:
    return images.sample_image(name)


def image_picker(
    key: str,
    label: str = "Image",
    default: str = "astronaut",
    samples: list[str] | None = None,
    camera: bool = True,
    max_side: int = 1024,
    horizontal: bool = True,
) -> PickedImage:
    """Let the user pick a sample, upload a file or take a camera snapshot.

    Uploads go through :func:`playground.core.images.decode_image`; a bad one shows an error
    and the previous image stays. Images are downscaled to ``max_side`` (with a note).
    """
    samples = samples or images.SAMPLE_NAMES
    sources = ["Sample", "Upload"] + (["Camera"] if camera else [])
    source = st.radio(f"{label} source", sources, horizontal=horizontal, key=f"{key}_source")
    last_key = f"{key}_last_upload"
    picked: PickedImage | None = None
    if source == "Sample":
        name = st.selectbox(
            label, samples, index=samples.index(default) if default in samples else 0, key=f"{key}_sample"
        )
        picked = PickedImage(_sample(name), name)
    else:
        if source == "Upload":
            file = st.file_uploader(label, type=images.UPLOAD_TYPES, key=f"{key}_upload")
        else:
            file = st.camera_input(label, key=f"{key}_camera")
        if file is not None:
            try:
                picked = PickedImage(images.decode_image(file.getvalue(), file.name), file.name)
                st.session_state[last_key] = picked
            except images.ImageError as exc:
                st.error(str(exc), icon=":material/broken_image:")
        if picked is None:
            picked = st.session_state.get(last_key) or PickedImage(_sample(default), default)
            if file is None:
                st.caption(f"Showing **{picked.name}** until you add an image.")
    height, width = picked.rgb.shape[:2]
    if max(height, width) > max_side:
        picked = PickedImage(
            images.resize_max(picked.rgb, max_side),
            picked.name,
            f"Downscaled from {width}x{height} to at most {max_side} px for speed.",
        )
        st.caption(picked.note)
    return picked


def shipped_model(name: str):
    """The shipped model ``name``, one instance per process (for inference), with a spinner while
    the first page that needs it loads it."""
    with st.spinner(f"Loading the shipped model ({shipped_models.SHIPPED[name].file})…"):
        return shipped_models.shared(name)


def device_badge(gpu_names: list[str] | None = None) -> None:
    """A small badge with the compute in use, without importing TensorFlow."""
    names = device.gpu_names_without_tensorflow() if gpu_names is None else gpu_names
    text = device.badge_text(names)
    icon = ":material/memory:" if names else ":material/developer_board:"
    st.badge(text, icon=icon, color="green" if names else "gray")


def model_choice(
    key: str,
    label: str,
    options: dict[str, str],
    load: Callable[[str], object],
    fallback: str,
    unavailable: type[Exception] = ValueError,
):
    """A radio of models whose download may fail; returns ``(loaded model, name actually used)``.

    ``options`` maps a name to its radio label; ``load(name)`` loads it (cached by the
    caller) and raises ``unavailable`` with a user message when it cannot. The failure is
    remembered for the session (no retry on every rerun): the page shows the message,
    uses ``fallback`` and offers a "Try the download again" button.
    """
    error_key = f"{key}_unavailable"
    errors: dict[str, str] = st.session_state.setdefault(error_key, {})
    choice = st.radio(label, list(options), format_func=options.get, key=key, horizontal=True)
    if choice != fallback and choice not in errors:
        try:
            return load(choice), choice
        except unavailable as exc:
            errors[choice] = str(exc)
    if choice != fallback:
        st.warning(f"{errors[choice]} Using **{fallback}** for now.", icon=":material/cloud_off:")
        if st.button("Try the download again", key=f"{key}_retry", icon=":material/refresh:"):
            errors.pop(choice, None)
            st.rerun()
    return load(fallback), fallback


def clicked_point(chart_key: str) -> tuple[int, int] | None:
    """(row, col) the user clicked on the ``st.plotly_chart(..., key=chart_key, on_select="rerun",
    selection_mode="points")`` in the last interaction, or None; each click is reported once, so
    number inputs set later keep working."""
    event = st.session_state.get(chart_key)
    points = event["selection"]["points"] if event else []
    if not points:
        return None
    click = (int(round(points[0]["y"])), int(round(points[0]["x"])))
    last_key = f"{chart_key}_last_click"
    if st.session_state.get(last_key) == click:
        return None
    st.session_state[last_key] = click
    return click
