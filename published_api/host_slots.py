"""Caps that hold across every process of this Stage instance on a host: at most N holders per key.

A slot is an exclusive lock (flock) on one of N files under the instance's runtime directory: any process may
take a free one without waiting, the kernel releases it when its holder closes it or dies, and no shared state
needs cleaning up after a crash. Used for each app's requests in flight and its open compute transactions.
"""

import fcntl
import os
import random
import time

from django.conf import settings

from published_api.backend_process import runtime_root


class Slot:
    def __init__(self, descriptor: int):
        self._descriptor: int | None = descriptor

    def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing drops the lock
            self._descriptor = None


MAX_KNOWN = 10_000
_made: dict[tuple[str, str, str], str] = {}  # (runtime root, kind, key) -> the slots' directory, made


def _directory(kind: str, key: str) -> str:
    """The key's slot directory as a string (it is joined on every request: no Path arithmetic there)."""
    root = settings.STAGE_BACKEND_RUNTIME_DIR
    found = _made.get((root, kind, key))
    if found is None:
        path = runtime_root() / "slots" / kind / key
        path.mkdir(parents=True, exist_ok=True)
        if len(_made) >= MAX_KNOWN:
            _made.clear()
        found = _made[(root, kind, key)] = str(path)
    return found


def try_acquire(kind: str, key: str, cap: int) -> Slot | None:
    """A free slot among `cap` for this key on this host, or None at once when all are held. The search starts
    at a random slot, so holders spread over the files rather than contend for the first ones."""
    directory, start = _directory(kind, key), random.randrange(cap)  # noqa: S311  (spreading, not secrecy)
    for step in range(cap):
        path = f"{directory}/{(start + step) % cap}"
        descriptor = os.open(path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        return Slot(descriptor)
    return None


def acquire(kind: str, key: str, cap: int, *, timeout: float) -> Slot | None:
    """A slot, waiting up to `timeout` seconds for one to be freed (polling: holders free theirs within their
    own time budgets); None when none was."""
    deadline, pause = time.monotonic() + timeout, 0.002
    while (slot := try_acquire(kind, key, cap)) is None:
        if time.monotonic() >= deadline:
            return None
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, 0.05)
    return slot


def held(kind: str, key: str, cap: int) -> int:
    """How many of the key's slots are held now (for tests and metrics)."""
    directory, count = _directory(kind, key), 0
    for index in range(cap):
        descriptor = os.open(f"{directory}/{index}", os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            count += 1
        finally:
            os.close(descriptor)
    return count
