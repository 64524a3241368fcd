"""Compute devices: detect GPUs, turn on memory growth, choose a distribution strategy.

The selection logic (:func:`plan_devices`) is pure and takes a device list, so it is
tested without GPUs; :func:`configure` applies it to the running TensorFlow once.
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide CUDA probing noise on CPU machines


@dataclass(frozen=True)
class DevicePlan:
    """What the app will compute on.

    ``strategy`` is ``"default"`` (CPU or one device, no distribution) or
    ``"mirrored"`` (data-parallel over ``devices``).
    """

    kind: str  # "CPU" or "GPU"
    devices: tuple[str, ...]
    names: tuple[str, ...]
    strategy: str
    mixed_precision: bool

    @property
    def label(self) -> str:
        """Short text for the page badge, e.g. 'CPU', 'GPU: NVIDIA T4', '4 GPUs (mirrored)'."""
        if self.kind == "CPU":
            return "CPU" if len(self.devices) <= 1 else f"{len(self.devices)} CPU devices (mirrored)"
        if len(self.devices) == 1:
            return f"GPU: {self.names[0]}"
        return f"{len(self.devices)} GPUs (mirrored): {self.names[0]}"


def plan_devices(
    gpus: list[tuple[str, str]],
    cpus: list[str],
    mixed_precision: bool | None = None,
    compute_capabilities: list[tuple[int, int] | None] | None = None,
) -> DevicePlan:
    """Decide devices, strategy and precision.

    Parameters
    ----------
    gpus : list of (device_name, human_name)
        Logical GPU devices, e.g. ``[("/GPU:0", "NVIDIA T4")]``.
    cpus : list of str
        Logical CPU device names, e.g. ``["/CPU:0"]``.
    mixed_precision : bool or None
        Force on/off; ``None`` turns it on only for GPUs with compute capability >= 7.0
        (tensor cores), where float16 is faster.
    compute_capabilities : list of (major, minor) or None, one per GPU
    """
    if gpus:
        devices = tuple(name for name, _ in gpus)
        names = tuple(human for _, human in gpus)
        if mixed_precision is None:
            caps = compute_capabilities or [None] * len(gpus)
            mixed_precision = all(cap is not None and cap >= (7, 0) for cap in caps)
        strategy = "mirrored" if len(devices) > 1 else "default"
        return DevicePlan("GPU", devices, names, strategy, bool(mixed_precision))
    strategy = "mirrored" if len(cpus) > 1 else "default"
    return DevicePlan("CPU", tuple(cpus), tuple(cpus), strategy, False)


_configured: DevicePlan | None = None
_configure_lock = threading.Lock()


def configure(mixed_precision: bool | None = None) -> DevicePlan:
    """Apply the plan to TensorFlow once per process (memory growth, precision) and return it."""
    global _configured
    with _configure_lock:
        if _configured is not None:
            return _configured
        import tensorflow as tf

        physical_gpus = tf.config.list_physical_devices("GPU")
        for gpu in physical_gpus:
            # RuntimeError: already initialised by someone else; growth stays as it was.
            with contextlib.suppress(RuntimeError):
                tf.config.experimental.set_memory_growth(gpu, True)
        gpus, caps = [], []
        for index, gpu in enumerate(tf.config.list_logical_devices("GPU")):
            details = tf.config.experimental.get_device_details(physical_gpus[min(index, len(physical_gpus) - 1)])
            gpus.append((gpu.name, details.get("device_name", gpu.name)))
            caps.append(details.get("compute_capability"))
        cpus = [cpu.name for cpu in tf.config.list_logical_devices("CPU")]
        plan = plan_devices(gpus, cpus, mixed_precision, caps)
        if plan.mixed_precision:
            import keras

            keras.mixed_precision.set_global_policy("mixed_float16")
        _configured = plan
        return plan


_strategies: dict[tuple[str, ...], object] = {}


def strategy(plan: DevicePlan | None = None):
    """The ``tf.distribute`` strategy for ``plan`` (default: the configured one), made once.

    Build and compile models inside ``with strategy().scope():``.
    """
    import tensorflow as tf

    plan = plan or configure()
    if plan.strategy != "mirrored":
        return tf.distribute.get_strategy()
    with _configure_lock:
        if plan.devices not in _strategies:
            _strategies[plan.devices] = tf.distribute.MirroredStrategy(devices=list(plan.devices))
        return _strategies[plan.devices]


def gpu_names_without_tensorflow() -> list[str]:
    """GPU names from ``nvidia-smi`` (no TensorFlow import), for the home page badge."""
    import shutil
    import subprocess

    if shutil.which("nvidia-smi") is None:
        return []
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip()]


def badge_text(gpu_names: list[str]) -> str:
    """Badge for the home page: 'CPU', 'GPU: name' or 'N GPUs: name'."""
    if not gpu_names:
        return "CPU"
    if len(gpu_names) == 1:
        return f"GPU: {gpu_names[0]}"
    return f"{len(gpu_names)} GPUs: {gpu_names[0]}"


# --- traced gradient functions ----------------------------------------------------------

_traced_lock = threading.Lock()
_traced_blocks = 0  # blocks of forget_traced_gradients() now running, in any thread
_registered_before: set[str] = set()


def _gradient_registry() -> dict:
    from tensorflow.python.framework import ops

    return ops._gradient_registry._registry  # noqa: SLF001 (TensorFlow offers no way to unregister)


@contextlib.contextmanager
def forget_traced_gradients():
    """Unregister the "CustomGradient-<n>" functions TensorFlow registers (and never removes) while
    the block traces, each of which keeps its traced graph alive; removed when the last such
    block in any thread ends, so a trace still being built elsewhere stays intact."""
    global _traced_blocks, _registered_before
    with _traced_lock:
        if _traced_blocks == 0:
            _registered_before = set(_gradient_registry())
        _traced_blocks += 1
    try:
        yield
    finally:
        with _traced_lock:
            _traced_blocks -= 1
            if _traced_blocks == 0:
                registry = _gradient_registry()
                for name in [n for n in registry if n not in _registered_before and n.startswith("CustomGradient")]:
                    del registry[name]
