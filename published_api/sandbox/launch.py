"""Start a program in the sandbox this host supports: namespaces, its own cgroup, an unprivileged user, seccomp.

The order matters. A root-owned shell writes its own pid into the sandbox's cgroups, then execs setpriv, which
drops to the sandbox user, which execs bubblewrap, which builds the namespaces and execs the program under the
seccomp filter. Everything the program ever starts is inside every limit from its first instruction, and the
host sees no sandboxed process as root. All of that up to bubblewrap's mounts is done ahead, by a spare
(spare.py), so a start pays only for the namespaces and the program's own boot.
"""

import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from published_api.sandbox.bwrap import mount_options
from published_api.sandbox.cgroups import Cgroup, Limits
from published_api.sandbox.probe import sandbox_support
from published_api.sandbox.spare import Recipe, Spare, SpareKeeper

logger = logging.getLogger(__name__)
spares = SpareKeeper()


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
    user = support.user if support.user is not None and os.geteuid() == 0 else None
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    if not support.namespaces:
        env["DENO_DIR"] = str(run_dir / "deno")  # inside namespaces, bubblewrap sets the sandbox's own
    recipe = Recipe(
        program=program,
        args=tuple(args),
        limits=limits(),
        user=user,
        cgroups=support.cgroups,
        namespaces=support.namespaces,
        seccomp=support.seccomp,
        env=tuple(sorted(env.items())),
    )
    # Without namespaces the program starts at once, with this run directory's paths in its arguments: no spare.
    spare = spares.take(recipe) if support.namespaces else Spare.start(recipe).result()
    proc = spare.use(mount_options(inputs=inputs, run_dir=str(run_dir)))
    cgroup_name = spare.cgroup.name if spare.cgroup is not None else None
    logger.info("sandbox for %s: pid %s, cgroup %s", name, proc.pid, cgroup_name)
    return Launched(proc=proc, cgroup=spare.cgroup, sandboxed=support.namespaces)
