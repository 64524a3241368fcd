"""A page's runs: started with their settings, collected once from the finished job, and only
the newest few keep their models."""

from playground.core import jobs
from playground.core.runs import RunRegistry


def snapshot(job_id: int, state: str = jobs.DONE, result=None, error: str = "") -> jobs.Snapshot:
    return jobs.Snapshot(
        job_id=job_id,
        name="test",
        state=state,
        step=3,
        total=3,
        message="",
        series={"loss": ([1.0, 2.0], [0.9, 0.5])},
        images={},
        info={},
        result=result,
        error=error,
        elapsed_s=1.0,
        queue_position=0,
    )


def test_a_finished_job_becomes_a_run_once():
    registry = RunRegistry()
    registry.start(7, "Run 1", config={"lr": 0.1}, dataset="shapes")
    assert registry.collect(snapshot(7, state=jobs.RUNNING)) is None
    assert registry.collect(snapshot(8, result="other job")) is None
    run = registry.collect(snapshot(7, result={"model": "m"}), model_of=lambda result: result["model"])
    assert (run.id, run.label, run.config, run.model, run.details) == (
        7,
        "Run 1",
        {"lr": 0.1},
        "m",
        {"dataset": "shapes"},
    )
    assert run.history["loss"] == ([1.0, 2.0], [0.9, 0.5]) and registry.latest is run
    assert registry.collect(snapshot(7, result={"model": "m"})) is None and len(registry) == 1


def test_a_failed_job_keeps_its_message_and_no_model():
    registry = RunRegistry()
    registry.start(3, "Run 1")
    run = registry.collect(snapshot(3, state=jobs.FAILED, error="ValueError: bad"), model_of=lambda r: r)
    assert run.model is None and run.result is None and run.message == "ValueError: bad"


def test_only_the_newest_runs_keep_their_models_and_loaded_models_get_their_own_ids():
    registry = RunRegistry(keep_models=2)
    for job_id in range(1, 5):
        registry.start(job_id, f"Run {job_id}")
        registry.collect(snapshot(job_id, result=f"result {job_id}"), model_of=lambda result: result.upper())
    assert [run.model for run in registry] == [None, None, "RESULT 3", "RESULT 4"]
    assert [run.result for run in registry][:2] == [None, None] and all(run.history for run in registry)
    assert [run.id for run in registry.with_models()] == [4, 3]
    loaded = RunRegistry()
    first, second = loaded.add_loaded("a.keras", "model a"), loaded.add_loaded("b.keras", "model b")
    assert (first.id, second.id) == (-1, -2) and loaded.latest.model == "model b"
    again = loaded.add_loaded("a.keras", "model a, uploaded again")  # listed once, with the new model
    assert [run.label for run in loaded] == ["b.keras", "a.keras"] and again.model == "model a, uploaded again"
