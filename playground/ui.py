"""Streamlit building blocks shared by the pages (the only engine module importing streamlit).

- :func:`page_header` — title, two-sentence intro, data/model source line.
- :func:`guard` — turns bad input into a clear message instead of a traceback.
- :func:`image_picker` — sample / upload / camera, through the safe decoder; a bad
  upload shows a message and keeps the previous image.
- :func:`job_panel` — a live view of a background job (progress, curves, stop/pause).
- :class:`RunGallery` — finished runs of a page with their settings, and its measured speed.
- :func:`live_webcam` — a processed webcam stream beside a live readout of its newest result.
- :func:`device_badge` — what the app computes on.
- :func:`start_memory_janitor` — closed tabs' sessions shut down and their memory given back.
"""
from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
import streamlit as st

from playground import images, jobs, memory, plots

log = logging.getLogger("playground")
# Seconds between the memory janitor's looks at closed sessions and ended jobs.
JANITOR_EVERY_S = float(os.environ.get("PLAYGROUND_JANITOR_S", "15"))


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
        st.error(f"{what} failed unexpectedly ({type(exc).__name__}: {exc}). "
                 "Your earlier results are kept; try other settings.", icon=":material/error:")


@dataclass
class PickedImage:
    """An image chosen by the user: RGB uint8 (H, W, 3) and a display name."""

    rgb: np.ndarray
    name: str
    note: str = ""


@st.cache_data(show_spinner=False, max_entries=32)
def _sample(name: str) -> np.ndarray:
    return images.sample_image(name)


def image_picker(key: str, label: str = "Image", default: str = "astronaut",
                 samples: list[str] | None = None, camera: bool = True,
                 max_side: int = 1024, horizontal: bool = True) -> PickedImage:
    """Let the user pick a sample, upload a file or take a camera snapshot.

    Uploads go through :func:`playground.images.decode_image`; a bad one shows an error
    and the previous image stays. Images are downscaled to ``max_side`` (with a note).
    """
    samples = samples or images.SAMPLE_NAMES
    sources = ["Sample", "Upload"] + (["Camera"] if camera else [])
    source = st.radio(f"{label} source", sources, horizontal=horizontal, key=f"{key}_source")
    last_key = f"{key}_last_upload"
    picked: PickedImage | None = None
    if source == "Sample":
        name = st.selectbox(label, samples, index=samples.index(default) if default in samples else 0,
                            key=f"{key}_sample")
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
        picked = PickedImage(images.resize_max(picked.rgb, max_side), picked.name,
                             f"Downscaled from {width}x{height} to at most {max_side} px for speed.")
        st.caption(picked.note)
    return picked


def device_badge(gpu_names: list[str] | None = None) -> None:
    """A small badge with the compute in use, without importing TensorFlow."""
    from playground import device

    names = device.gpu_names_without_tensorflow() if gpu_names is None else gpu_names
    text = device.badge_text(names)
    icon = ":material/memory:" if names else ":material/developer_board:"
    st.badge(text, icon=icon, color="green" if names else "gray")


def job_status_text(snapshot: jobs.Snapshot) -> str:
    """One line describing a job's state for people."""
    if snapshot.state == jobs.QUEUED:
        return (f"Waiting for a free worker: position {snapshot.queue_position} in the queue "
                f"(this server runs at most {jobs.MAX_CONCURRENT_JOBS} jobs at once).")
    if snapshot.state == jobs.FAILED:
        return f"Failed: {snapshot.error}"
    elapsed = f"{snapshot.elapsed_s:.1f} s"
    words = {jobs.RUNNING: "Running", jobs.PAUSED: "Paused", jobs.DONE: "Finished",
             jobs.STOPPED: "Stopped"}[snapshot.state]
    detail = f" — {snapshot.message}" if snapshot.message else ""
    return f"{words} · {elapsed}{detail}"


def job_panel(state_key: str, charts: dict[str, list[str]] | None = None,
              extra: Callable[[jobs.Snapshot], None] | None = None,
              pausable: bool = True, run_every_s: float = 0.5, x_title: str = "epoch") -> jobs.Snapshot | None:
    """Live view of the job stored in ``st.session_state[state_key]``.

    ``charts`` maps a chart title to the metric names drawn on it; ``extra(snapshot)``
    draws page-specific parts (images, tables). Refreshes every ``run_every_s`` while
    the job runs and reruns the page once when it finishes, so results show up.
    """
    job: jobs.Job | None = st.session_state.get(state_key)
    if job is None:
        return None
    active = not job.finished

    @st.fragment(run_every=run_every_s if active else None)
    def live() -> None:
        snapshot = job.snapshot()
        done_key = f"{state_key}_finished_seen"
        if snapshot.finished and st.session_state.get(done_key) != job.id:
            st.session_state[done_key] = job.id
            st.rerun(scope="app")
        status = job_status_text(snapshot)
        if snapshot.state == jobs.FAILED:
            st.error(status, icon=":material/error:")
        else:
            st.progress(snapshot.fraction, text=status)
        if not snapshot.finished:
            cols = st.columns([1, 1, 6])
            if cols[0].button("Stop", key=f"{state_key}_stop_{job.id}", icon=":material/stop:"):
                job.stop()
            if pausable:
                if snapshot.state == jobs.PAUSED:
                    if cols[1].button("Resume", key=f"{state_key}_resume_{job.id}", icon=":material/play_arrow:"):
                        job.resume()
                elif cols[1].button("Pause", key=f"{state_key}_pause_{job.id}", icon=":material/pause:"):
                    job.pause()
        for title, names in (charts or {}).items():
            series = {n: snapshot.series[n] for n in names if n in snapshot.series}
            if series:
                st.plotly_chart(plots.curves(series, title=title, x_title=x_title), key=f"{state_key}_{title}",
                                config={"displayModeBar": False})
        if extra is not None:
            extra(snapshot)

    live()
    return job.snapshot()


class RunGallery:
    """A page's finished background runs (dreams, stylised images), newest first, with what made them,
    and this machine's measured speed per model for the next run's time estimate.

    Lives in ``st.session_state``: ``{prefix}_gallery`` (item dicts with at least ``job_id``,
    ``image`` and ``stopped``), ``{prefix}_kept`` (job ids already kept, so a cleared gallery
    stays clear) and ``{prefix}_rates`` (model name → seconds per megapixel-step).
    """

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.key = f"{prefix}_gallery"

    @property
    def items(self) -> list[dict]:
        return st.session_state.setdefault(self.key, [])

    def speed(self, model_name: str) -> tuple[float | None, str]:
        """Seconds per megapixel-step of this session's last run of ``model_name`` (None before one),
        and where an estimate made with it comes from."""
        rate = st.session_state.get(f"{self.prefix}_rates", {}).get(model_name)
        return rate, "your last run" if rate else "the benchmark on a 2-core CPU"

    def keep(self, snapshot: jobs.Snapshot | None, meta: dict | None,
             make_item: Callable[[dict, dict], dict]) -> bool:
        """Whether ``snapshot`` is the finished (or stopped) run that ``meta`` describes (the page's
        note of what it started, with ``job_id`` and ``model``) and has a result. The first time,
        ``make_item(result, meta)`` goes to the top of the gallery and the run's measured
        ``seconds_per_megapixel_step`` becomes its model's speed."""
        if not (snapshot is not None and snapshot.finished and snapshot.result and meta
                and meta["job_id"] == snapshot.job_id):
            return False
        kept = st.session_state.setdefault(f"{self.prefix}_kept", set())
        if snapshot.job_id not in kept:
            kept.add(snapshot.job_id)
            self.items.insert(0, {"job_id": snapshot.job_id, "stopped": snapshot.state != jobs.DONE,
                                  **make_item(snapshot.result, meta)})
            if snapshot.result.get("seconds_per_megapixel_step"):
                rates = st.session_state.setdefault(f"{self.prefix}_rates", {})
                rates[meta["model"]] = snapshot.result["seconds_per_megapixel_step"]
        return True

    def offer_download(self, snapshot: jobs.Snapshot, label: str) -> None:
        """A PNG download of a kept run's image, named as in the gallery, and a note that the gallery has it."""
        st.download_button(label, images.encode_png(snapshot.result["image"]),
                           file_name=f"{self.prefix}_{snapshot.job_id}.png", mime="image/png",
                           icon=":material/download:", key=f"{self.prefix}_download")
        st.caption("Also kept in the **Gallery** tab with its settings.")

    def show(self, describe: Callable[[dict], None], empty: str, columns: int = 3) -> None:
        """The items in a grid, ``describe(item)`` under each image with a PNG download; a button clears them."""
        items = self.items
        if not items:
            st.markdown(empty)
        for first in range(0, len(items), columns):
            for col, item in zip(st.columns(columns), items[first:first + columns]):
                with col:
                    st.image(item["image"], width="stretch")
                    describe(item)
                    st.download_button("PNG", images.encode_png(item["image"]),
                                       file_name=f"{self.prefix}_{item['job_id']}.png", mime="image/png",
                                       key=f"{self.prefix}_gallery_dl_{item['job_id']}", icon=":material/download:")
        if items and st.button("Clear the gallery", key=f"{self.prefix}_clear_gallery", icon=":material/delete:"):
            st.session_state[self.key] = []
            st.rerun()


def start_job(state_key: str, work: Callable, *args, name: str = "job", **kwargs) -> jobs.Job:
    """Stop this session's previous job under ``state_key`` and start a new one."""
    previous: jobs.Job | None = st.session_state.get(state_key)
    if previous is not None and not previous.finished:
        previous.stop()
    job = jobs.submit(work, *args, name=name, **kwargs)
    st.session_state[state_key] = job
    return job



def _import_webrtc():
    """streamlit-webrtc's ``(WebRtcMode, webrtc_streamer)``, its SRTP library loaded so that it
    survives TensorFlow in the same process (:func:`playground.webcam.load_srtp_library`)."""
    from playground import webcam

    webcam.load_srtp_library()
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    return WebRtcMode, webrtc_streamer


def webcam_stream(key: str, processor, width: int = 640, height: int = 480, fps: int = 30):
    """A live webcam via streamlit-webrtc whose frames go through ``processor``.

    ``processor`` is a :class:`playground.webcam.FrameProcessor`; its callback runs in
    the stream's worker thread on the newest frame only. STUN/TURN servers come from the
    ``VP_ICE_SERVERS`` environment variable (none by default: direct connections work on
    the same machine or LAN). Returns the streamer context (``ctx.state.playing`` is True
    while video flows), or None when the stream cannot run here; the page is told why
    whenever that can be known (no HTTPS, missing package, bad ICE setting, no connection).
    """
    import time

    from playground import webcam

    reason = webcam.camera_blocked_reason(st.context.url)
    if reason:
        st.warning(reason, icon=":material/videocam_off:")
        return None
    try:
        servers = webcam.ice_servers()
    except ValueError as exc:
        st.warning(f"{exc}. Using no STUN/TURN server, so only direct connections can work.",
                   icon=":material/settings_ethernet:")
        servers = []
    try:
        WebRtcMode, webrtc_streamer = _import_webrtc()
        ctx = webrtc_streamer(
            key=key, mode=WebRtcMode.SENDRECV, rtc_configuration={"iceServers": servers},
            media_stream_constraints={"audio": False, "video": {"width": {"ideal": width},
                                                                "height": {"ideal": height},
                                                                "frameRate": {"ideal": fps}}},
            queued_video_frames_callback=processor.recv_queued, on_video_ended=processor.on_ended,
            async_processing=True,
            video_html_attrs={"autoPlay": True, "muted": True, "playsInline": True, "controls": False,
                              "style": {"width": "100%"}})
    except Exception as exc:  # no aiortc, or no real server session (e.g. under AppTest)
        log.warning("webrtc_streamer unavailable: %s", exc)
        st.warning(f"The live stream cannot run here ({type(exc).__name__}: {exc}). "
                   "Use a snapshot or an upload instead.", icon=":material/videocam_off:")
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
                hint = ("no STUN/TURN server is configured, so only direct connections work; a deployer can "
                        f"set {webcam.ICE_SERVERS_ENV} to a TURN server" if not servers else
                        f"the STUN/TURN servers in {webcam.ICE_SERVERS_ENV} did not help")
                st.warning(f"No video after {waited:.0f} s: the browser and the server could not connect "
                           f"(a firewall or NAT between them?); {hint}. Did the browser ask for the camera "
                           "and get a yes? Meanwhile, use a snapshot or an upload.", icon=":material/wifi_off:")

        connecting()
    else:
        st.session_state.pop(since_key, None)
    return ctx


def live_webcam(key: str, process: Callable, settings, readout: Callable[[object], None], waiting: str) -> None:
    """The webcam stream on the left, each frame through ``process(frame_bgr, settings) ->
    (annotated_bgr, result)``; on the right, refreshed twice a second while it plays, the
    frame rate and ``readout(result)`` of the newest frame, or ``waiting`` before the first.

    The session keeps one :class:`playground.webcam.FrameProcessor` in
    ``st.session_state[f"{key}_processor"]`` (made with the first ``process``); ``settings``
    reach its next frame. The stream's widget key is ``f"{key}_stream"``.
    """
    from playground import webcam

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
        st.metric("Frames per second", f"{stats.fps:.1f}",
                  help=f"processing a frame: p50 {stats.latency_p50_ms:.0f} ms, p95 {stats.latency_p95_ms:.0f} ms")
        readout(result)

    with readout_col:
        live_readout()


def keep_keras_session() -> None:
    """Stop Streamlit from calling ``keras.backend.clear_session()`` after every script run.

    Streamlit's script runner clears the Keras session after each run, fragment reruns
    included. Under a background training job that empties TensorFlow's kernel cache
    every poll (training ran ~15x slower) and resets Keras' layer-name counters mid-build
    (duplicate layer names). Pages with live Keras jobs call this; it is idempotent and
    keeps Streamlit's matplotlib clean-up.
    """
    import sys

    from streamlit.runtime.scriptrunner import script_runner

    if getattr(script_runner._clean_problem_modules, "keeps_keras", False):  # noqa: SLF001
        return

    def clean_without_keras() -> None:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")

    clean_without_keras.keeps_keras = True
    script_runner._clean_problem_modules = clean_without_keras  # noqa: SLF001


def forget_stale_widgets() -> None:
    """Drop what Streamlit still keeps of widgets that are gone (call at the start of every run).

    Streamlit 1.67 removes a vanished widget's value after a run but keeps its metadata for
    the whole session, and that metadata holds the widget's format function and callbacks,
    and through them the globals of the page run that drew it. A widget whose key changes
    (one per training job, one per clicked confusion-matrix cell) thereby kept every earlier
    run's job, model and data alive: ~25 MB per training run. Metadata of widgets that have
    neither a current nor a carried-over value is not needed: a widget drawn again registers
    it anew.
    """
    from streamlit.runtime.state.session_state_proxy import get_session_state

    safe_state = get_session_state()
    try:
        with safe_state._lock:  # noqa: SLF001 (no public API reaches widget metadata)
            state = safe_state._state  # noqa: SLF001
            widgets = state._new_widget_state  # noqa: SLF001
            alive = set(widgets.states) | set(state._old_state)  # noqa: SLF001
            for widget_id in [w for w in widgets.widget_metadata if w not in alive]:
                del widgets.widget_metadata[widget_id]
    except AttributeError:  # another Streamlit version: keep working, memory grows as before
        return


def shut_down_expired_sessions() -> int:
    """Shut down the disconnected sessions whose ``server.disconnectedSessionTTL`` has passed.

    Streamlit keeps a closed tab's session for reconnection in a TTL cache that drops
    expired entries only when another session is stored, and then without shutting them
    down, so after the last tab closes the sessions, their state, uploads and media files
    stay in memory. Returns how many were shut down (0 outside a running server).
    """
    from streamlit import runtime

    if not runtime.exists():
        return 0
    try:  # AttributeError: another Streamlit version, or AppTest's mocked runtime
        manager = runtime.get_instance()._session_mgr  # noqa: SLF001 (no public API reaches stored sessions)
        lock, cache = manager._storage_lock, manager._session_storage._cache  # noqa: SLF001
        with lock:  # the lock Streamlit holds while it moves sessions in and out of storage
            expired = cache.expire()
    except AttributeError:  # sessions go when Streamlit drops them
        return 0
    for _, info in expired:
        info.session.shutdown()
    return len(expired)


_janitor_lock = threading.Lock()
_janitor: threading.Thread | None = None


def start_memory_janitor(every_s: float = JANITOR_EVERY_S) -> None:
    """Once per process, a daemon thread that every ``every_s`` seconds shuts down expired
    sessions and, when one went or a job ended since its last look, collects garbage and
    trims the heap (:func:`memory.give_back`), so a closed tab's memory returns."""
    global _janitor
    with _janitor_lock:
        if _janitor is not None:
            return
        _janitor = threading.Thread(target=_tidy_forever, args=(every_s,), name="memory-janitor", daemon=True)
        _janitor.start()


def _tidy_forever(every_s: float) -> None:
    ended_seen = jobs.ended_jobs()
    while True:
        time.sleep(every_s)
        try:
            closed, ended = shut_down_expired_sessions(), jobs.ended_jobs()
            if closed or ended != ended_seen:
                ended_seen = ended
                before = memory.rss_mb()
                collected = memory.give_back()
                log.info("memory janitor: %d session(s) shut down, %d object(s) collected, RSS %.0f -> %.0f MB",
                         closed, collected, before, memory.rss_mb())
        except Exception:  # never let the janitor die; the next look may succeed
            log.exception("memory janitor")


def model_choice(key: str, label: str, options: dict[str, str], load: Callable[[str], object], fallback: str,
                 unavailable: type[Exception] = ValueError):
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
