"""Exceptions turned into one line a person can read on the page."""


def first_line(exc: BaseException, limit: int = 160) -> str:
    """``"TypeName: first line of the message"`` (cut to ``limit`` characters), or the type's name
    alone when the message is empty."""
    text = str(exc).strip()
    text = text.splitlines()[0][:limit] if text else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
