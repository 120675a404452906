"""Polling for what another process does in its own time (a worker, a restarted server)."""

import time


def wait_for(predicate, timeout: float = 30.0, *, ignore: tuple[type[BaseException], ...] = ()):
    """The predicate's first truthy value, polled every 0.1 s; AssertionError after `timeout` seconds.

    Exceptions listed in `ignore` (a server not answering yet) count as a falsy answer.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except ignore:
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")
