"""Background jobs on a page: a live panel (progress, curves, stop/pause), starting a job, a run gallery.

- :func:`job_panel` — a live view of a background job (progress, curves, stop/pause).
- :func:`start_job` — stop the session's previous job under a key and start a new one.
- :class:`RunGallery` — finished runs of a page with their settings, and its measured speed.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from playground.core import images, jobs
from playground.figures import plots


def job_status_text(snapshot: jobs.Snapshot) -> str:
    """One line describing a job's state for people."""
    if snapshot.state == jobs.QUEUED:
        return (
            f"Waiting for a free worker: position {snapshot.queue_position} in the queue "
            f"(this server runs at most {jobs.MAX_CONCURRENT_JOBS} jobs at once)."
        )
    if snapshot.state == jobs.FAILED:
        return f"Failed: {snapshot.error}"
    elapsed = f"{snapshot.elapsed_s:.1f} s"
    words = {jobs.RUNNING: "Running", jobs.PAUSED: "Paused", jobs.DONE: "Finished", jobs.STOPPED: "Stopped"}[
        snapshot.state
    ]
    detail = f" — {snapshot.message}" if snapshot.message else ""
    return f"{words} · {elapsed}{detail}"


def job_panel(
    state_key: str,
    charts: dict[str, list[str]] | None = None,
    extra: Callable[[jobs.Snapshot], None] | None = None,
    pausable: bool = True,
    run_every_s: float = 0.5,
    x_title: str = "epoch",
) -> jobs.Snapshot | None:
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
                st.plotly_chart(
                    plots.curves(series, title=title, x_title=x_title),
                    key=f"{state_key}_{title}",
                    config={"displayModeBar": False},
                )
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

    def keep(self, snapshot: jobs.Snapshot | None, meta: dict | None, make_item: Callable[[dict, dict], dict]) -> bool:
        """Whether ``snapshot`` is the finished (or stopped) run that ``meta`` describes (the page's
        note of what it started, with ``job_id`` and ``model``) and has a result. The first time,
        ``make_item(result, meta)`` goes to the top of the gallery and the run's measured
        ``seconds_per_megapixel_step`` becomes its model's speed."""
        if not (
            snapshot is not None
            and snapshot.finished
            and snapshot.result
            and meta
            and meta["job_id"] == snapshot.job_id
        ):
            return False
        kept = st.session_state.setdefault(f"{self.prefix}_kept", set())
        if snapshot.job_id not in kept:
            kept.add(snapshot.job_id)
            self.items.insert(
                0,
                {"job_id": snapshot.job_id, "stopped": snapshot.state != jobs.DONE, **make_item(snapshot.result, meta)},
            )
            if snapshot.result.get("seconds_per_megapixel_step"):
                rates = st.session_state.setdefault(f"{self.prefix}_rates", {})
                rates[meta["model"]] = snapshot.result["seconds_per_megapixel_step"]
        return True

    def offer_download(self, snapshot: jobs.Snapshot, label: str) -> None:
        """A PNG download of a kept run's image, named as in the gallery, and a note that the gallery has it."""
        st.download_button(
            label,
            images.encode_png(snapshot.result["image"]),
            file_name=f"{self.prefix}_{snapshot.job_id}.png",
            mime="image/png",
            icon=":material/download:",
            key=f"{self.prefix}_download",
        )
        st.caption("Also kept in the **Gallery** tab with its settings.")

    def show(self, describe: Callable[[dict], None], empty: str, columns: int = 3) -> None:
        """The items in a grid, ``describe(item)`` under each image with a PNG download; a button clears them."""
        items = self.items
        if not items:
            st.markdown(empty)
        for first in range(0, len(items), columns):
            for col, item in zip(st.columns(columns), items[first : first + columns]):
                with col:
                    st.image(item["image"], width="stretch")
                    describe(item)
                    st.download_button(
                        "PNG",
                        images.encode_png(item["image"]),
                        file_name=f"{self.prefix}_{item['job_id']}.png",
                        mime="image/png",
                        key=f"{self.prefix}_gallery_dl_{item['job_id']}",
                        icon=":material/download:",
                    )
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
