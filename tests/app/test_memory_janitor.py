"""The memory janitor's look at stored sessions under AppTest, whose runtime is a mock."""

from streamlit.testing.v1 import AppTest


def _janitor_look():
    import streamlit as st

    from playground import ui

    st.write(f"shut down: {ui.shut_down_expired_sessions()}")


def test_the_janitor_finds_no_sessions_to_shut_down_under_apptest():
    """AppTest's runtime has no session manager: the look finds nothing instead of raising
    every tick (a background thread formatting that traceback raced the script thread's
    ast.parse on Python 3.11 and failed a page run with SystemError)."""
    at = AppTest.from_function(_janitor_look).run()
    assert not at.exception
    assert [m.value for m in at.markdown] == ["shut down: 0"]
