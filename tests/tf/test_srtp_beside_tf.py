"""WebRTC's SRTP library and TensorFlow in one process, in either import order and under
either allocator: packets protected and unprotected by pylibsrtp come back intact."""

import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT, environment_with_allocator

pytestmark = pytest.mark.tf

ROUND_TRIP = textwrap.dedent("""
    import sys
    from playground.ui import runtime
    if sys.argv[1] == "srtp-first":
        runtime.load_srtp_library()
    import tensorflow as tf
    tf.constant(1.0) + 1
    runtime.load_srtp_library()
    from pylibsrtp import Policy, Session
    key = bytes(range(30))
    sender = Session(policy=Policy(key=key, ssrc_type=Policy.SSRC_ANY_OUTBOUND))
    receiver = Session(policy=Policy(key=key, ssrc_type=Policy.SSRC_ANY_INBOUND))
    for sequence in range(300):
        packet = bytes([0x80, 0x08]) + sequence.to_bytes(2, "big") + bytes(8) + bytes([sequence % 256]) * 160
        assert receiver.unprotect(sender.protect(packet)) == packet
    print("intact")
""")


@pytest.mark.parametrize(
    "order,allocator", [("srtp-first", "glibc"), ("srtp-first", "jemalloc"), ("tensorflow-first", "glibc")]
)
def test_srtp_round_trip_beside_tensorflow(order, allocator):
    """The app loads SRTP first (app.py); a process that imported TensorFlow first (a test of
    a webcam page) gets RTLD_DEEPBIND, which a preloaded jemalloc did not survive on the webcam page."""
    done = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP, order],
        cwd=ROOT,
        env=environment_with_allocator(allocator),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and done.stdout.strip() == "intact", (done.returncode, done.stderr[-2000:])
