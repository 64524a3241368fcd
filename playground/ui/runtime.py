"""Process-level patches of Streamlit internals, installed by one :func:`install` call from app.py.

- :func:`load_srtp_library` — WebRTC's SRTP library loaded so that TensorFlow cannot break it.
- :func:`keep_keras_session` — background training keeps its compiled kernels between reruns.
- :func:`forget_stale_widgets` — vanished widgets stop holding earlier runs' models.
- :func:`start_memory_janitor` — closed tabs' sessions shut down and their memory given back.

Why each exists is in docs/decisions.md.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from playground.core import jobs, memory

log = logging.getLogger("playground")
# Seconds between the memory janitor's looks at closed sessions and ended jobs.
JANITOR_EVERY_S = float(os.environ.get("PLAYGROUND_JANITOR_S", "15"))


def install() -> None:
    """Everything the app needs from Streamlit's process, in the order it needs it; call at the
    start of every script run (each part is idempotent; stale widgets are forgotten per run)."""
    load_srtp_library()  # before any page imports TensorFlow
    keep_keras_session()
    forget_stale_widgets()
    start_memory_janitor()


def keep_keras_session() -> None:
    """Stop Streamlit from calling ``keras.backend.clear_session()`` after every script run, which
    would empty a running background job's kernel cache; matplotlib's clean-up stays. Idempotent."""
    import sys

    from streamlit.runtime.scriptrunner import script_runner

    if getattr(script_runner._clean_problem_modules, "keeps_keras", False):
        return

    def clean_without_keras() -> None:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")

    clean_without_keras.keeps_keras = True
    script_runner._clean_problem_modules = clean_without_keras


def forget_stale_widgets() -> None:
    """Drop the metadata Streamlit keeps of widgets that are gone (call at the start of every run):
    through their callbacks it keeps earlier runs' models alive. A widget drawn again registers anew."""
    from streamlit.runtime.state.session_state_proxy import get_session_state

    safe_state = get_session_state()
    try:
        with safe_state._lock:
            state = safe_state._state
            widgets = state._new_widget_state
            alive = set(widgets.states) | set(state._old_state)
            for widget_id in [w for w in widgets.widget_metadata if w not in alive]:
                del widgets.widget_metadata[widget_id]
    except AttributeError:  # another Streamlit version: keep working, memory grows as before
        return


def shut_down_expired_sessions() -> int:
    """Shut down the disconnected sessions whose ``server.disconnectedSessionTTL`` has passed, which
    Streamlit itself keeps in memory until another tab closes. Returns how many (0 outside a server)."""
    from streamlit import runtime

    if not runtime.exists():
        return 0
    try:  # AttributeError: another Streamlit version, or AppTest's mocked runtime
        manager = runtime.get_instance()._session_mgr
        lock, cache = manager._storage_lock, manager._session_storage._cache
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
                log.info(
                    "memory janitor: %d session(s) shut down, %d object(s) collected, RSS %.0f -> %.0f MB",
                    closed,
                    collected,
                    before,
                    memory.rss_mb(),
                )
        except Exception:  # never let the janitor die; the next look may succeed
            log.exception("memory janitor")


def load_srtp_library() -> None:
    """Load pylibsrtp (under streamlit-webrtc) so that its OpenSSL symbols bind to its own copy,
    not to TensorFlow's BoringSSL: RTLD_NOW before TensorFlow, RTLD_DEEPBIND after. Does nothing
    when streamlit-webrtc's dependencies are not installed (the webcam pages say so)."""
    import os
    import sys

    if "pylibsrtp" in sys.modules:
        return
    flags = sys.getdlopenflags()
    binding = os.RTLD_NOW if "tensorflow" not in sys.modules else getattr(os, "RTLD_DEEPBIND", os.RTLD_NOW)
    sys.setdlopenflags(flags | binding)
    try:
        import pylibsrtp  # noqa: F401 (imported for its binding under these dlopen flags)
    except ImportError:
        pass
    finally:
        sys.setdlopenflags(flags)
