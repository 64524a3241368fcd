"""Device selection with mocked device lists (these machines have no GPU)."""

from unittest import mock

from playground.core import device


def test_cpu_only():
    plan = device.plan_devices([], ["/CPU:0"])
    assert (plan.kind, plan.strategy, plan.mixed_precision, plan.label) == ("CPU", "default", False, "CPU")


def test_one_gpu_uses_default_strategy_and_mixed_precision_on_tensor_cores():
    plan = device.plan_devices([("/GPU:0", "NVIDIA T4")], ["/CPU:0"], compute_capabilities=[(7, 5)])
    assert plan.kind == "GPU" and plan.strategy == "default" and plan.mixed_precision
    assert plan.label == "GPU: NVIDIA T4"


def test_old_gpu_keeps_float32():
    plan = device.plan_devices([("/GPU:0", "Tesla K80")], ["/CPU:0"], compute_capabilities=[(3, 7)])
    assert not plan.mixed_precision


def test_several_gpus_are_mirrored():
    gpus = [(f"/GPU:{i}", "NVIDIA A100") for i in range(4)]
    plan = device.plan_devices(gpus, ["/CPU:0"], compute_capabilities=[(8, 0)] * 4)
    assert plan.strategy == "mirrored" and plan.devices == tuple(g for g, _ in gpus)
    assert plan.label.startswith("4 GPUs (mirrored)")


def test_forced_precision_wins():
    plan = device.plan_devices([("/GPU:0", "x")], [], mixed_precision=False, compute_capabilities=[(9, 0)])
    assert not plan.mixed_precision


def test_badge_without_tensorflow():
    with mock.patch("shutil.which", return_value=None):
        assert device.gpu_names_without_tensorflow() == []
    assert device.badge_text([]) == "CPU"
    assert device.badge_text(["NVIDIA L4"]) == "GPU: NVIDIA L4"
    assert device.badge_text(["A", "A"]) == "2 GPUs: A"
