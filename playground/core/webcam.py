"""Live video plumbing shared by the webcam pages, independent of what is computed per frame.

A page supplies ``process(frame_bgr, settings) -> (annotated_bgr, result)``. The
:class:`FrameProcessor` runs it in streamlit-webrtc's worker thread on the newest frame
only (older queued frames are dropped, so latency never builds up), and publishes the
result in a :class:`LatestResult` that the page reads from its own thread. The page
changes behaviour by swapping the immutable settings value in a :class:`SharedSettings`.
Nothing here calls Streamlit.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

S = TypeVar("S")
R = TypeVar("R")

STATS_WINDOW = 90  # frames over which fps and latency percentiles are computed (~3 s at 30 fps)


class SharedSettings(Generic[S]):
    """An immutable settings value (e.g. a frozen dataclass) swapped atomically between threads."""

    def __init__(self, value: S):
        self._value = value
        self._lock = threading.Lock()

    def get(self) -> S:
        with self._lock:
            return self._value

    def set(self, value: S) -> None:
        with self._lock:
            self._value = value


@dataclass(frozen=True)
class FrameStats:
    """Throughput and latency over the last frames.

    ``fps`` counts processed frames per second of wall time; ``latency_*_ms`` is the
    time ``process`` took; ``dropped`` counts frames skipped because a newer one waited.
    """

    frames: int
    dropped: int
    fps: float
    latency_p50_ms: float
    latency_p95_ms: float


class LatestResult(Generic[R]):
    """Thread-safe holder of the newest result, timing statistics and a timed history.

    ``summarize(result)`` (optional) turns a result into what the history keeps for
    ``history_s`` seconds (e.g. the main face's scores), so the history stays small.
    """

    def __init__(self, summarize: Callable[[R], Any] | None = None, history_s: float = 60.0):
        self._summarize = summarize
        self._history_s = history_s
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget everything (a new stream starts)."""
        with self._lock:
            self._result: R | None = None
            self._frame: np.ndarray | None = None
            self._sequence = 0
            self._dropped = 0
            self._times: deque[float] = deque(maxlen=STATS_WINDOW)
            self._latencies: deque[float] = deque(maxlen=STATS_WINDOW)
            self._history: deque[tuple[float, Any]] = deque()
            self._error: str | None = None
            self._ended = False

    def put(
        self, result: R, latency_s: float, frame: np.ndarray | None = None, dropped: int = 0, now: float | None = None
    ) -> None:
        """Publish a frame's result, how long it took and, optionally, the annotated frame."""
        now = time.monotonic() if now is None else now
        summary = self._summarize(result) if self._summarize else None
        with self._lock:
            self._result, self._frame = result, frame
            self._sequence += 1
            self._dropped += dropped
            self._times.append(now)
            self._latencies.append(latency_s)
            self._error, self._ended = None, False
            if self._summarize:
                self._history.append((now, summary))
                while self._history and self._history[0][0] < now - self._history_s:
                    self._history.popleft()

    def fail(self, message: str) -> None:
        """Record that processing a frame failed (the stream goes on unprocessed)."""
        with self._lock:
            self._error = message

    def mark_ended(self) -> None:
        """The video source stopped (camera unplugged, tab closed, stop pressed)."""
        with self._lock:
            self._ended = True

    @property
    def sequence(self) -> int:
        """How many results were published; changes whenever a new one arrives."""
        with self._lock:
            return self._sequence

    @property
    def error(self) -> str | None:
        with self._lock:
            return self._error

    @property
    def ended(self) -> bool:
        with self._lock:
            return self._ended

    def latest(self) -> tuple[R | None, np.ndarray | None]:
        """The newest result and annotated frame (None, None before the first frame)."""
        with self._lock:
            return self._result, self._frame

    def seconds_since_last(self, now: float | None = None) -> float | None:
        """Age of the newest result in seconds, None if there is none."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return now - self._times[-1] if self._times else None

    def history(self, now: float | None = None) -> list[tuple[float, Any]]:
        """(seconds before ``now``, summary) pairs of the last ``history_s`` seconds, oldest first."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return [(t - now, s) for t, s in self._history if t >= now - self._history_s]

    def stats(self) -> FrameStats:
        with self._lock:
            times, latencies = list(self._times), list(self._latencies)
            dropped, frames = self._dropped, self._sequence
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        fps = (len(times) - 1) / span if span > 0 else 0.0
        p50, p95 = np.percentile(latencies, [50, 95]) * 1000 if latencies else (0.0, 0.0)
        return FrameStats(frames, dropped, fps, float(p50), float(p95))


class FrameProcessor(Generic[S, R]):
    """Runs ``process(frame_bgr, settings) -> (annotated_bgr, result)`` on live frames.

    :meth:`recv_queued` is streamlit-webrtc's ``queued_video_frames_callback``: of the
    frames that piled up while the previous one was processed, only the newest is
    processed and returned (queue depth one). A failing ``process`` never kills the
    stream: the frame goes out unchanged and the error is kept for the page to show.
    """

    def __init__(
        self,
        process: Callable[[np.ndarray, S], tuple[np.ndarray, R]],
        settings: S,
        summarize: Callable[[R], Any] | None = None,
        history_s: float = 60.0,
        keep_frame: bool = False,
    ):
        self.process = process
        self.settings = SharedSettings(settings)
        self.results: LatestResult[R] = LatestResult(summarize, history_s)
        self.keep_frame = keep_frame  # also publish the annotated frame (for snapshots of the stream)

    def process_frame(self, frame_bgr: np.ndarray, dropped: int = 0) -> np.ndarray:
        """Process one BGR uint8 frame (H, W, 3); returns the annotated frame."""
        start = time.perf_counter()
        try:
            annotated, result = self.process(frame_bgr, self.settings.get())
        except Exception as exc:  # shown on the page; the video keeps flowing
            self.results.fail(f"{type(exc).__name__}: {exc}")
            return frame_bgr
        self.results.put(result, time.perf_counter() - start, annotated if self.keep_frame else None, dropped)
        return annotated

    async def recv_queued(self, frames: list) -> list:
        """streamlit-webrtc callback: ``av.VideoFrame`` list in, one processed frame out."""
        import av

        newest = frames[-1]
        annotated = self.process_frame(newest.to_ndarray(format="bgr24"), dropped=len(frames) - 1)
        return [av.VideoFrame.from_ndarray(annotated, format="bgr24")]  # the track copies pts/time_base

    def on_ended(self) -> None:
        """streamlit-webrtc ``on_video_ended`` callback."""
        self.results.mark_ended()


# --- connection set-up (pure helpers for ui.webcam_stream) -----------------------------

ICE_SERVERS_ENV = "VP_ICE_SERVERS"
CONNECT_TIMEOUT_S = 15.0  # no video this long after "start" means the peers cannot reach each other
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def ice_servers(environ: dict | None = None) -> list[dict]:
    """STUN/TURN servers for WebRTC from the ``VP_ICE_SERVERS`` environment variable.

    The value is the JSON list of RTCIceServer objects the browser API takes, e.g.
    ``[{"urls": ["turn:turn.example.org:3478"], "username": "u", "credential": "p"}]``.
    Unset means none: browser and server then connect directly, which works on the same
    machine or LAN; across NATs and firewalls deployers need a TURN server.
    """
    import json
    import os

    raw = (os.environ if environ is None else environ).get(ICE_SERVERS_ENV, "").strip()
    if not raw:
        return []
    try:
        servers = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{ICE_SERVERS_ENV} is not valid JSON ({exc.msg} at character {exc.pos}): {raw[:80]}"
        ) from None
    if not isinstance(servers, list) or not all(isinstance(s, dict) and "urls" in s for s in servers):
        raise ValueError(f'{ICE_SERVERS_ENV} must be a JSON list of objects with "urls"; got {raw[:80]}')
    return servers


def camera_blocked_reason(page_url: str | None) -> str | None:
    """Why a browser will refuse the camera on this page, or None if it should allow it.

    Browsers expose cameras only to secure contexts: HTTPS pages, or plain HTTP on the
    local machine (localhost, 127.0.0.1).
    """
    from urllib.parse import urlsplit

    if not page_url:
        return None
    parts = urlsplit(page_url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "http" and host not in _LOCAL_HOSTS and not host.endswith(".localhost"):
        return (
            f"This page is served over plain HTTP from **{host}**, and browsers only give the camera "
            "to HTTPS pages or to pages on this computer (localhost). Open the app over HTTPS "
            "(or through an SSH tunnel to localhost) to stream; image upload works anyway."
        )
    return None
