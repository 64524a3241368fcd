"""The webcam on a page: a streamlit-webrtc stream through a frame processor, beside a live readout.

The frame processing itself (:mod:`playground.core.webcam`) runs without Streamlit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import streamlit as st

from playground.core import webcam
from playground.ui import runtime

log = logging.getLogger("playground")


def _import_webrtc():
    """streamlit-webrtc's ``(WebRtcMode, webrtc_streamer)``, its SRTP library loaded so that it
    survives TensorFlow in the same process (:func:`playground.ui.runtime.load_srtp_library`)."""
    runtime.load_srtp_library()
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    return WebRtcMode, webrtc_streamer


def webcam_stream(key: str, processor, width: int = 640, height: int = 480, fps: int = 30):
    """A live webcam via streamlit-webrtc whose frames go through ``processor``.

    ``processor`` is a :class:`playground.core.webcam.FrameProcessor`; its callback runs in
    the stream's worker thread on the newest frame only. STUN/TURN servers come from the
    ``VP_ICE_SERVERS`` environment variable (none by default: direct connections work on
    the same machine or LAN). Returns the streamer context (``ctx.state.playing`` is True
    while video flows), or None when the stream cannot run here; the page is told why
    whenever that can be known (no HTTPS, missing package, bad ICE setting, no connection).
    """
    reason = webcam.camera_blocked_reason(st.context.url)
    if reason:
        st.warning(reason, icon=":material/videocam_off:")
        return None
    try:
        servers = webcam.ice_servers()
    except ValueError as exc:
        st.warning(
            f"{exc}. Using no STUN/TURN server, so only direct connections can work.",
            icon=":material/settings_ethernet:",
        )
        servers = []
    try:
        WebRtcMode, webrtc_streamer = _import_webrtc()
        ctx = webrtc_streamer(
            key=key,
            mode=WebRtcMode.SENDRECV,
            rtc_configuration={"iceServers": servers},
            media_stream_constraints={
                "audio": False,
                "video": {"width": {"ideal": width}, "height": {"ideal": height}, "frameRate": {"ideal": fps}},
            },
            queued_video_frames_callback=processor.recv_queued,
            on_video_ended=processor.on_ended,
            async_processing=True,
            video_html_attrs={
                "autoPlay": True,
                "muted": True,
                "playsInline": True,
                "controls": False,
                "style": {"width": "100%"},
            },
        )
    except Exception as exc:  # no aiortc, or no real server session (e.g. under AppTest)
        log.warning("webrtc_streamer unavailable: %s", exc)
        st.warning(
            f"The live stream cannot run here ({type(exc).__name__}: {exc}). Use a snapshot or an upload instead.",
            icon=":material/videocam_off:",
        )
        return None
    since_key = f"{key}_connecting_since"
    if ctx.state.signalling and not ctx.state.playing:
        since = st.session_state.setdefault(since_key, time.monotonic())

        @st.fragment(run_every=1.0)
        def connecting() -> None:
            waited = time.monotonic() - since
            if waited < webcam.CONNECT_TIMEOUT_S:
                st.caption(f":material/hourglass_top: Connecting to the camera stream… {waited:.0f} s")
            else:
                hint = (
                    "no STUN/TURN server is configured, so only direct connections work; a deployer can "
                    f"set {webcam.ICE_SERVERS_ENV} to a TURN server"
                    if not servers
                    else f"the STUN/TURN servers in {webcam.ICE_SERVERS_ENV} did not help"
                )
                st.warning(
                    f"No video after {waited:.0f} s: the browser and the server could not connect "
                    f"(a firewall or NAT between them?); {hint}. Did the browser ask for the camera "
                    "and get a yes? Meanwhile, use a snapshot or an upload.",
                    icon=":material/wifi_off:",
                )

        connecting()
    else:
        st.session_state.pop(since_key, None)
    return ctx


def live_webcam(key: str, process: Callable, settings, readout: Callable[[object], None], waiting: str) -> None:
    """The webcam stream on the left, each frame through ``process(frame_bgr, settings) ->
    (annotated_bgr, result)``; on the right, refreshed twice a second while it plays, the
    frame rate and ``readout(result)`` of the newest frame, or ``waiting`` before the first.

    The session keeps one :class:`playground.core.webcam.FrameProcessor` in
    ``st.session_state[f"{key}_processor"]`` (made with the first ``process``); ``settings``
    reach its next frame. The stream's widget key is ``f"{key}_stream"``.
    """
    processor = st.session_state.get(f"{key}_processor")
    if processor is None:
        processor = st.session_state[f"{key}_processor"] = webcam.FrameProcessor(process, settings)
    processor.settings.set(settings)
    stream_col, readout_col = st.columns([3, 2])
    with stream_col:
        ctx = webcam_stream(f"{key}_stream", processor)
    playing = bool(ctx and ctx.state.playing)

    @st.fragment(run_every=0.5 if playing else None)
    def live_readout() -> None:
        result, _ = processor.results.latest()
        if processor.results.error:
            st.error(f"Processing failed on a frame: {processor.results.error}", icon=":material/error:")
        if result is None:
            st.caption(waiting)
            return
        stats = processor.results.stats()
        st.metric(
            "Frames per second",
            f"{stats.fps:.1f}",
            help=f"processing a frame: p50 {stats.latency_p50_ms:.0f} ms, p95 {stats.latency_p95_ms:.0f} ms",
        )
        readout(result)

    with readout_col:
        live_readout()
