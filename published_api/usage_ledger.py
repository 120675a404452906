"""Which sandboxes a web process is using, written where the host's runtime reads it without being told.

Every request to a sandbox changes two numbers: its requests in flight and when it was last used. Telling the
runtime each time would cost every request a system call and wake the runtime; instead each web process keeps them
in a small file it maps into memory (`web-<pid>.ledger` in the runtime directory), a slot per sandbox, and the
runtime reads every live web process's file when it chooses what to retire (published_api/runtime.py). A web
process that dies leaves a file nobody counts: what it had in flight ended with it.

Times are CLOCK_MONOTONIC, which every process on the host shares.
"""

import mmap
import os
import struct
import threading
import time
from pathlib import Path

from published_api.sandbox.cgroups import pid_alive

SLOT = struct.Struct("=32sid")  # sandbox id, requests in flight, last used
HEADER = struct.Struct("=i")  # slots in use
SLOTS = 1024
SIZE = HEADER.size + SLOTS * SLOT.size
PREFIX, SUFFIX = "web-", ".ledger"


class Ledger:
    """This web process's slots (made on first use, in the runtime directory)."""

    def __init__(self, directory: Path):
        self.path = directory / f"{PREFIX}{os.getpid()}{SUFFIX}"
        descriptor = os.open(self.path, os.O_CREAT | os.O_RDWR | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            os.ftruncate(descriptor, SIZE)
            self._map = mmap.mmap(descriptor, SIZE)
        finally:
            os.close(descriptor)
        self._lock = threading.Lock()
        self._slots: dict[str, int] = {}

    def began(self, sandbox_id: str) -> None:
        self._add(sandbox_id, 1)

    def ended(self, sandbox_id: str) -> None:
        self._add(sandbox_id, -1)

    def _add(self, sandbox_id: str, change: int) -> None:
        with self._lock:
            index = self._slots.get(sandbox_id)
            if index is None:
                index = self._slot_for(sandbox_id)
            offset = HEADER.size + index * SLOT.size
            _, in_flight, _ = SLOT.unpack_from(self._map, offset)
            SLOT.pack_into(self._map, offset, sandbox_id.encode(), max(0, in_flight + change), time.monotonic())

    def _slot_for(self, sandbox_id: str) -> int:
        """A new slot, or the least recently used one with nothing in flight once all are taken."""
        (used,) = HEADER.unpack_from(self._map, 0)
        if used < SLOTS:
            index = used
            HEADER.pack_into(self._map, 0, used + 1)
        else:
            idle = [(SLOT.unpack_from(self._map, HEADER.size + i * SLOT.size), i) for i in range(SLOTS)]
            (old_id, _, _), index = min(((entry, i) for entry, i in idle if entry[1] == 0), key=lambda e: e[0][2])
            self._slots.pop(old_id.rstrip(b"\0").decode(), None)
        SLOT.pack_into(self._map, HEADER.size + index * SLOT.size, sandbox_id.encode(), 0, time.monotonic())
        self._slots[sandbox_id] = index
        return index


def read_usage(directory: Path) -> dict[str, tuple[int, float]]:
    """Every live web process's slots together: sandbox id -> (requests in flight, last used)."""
    usage: dict[str, tuple[int, float]] = {}
    for path in directory.glob(f"{PREFIX}*{SUFFIX}"):
        owner = path.name[len(PREFIX) : -len(SUFFIX)]
        if not owner.isdigit() or not pid_alive(int(owner)):
            path.unlink(missing_ok=True)
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if len(data) < SIZE:
            continue
        (used,) = HEADER.unpack_from(data, 0)
        for index in range(min(used, SLOTS)):
            raw_id, in_flight, last_used = SLOT.unpack_from(data, HEADER.size + index * SLOT.size)
            sandbox_id = raw_id.rstrip(b"\0").decode(errors="replace")
            before = usage.get(sandbox_id, (0, 0.0))
            usage[sandbox_id] = (before[0] + in_flight, max(before[1], last_used))
    return usage
