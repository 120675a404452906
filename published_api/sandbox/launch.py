"""Start a program in the sandbox this host supports: namespaces, its own cgroup, an unprivileged user, seccomp.

The order matters. A root-owned shell writes its own pid into the sandbox's cgroups, then execs setpriv, which
drops to the sandbox user, which execs bubblewrap, which builds the namespaces and execs the program under the
seccomp filter. Everything the program ever starts is inside every limit from its first instruction, and the
host sees no sandboxed process as root.
"""

import os
import secrets
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from published_api.sandbox import seccomp
from published_api.sandbox.bwrap import sandbox_command
from published_api.sandbox.cgroups import Cgroup, Limits
from published_api.sandbox.probe import sandbox_support

# $1 = how many cgroup.procs files follow; the shell moves itself into each, then execs the rest.
_ENTER_CGROUPS = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"'


_LAUNCHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-launcher")


@dataclass
class Launched:
    proc: subprocess.Popen
    cgroup: Cgroup | None
    sandboxed: bool  # in namespaces (paths inside are RUN_DIR, not the host's)


def limits() -> Limits:
    return Limits(
        memory_bytes=settings.STAGE_BACKEND_MEMORY_MB << 20,
        pids=settings.STAGE_BACKEND_MAX_THREADS,
        cpu_cores=settings.STAGE_BACKEND_CPU_CORES,
    )


def prepare_run_dir(path: Path) -> None:
    """A private directory the sandbox user owns (it creates its serve socket there)."""
    path.mkdir(mode=0o700)
    user = sandbox_support().user
    if user is not None and os.geteuid() == 0:
        os.chown(path, *user)


def share_socket(path: str) -> None:
    """The platform's socket in the run directory, connectable by the sandbox user only."""
    user = sandbox_support().user
    if user is not None and os.geteuid() == 0:
        os.chown(path, *user)
    os.chmod(path, 0o600)


def seen_as(host_path: str | Path, inside_path: str) -> str:
    """How the sandboxed program names a path: its inside path in namespaces, else the host's."""
    return inside_path if sandbox_support().namespaces else str(host_path)


def launch(*, program: str, args: list[str], inputs: dict[str, str], run_dir: Path, name: str) -> Launched:
    """Start `program args` in a sandbox. `inputs` maps host paths to where the program sees them (read-only);
    `run_dir` is its /run/stage. Name paths in `args` through `seen_as()`: without namespaces (the host refuses
    them and STAGE_REQUIRE_SANDBOX is off) the program runs on the host and sees host paths.
    """
    support = sandbox_support()
    read_fd = None
    if support.namespaces:
        if support.seccomp:
            read_fd, write_fd = os.pipe()
            os.write(write_fd, seccomp.deny_list_program())
            os.close(write_fd)
        command = sandbox_command(program=program, args=args, inputs=inputs, run_dir=str(run_dir), seccomp_fd=read_fd)
    else:
        command = [program, *args]
    if support.user is not None and os.geteuid() == 0:
        user, group = support.user
        command = ["setpriv", f"--reuid={user}", f"--regid={group}", "--clear-groups", "--", *command]
    cgroup = None
    if support.cgroups is not None:
        cgroup = support.cgroups.create(f"{os.getpid()}-{name}-{secrets.token_hex(3)}", limits())
        procs = [str(path) for path in cgroup.procs_files]
        command = ["/bin/sh", "-c", _ENTER_CGROUPS, "sh", str(len(procs)), *procs, *command]
    try:
        # Started from one long-lived thread: --die-with-parent (PR_SET_PDEATHSIG) fires when the *thread* that
        # forked bubblewrap ends, and requests run on threads that come and go.
        proc = _LAUNCHER.submit(
            subprocess.Popen,
            command,
            stdin=subprocess.PIPE,  # closed when the web process dies; the harness exits on EOF
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "DENO_DIR": str(run_dir / "deno")},
            start_new_session=True,  # its own session and process group: the bridge knows its peers by it
            pass_fds=(read_fd,) if read_fd is not None else (),
        ).result()
    except OSError:
        if cgroup is not None:
            cgroup.remove()
        raise
    finally:
        if read_fd is not None:
            os.close(read_fd)
    return Launched(proc=proc, cgroup=cgroup, sandboxed=support.namespaces)
