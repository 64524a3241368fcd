"""The only package that imports Streamlit: page widgets, job panels, webcam plumbing and
:mod:`~playground.ui.runtime`, the process-level patches that app.py installs.

Pages use ``from playground import ui`` and call the building blocks below as ``ui.<name>``.
"""

from playground.ui.job_panel import RunGallery, job_panel, job_status_text, start_job
from playground.ui.runtime import keep_keras_session, shut_down_expired_sessions
from playground.ui.webcam import live_webcam, webcam_stream
from playground.ui.widgets import (
    PickedImage,
    clicked_point,
    device_badge,
    guard,
    image_picker,
    model_choice,
    page_header,
    shipped_model,
)

__all__ = [
    "PickedImage",
    "RunGallery",
    "clicked_point",
    "device_badge",
    "guard",
    "image_picker",
    "job_panel",
    "job_status_text",
    "keep_keras_session",
    "live_webcam",
    "model_choice",
    "page_header",
    "shipped_model",
    "shut_down_expired_sessions",
    "start_job",
    "webcam_stream",
]
