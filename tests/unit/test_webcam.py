"""Live-video plumbing: latest-result holder, drop-stale processing, ICE servers, secure context."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import av
import numpy as np
import pytest

from playground.core import webcam


def run_callback(coroutine):
    """Run streamlit-webrtc's async callback as its worker would: in a thread with its own
    event loop (the browser tests' Playwright driver may own this thread's loop)."""
    with ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


def test_shared_settings_swaps_whole_values_between_threads():
    shared = webcam.SharedSettings((0, 0))
    seen = []

    def reader():
        for _ in range(2000):
            seen.append(shared.get())

    thread = threading.Thread(target=reader)
    thread.start()
    for i in range(2000):
        shared.set((i, i))
    thread.join()
    assert all(a == b for a, b in seen)  # never half of one value and half of another
    assert shared.get() == (1999, 1999)


def test_stats_fps_and_latency_percentiles_match_numpy():
    holder = webcam.LatestResult()
    latencies = np.random.default_rng(0).uniform(0.005, 0.05, 40)
    for i, latency in enumerate(latencies):
        holder.put(f"frame {i}", latency, now=100 + i / 25)  # 25 frames per second
    stats = holder.stats()
    assert stats.frames == 40
    assert stats.fps == pytest.approx(25.0)
    assert stats.latency_p50_ms == pytest.approx(np.percentile(latencies, 50) * 1000)
    assert stats.latency_p95_ms == pytest.approx(np.percentile(latencies, 95) * 1000)
    assert holder.latest()[0] == "frame 39"


def test_history_keeps_only_the_last_window_of_summaries():
    holder = webcam.LatestResult(summarize=lambda result: result * 10, history_s=60)
    for second in range(0, 100, 10):
        holder.put(second, 0.01, now=float(second))
    history = holder.history(now=90.0)
    assert [summary for _, summary in history] == [300, 400, 500, 600, 700, 800, 900]
    assert [age for age, _ in history] == [-60, -50, -40, -30, -20, -10, 0]
    holder.reset()
    assert holder.latest() == (None, None) and holder.history() == [] and holder.stats().frames == 0


def _frames(count):
    frames = []
    for i in range(count):
        image = np.full((48, 64, 3), 10 * i, np.uint8)
        frame = av.VideoFrame.from_ndarray(image, format="bgr24")
        frame.pts = i
        frames.append(frame)
    return frames


def test_only_the_newest_queued_frame_is_processed():
    calls = []

    def invert(frame, settings):
        calls.append(int(frame[0, 0, 0]))
        return 255 - frame, {"mean": float(frame.mean()), "settings": settings}

    processor = webcam.FrameProcessor(invert, settings="A")
    out = run_callback(processor.recv_queued(_frames(3)))
    assert calls == [20]  # frames 0 and 1 were stale
    assert len(out) == 1
    assert np.array_equal(out[0].to_ndarray(format="bgr24"), np.full((48, 64, 3), 235, np.uint8))
    processor.settings.set("B")
    run_callback(processor.recv_queued(_frames(1)))
    result, _ = processor.results.latest()
    assert result == {"mean": 0.0, "settings": "B"}
    assert processor.results.stats().dropped == 2


def test_a_failing_frame_passes_through_and_the_error_is_kept():
    def broken(frame, settings):
        raise RuntimeError("detector exploded")

    processor = webcam.FrameProcessor(broken, settings=None)
    out = run_callback(processor.recv_queued(_frames(2)))
    assert np.array_equal(out[0].to_ndarray(format="bgr24"), np.full((48, 64, 3), 10, np.uint8))
    assert processor.results.error == "RuntimeError: detector exploded"
    processor.process = lambda frame, settings: (frame, "fine")
    run_callback(processor.recv_queued(_frames(1)))
    assert processor.results.error is None and processor.results.latest()[0] == "fine"


def test_camera_end_is_reported_until_frames_come_back():
    processor = webcam.FrameProcessor(lambda frame, settings: (frame, 1), settings=None)
    processor.on_ended()
    assert processor.results.ended
    processor.process_frame(np.zeros((8, 8, 3), np.uint8))
    assert not processor.results.ended


def test_ice_servers_from_environment():
    assert webcam.ice_servers({}) == []
    turn = '[{"urls": ["turn:turn.example.org:3478"], "username": "u", "credential": "p"}]'
    assert webcam.ice_servers({"VP_ICE_SERVERS": turn})[0]["username"] == "u"
    with pytest.raises(ValueError, match="not valid JSON.*stun:oops"):
        webcam.ice_servers({"VP_ICE_SERVERS": "stun:oops"})
    with pytest.raises(ValueError, match="list of objects"):
        webcam.ice_servers({"VP_ICE_SERVERS": '{"urls": "stun:x"}'})


@pytest.mark.parametrize(
    "url, blocked",
    [
        ("http://192.168.1.20:8501/webcam_emotions", True),
        ("http://playground.example.org/", True),
        ("https://playground.example.org/", False),
        ("http://localhost:8501/", False),
        ("http://127.0.0.1:8605/webcam_emotions", False),
        ("http://app.localhost/", False),
        (None, False),
    ],
)
def test_camera_needs_https_or_localhost(url, blocked):
    reason = webcam.camera_blocked_reason(url)
    assert (reason is not None) == blocked
    if blocked:
        assert "HTTPS" in reason
