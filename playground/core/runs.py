"""The runs a page made in one session: each trained (or loaded) model with what made it and
what it gave, instead of loose dictionaries in the session state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from playground.core import jobs


@dataclass
class Run:
    """One model of a page.

    ``id`` is the job that trained it (or a number the registry gave a loaded model);
    ``config`` the settings the page trained it with; ``history`` the job's curves, metric
    name → (xs, ys); ``result`` the job's result; ``details`` page facts (dataset, layers,
    code, …); ``message`` why the run ended badly, empty when it did not.
    """

    id: int
    label: str
    config: Any = None
    model: Any = None
    history: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    result: Any = None
    details: dict[str, Any] = field(default_factory=dict)
    message: str = ""


class RunRegistry:
    """A page's runs in one session, oldest first.

    :meth:`start` notes what the page set when it started a job; :meth:`collect` turns the
    finished job into a :class:`Run`, once. Runs older than the newest ``keep_models`` keep
    their label, settings and curves but drop their model and result, which hold the memory.
    """

    def __init__(self, keep_models: int | None = None):
        self.keep_models = keep_models
        self.runs: list[Run] = []
        self.pending: Run | None = None
        self._loaded = 0

    def __iter__(self) -> Iterator[Run]:
        return iter(self.runs)

    def __len__(self) -> int:
        return len(self.runs)

    def __getitem__(self, index: int) -> Run:
        return self.runs[index]

    @property
    def latest(self) -> Run | None:
        return self.runs[-1] if self.runs else None

    def with_models(self) -> list[Run]:
        """The runs that still hold a model, newest first."""
        return [run for run in reversed(self.runs) if run.model is not None]

    def start(self, job_id: int, label: str, config: Any = None, **details: Any) -> Run:
        """Note the run job ``job_id`` is making (replacing a pending one that never finished)."""
        self.pending = Run(job_id, label, config, details=details)
        return self.pending

    def collect(
        self, snapshot: jobs.Snapshot | None, model_of: Callable[[Any], Any] = lambda result: None
    ) -> Run | None:
        """The pending run, registered with its history, result, ``model_of(result)`` and error, when
        ``snapshot`` is its job's end; None otherwise (no snapshot, another job, still running, or
        registered already)."""
        pending = self.pending
        if snapshot is None or not snapshot.finished or pending is None or pending.id != snapshot.job_id:
            return None
        self.pending = None
        pending.history = snapshot.series
        pending.result = snapshot.result
        pending.model = model_of(snapshot.result) if snapshot.result is not None else None
        pending.message = snapshot.error or ""
        return self.add(pending)

    def add(self, run: Run) -> Run:
        """Append ``run`` and drop the models of runs beyond ``keep_models``."""
        self.runs.append(run)
        if self.keep_models is not None:
            for old in self.runs[: -self.keep_models]:
                old.model = old.result = None
        return run

    def add_loaded(self, label: str, model: Any, **details: Any) -> Run:
        """A model the user brought (numbered -1, -2, … so it never collides with a job); one
        brought again under the same label replaces the earlier one."""
        self.runs = [run for run in self.runs if run.label != label]
        self._loaded += 1
        return self.add(Run(-self._loaded, label, model=model, details=details))
