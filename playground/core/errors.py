"""Exceptions turned into one line a person can read on the page."""


def first_line(exc: BaseException, limit: int = 160) -> str:
    """``"TypeName: first line of the message"`` (cut to ``limit`` characters), or the type's name
    alone when the message is empty."""
    text = str(exc).strip()
    text = text.splitlines()[0][:limit] if text else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def download_reason(exc: BaseException, limit: int = 160) -> str:
    """Why a download failed, in one line. Keras says "URL fetch failure on <long url>: None --
    [Errno 101] Network is unreachable": the errno part is what a person needs."""
    line = first_line(exc, limit=10_000)
    return line[line.index("[Errno") :][:limit] if "[Errno" in line else line[:limit]
