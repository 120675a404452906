"""One thread that calls each callback at its time: the compute transactions' budgets.

A threading.Timer per transaction started a thread per mutation; this keeps one thread per process and a heap.
"""

import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Deadline:
    __slots__ = ("args", "callback", "when")

    def __init__(self, when: float, callback: Callable, args: tuple):
        self.when, self.callback, self.args = when, callback, args

    def cancel(self) -> None:
        self.callback = None


class Deadlines:
    def __init__(self, name: str):
        self._name = name
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._pid = 0  # the process whose thread serves the heap (a forked child starts its own)

    def at(self, seconds: float, callback: Callable, *args) -> Deadline:
        """Call callback(*args) `seconds` from now on the deadlines' thread, unless cancelled first."""
        deadline = Deadline(time.monotonic() + seconds, callback, args)
        with self._wake:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(target=self._serve, name=self._name, daemon=True).start()
            heapq.heappush(self._heap, (deadline.when, next(self._order), deadline))
            if self._heap[0][2] is deadline:
                self._wake.notify()
        return deadline

    def _next_due(self) -> Deadline:
        with self._wake:
            while True:
                wait = self._heap[0][0] - time.monotonic() if self._heap else None
                if wait is not None and wait <= 0:
                    return heapq.heappop(self._heap)[2]
                self._wake.wait(wait)

    def _serve(self) -> None:
        while True:
            deadline = self._next_due()
            callback = deadline.callback
            if callback is None:
                continue
            try:
                callback(*deadline.args)
            except Exception:  # one failed callback must not stop the others'
                logger.exception("deadline callback failed")
