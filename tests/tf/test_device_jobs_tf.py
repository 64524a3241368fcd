"""TensorFlow side of the foundation: MirroredStrategy over two logical CPUs, and the
Keras callback that feeds model.fit into a job (progress, stop, learning-rate change)."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from playground.core import jobs, keras_tools
from tests.conftest import ROOT, wait_until

pytestmark = pytest.mark.tf


def test_mirrored_strategy_trains_through_the_job_path():
    # Logical devices must be set before TensorFlow initialises: run in a fresh process.
    code = textwrap.dedent("""
        import numpy as np, tensorflow as tf, keras
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from playground.core import device, jobs, keras_tools
        plan = device.configure()
        assert plan.strategy == "mirrored" and len(plan.devices) == 2, plan
        strategy = device.strategy()
        assert strategy.num_replicas_in_sync == 2
        def train(progress):
            with strategy.scope():
                model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                                          keras.layers.Dense(1, activation="sigmoid")])
                model.compile("adam", "binary_crossentropy")
            rng = np.random.default_rng(0)
            x = rng.normal(size=(256, 4)).astype("float32"); y = (x[:, 0] > 0).astype("float32")
            history = model.fit(x, y, epochs=3, batch_size=32, verbose=0,
                                callbacks=[keras_tools.keras_callback(progress, report_every_s=0)])
            return history.history["loss"]
        snap = jobs.submit(train).wait(120)
        assert snap.state == "done", snap.error
        assert snap.result[-1] < snap.result[0]
        assert snap.series["loss"][0] == [1.0, 2.0, 3.0]
        print("OK", plan.label)
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "OK 2 CPU devices (mirrored)" in out.stdout


def tiny_model():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(3, activation="softmax")]
    )
    model.compile(keras.optimizers.SGD(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def toy_data(n=2048):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 8)).astype("float32")
    return x, (x[:, :3].argmax(1)).astype("int64")


def fit_job(progress, model, epochs, batch_size=32):
    x, y = toy_data()
    model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_split=0.25,
        verbose=0,
        callbacks=[keras_tools.keras_callback(progress, report_every_s=0)],
    )
    return model


def test_callback_reports_batches_and_epochs():
    snapshot = jobs.submit(fit_job, tiny_model(), 2).wait(120)
    assert snapshot.state == jobs.DONE, snapshot.error
    assert snapshot.series["val_loss"][0] == [1.0, 2.0]
    batch_steps, batch_losses = snapshot.series["batch_loss"]
    assert len(batch_losses) == 2 * 48 and np.all(np.diff(batch_steps) > 0)
    assert snapshot.step == snapshot.total == 2 * 48 and snapshot.fraction == 1.0


def test_stop_mid_fit_and_change_learning_rate():
    model = tiny_model()
    job = jobs.submit(fit_job, model, 500)
    wait_until(lambda: job.snapshot().step >= 10, timeout=60, what="ten training steps")
    job.send(learning_rate=0.123)
    # The callback applies the request at its next report and reports the rate it set.
    wait_until(
        lambda: job.snapshot().info.get("learning_rate") == pytest.approx(0.123),
        timeout=30,
        what="the new learning rate",
    )
    job.stop()
    snapshot = job.wait(60)
    assert snapshot.state == jobs.STOPPED
    assert snapshot.step < snapshot.total
    assert float(model.optimizer.learning_rate) == pytest.approx(0.123)


def _traced_graphs() -> int:
    import gc

    from tensorflow.python.framework.func_graph import FuncGraph

    gc.collect()
    return sum(isinstance(o, FuncGraph) for o in gc.get_objects())


def test_training_runs_leave_no_traced_graphs_behind():
    """Each fit used to leave its whole traced training graph in TensorFlow's global gradient
    registry (~12 MB a run): once the runs' models are dropped, nothing of them may remain."""
    from playground.core import datasets, device
    from playground.lessons import cnn_training, layer_table

    data = datasets.load("Digits (8x8)")
    layers = layer_table.preset("Fast CNN (default)", data.input_shape)
    config = cnn_training.TrainConfig(epochs=1, batch_size=128)
    registry = device._gradient_registry()

    def run():
        return jobs.submit(
            cnn_training.train,
            layers,
            data.x_train,
            data.y_train,
            data.x_test,
            data.y_test,
            data.num_classes,
            config,
        ).wait(300)

    first = run()  # the first run also builds TensorFlow's and Keras's own one-off graphs
    assert first.state == "done", first.error
    del first
    graphs_before, names_before = _traced_graphs(), set(registry)
    results = [run() for _ in range(3)]
    assert all(r.state == "done" for r in results), [r.error for r in results]
    assert _traced_graphs() > graphs_before  # the kept models hold their train functions
    del results
    assert set(registry) - names_before == set()
    assert _traced_graphs() == graphs_before


def test_traced_gradients_are_forgotten_when_the_last_overlapping_block_ends():
    from tensorflow.python.framework import ops

    from playground.core import device

    registry = device._gradient_registry()
    first, second = device.forget_traced_gradients(), device.forget_traced_gradients()
    first.__enter__()
    ops.RegisterGradient("CustomGradient-test-a")(lambda op, grad: grad)
    second.__enter__()  # another job starts tracing while the first still runs
    ops.RegisterGradient("CustomGradient-test-b")(lambda op, grad: grad)
    first.__exit__(None, None, None)
    assert {"CustomGradient-test-a", "CustomGradient-test-b"} <= set(registry)  # b's trace may still need them
    second.__exit__(None, None, None)
    assert not {"CustomGradient-test-a", "CustomGradient-test-b"} & set(registry)
