"""A sandbox made ready ahead of need: in its cgroup, as the sandbox user, bubblewrap waiting for its mounts.

Entering a cgroup is the slow part of starting a sandbox (the kernel waits for an RCU grace period when a process
moves between cgroups: ~10 ms here), and it does not depend on what the sandbox will run. So a spare goes as far
as it can before it is needed: the root shell moves itself into a fresh cgroup, execs setpriv, which execs
bubblewrap with the program and its arguments, and bubblewrap then waits on a pipe (`--args FD`) for the rest of
its options. Using the spare writes those (the run directory and the read-only inputs) and closes the pipe; the
sandbox is then built and the program runs, inside every limit from its first instruction as before.

Spares are only made once a process has started a sandbox, one at a time, on the launcher's one thread (see
launch.py on why), and only for the recipe that was last used: a recipe is everything fixed before the mounts
(program, arguments, limits, user, seccomp), so a change of settings never hands out a spare made for others.
"""

import contextlib
import os
import secrets
import signal
import subprocess
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from published_api.sandbox import seccomp
from published_api.sandbox.bwrap import sandbox_command
from published_api.sandbox.cgroups import Cgroup, Hierarchy, Limits

# $1 = how many cgroup.procs files follow; the shell moves itself into each, then execs the rest.
_ENTER_CGROUPS = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"'

# Every sandbox process is forked from this one long-lived thread: --die-with-parent (PR_SET_PDEATHSIG) fires
# when the *thread* that forked bubblewrap ends, and requests run on threads that come and go.
LAUNCHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-launcher")


@dataclass(frozen=True)
class Recipe:
    """Everything about a sandbox that is fixed before its mounts are known."""

    program: str
    args: tuple[str, ...]
    limits: Limits
    user: tuple[int, int] | None  # setpriv to this uid and gid (when we are root)
    cgroups: Hierarchy | None
    namespaces: bool  # in bubblewrap; without, the program runs on the host at once and nothing waits
    seccomp: bool
    env: tuple[tuple[str, str], ...]


class Spare:
    """One sandbox waiting for its mounts. Start it on the launcher thread (Spare.start does)."""

    def __init__(self, recipe: Recipe):
        self.recipe = recipe
        self.cgroup: Cgroup | None = None
        passed: list[int] = []  # descriptors bubblewrap reads: its mounts, and the seccomp program
        self._mounts_writer = None
        try:
            if recipe.namespaces:
                mounts_fd, self._mounts_writer = os.pipe()
                passed.append(mounts_fd)
                seccomp_fd = _seccomp_pipe() if recipe.seccomp else None
                if seccomp_fd is not None:
                    passed.append(seccomp_fd)
                mounts = ["--args", str(mounts_fd)]
                command = sandbox_command(
                    program=recipe.program, args=list(recipe.args), mounts=mounts, seccomp_fd=seccomp_fd
                )
            else:
                command = [recipe.program, *recipe.args]
            if recipe.user is not None:
                uid, gid = recipe.user
                command = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--", *command]
            if recipe.cgroups is not None:
                self.cgroup = recipe.cgroups.create(f"{os.getpid()}-{secrets.token_hex(4)}", recipe.limits)
                procs = [str(path) for path in self.cgroup.procs_files]
                command = ["/bin/sh", "-c", _ENTER_CGROUPS, "sh", str(len(procs)), *procs, *command]
            self.proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,  # closed when the web process dies; the harness exits on EOF
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=dict(recipe.env),
                start_new_session=True,  # its own session and process group: the bridge knows its peers by it
                pass_fds=tuple(passed),
            )
        except BaseException:
            self._close_mounts()
            if self.cgroup is not None:
                self.cgroup.remove()
            raise
        finally:
            for descriptor in passed:
                os.close(descriptor)

    @classmethod
    def start(cls, recipe: Recipe) -> "Future[Spare]":
        return LAUNCHER.submit(cls, recipe)

    def use(self, mounts: list[str]) -> subprocess.Popen:
        """Hand the sandbox its mounts: it builds itself and runs the program (already running without
        namespaces: then there is nothing to hand over)."""
        if self._mounts_writer is not None:
            try:
                os.write(self._mounts_writer, b"".join(option.encode() + b"\0" for option in mounts))
            finally:
                self._close_mounts()
        return self.proc

    def discard(self) -> None:
        self._close_mounts()  # bubblewrap would go on with no mounts and fail; it is killed first anyway
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            stream.close()
        if self.cgroup is not None:
            self.cgroup.remove()

    def _close_mounts(self) -> None:
        if self._mounts_writer is not None:
            os.close(self._mounts_writer)
            self._mounts_writer = None


def _seccomp_pipe() -> int:
    """A pipe's read end holding the seccomp program (small enough for the pipe's buffer)."""
    reader, writer = os.pipe()
    try:
        os.write(writer, seccomp.deny_list_program())
    finally:
        os.close(writer)
    return reader


class SpareKeeper:
    """At most one spare, for the recipe last asked for; taking it starts the next in the background."""

    def __init__(self):
        self._lock = threading.Lock()
        self._next: Future[Spare] | None = None

    def take(self, recipe: Recipe) -> Spare:
        with self._lock:
            waiting, self._next = self._next, None
        spare = _result(waiting)
        if spare is not None and (spare.recipe != recipe or spare.proc.poll() is not None):
            spare.discard()
            spare = None
        if spare is None:
            spare = Spare.start(recipe).result()
        with self._lock:
            if self._next is None:
                self._next = Spare.start(recipe)
        return spare

    def waiting(self) -> Spare | None:
        """The spare made ready for the next start, once it is (None when there is none)."""
        with self._lock:
            waiting = self._next
        return _result(waiting)

    def discard(self) -> None:
        with self._lock:
            waiting, self._next = self._next, None
        spare = _result(waiting)
        if spare is not None:
            spare.discard()


def _result(waiting: "Future[Spare] | None") -> Spare | None:
    if waiting is None:
        return None
    try:
        return waiting.result()
    except OSError:  # it could not be started (the next attempt says why)
        return None
