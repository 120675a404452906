"""What this host lets the sandbox use, found out once per process by trying it.

Missing pieces are logged loudly at start, naming each one; with STAGE_REQUIRE_SANDBOX=1 a missing piece is an
error instead and no backend starts (CI sets it, so the tests never pass on a thinner sandbox than production's).
"""

import functools
import logging
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from published_api.sandbox import seccomp
from published_api.sandbox.bwrap import bwrap_path, mount_options, sandbox_command
from published_api.sandbox.cgroups import Hierarchy, Limits, find_hierarchy

logger = logging.getLogger(__name__)


@dataclass
class Support:
    namespaces: bool = False
    cgroups: Hierarchy | None = None
    user: tuple[int, int] | None = None  # the unprivileged host uid and gid sandboxes run as (when we are root)
    seccomp: bool = False
    missing: list[str] = field(default_factory=list)


def _sandbox_user() -> tuple[tuple[int, int] | None, str]:
    if os.geteuid() != 0:
        return (os.geteuid(), os.getegid()), ""  # already unprivileged: sandboxes run as we do
    if shutil.which("setpriv") is None:
        return None, "setpriv (util-linux) is not installed, so sandboxes cannot drop root"
    try:
        entry = pwd.getpwnam(settings.STAGE_SANDBOX_USER)
    except KeyError:
        return None, f"the sandbox user {settings.STAGE_SANDBOX_USER!r} does not exist"
    if entry.pw_uid == 0:
        return None, f"the sandbox user {settings.STAGE_SANDBOX_USER!r} is root"
    return (entry.pw_uid, entry.pw_gid), ""


def _namespaces_work(user: tuple[int, int] | None) -> str:
    """'' when bubblewrap can start a program in every namespace here, else why not."""
    if bwrap_path() is None:
        return "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
    true = shutil.which("true") or "/bin/true"
    with tempfile.TemporaryDirectory(prefix="stage-probe-") as run_dir:
        if user is not None and os.geteuid() == 0:
            os.chown(run_dir, *user)
        command = sandbox_command(program=true, args=[], mounts=mount_options(inputs={}, run_dir=run_dir))
        if user is not None and os.geteuid() == 0:
            command = ["setpriv", f"--reuid={user[0]}", f"--regid={user[1]}", "--clear-groups", "--", *command]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bubblewrap could not run ({exc})"
    if result.returncode != 0:
        return f"bubblewrap cannot create namespaces here: {result.stderr.strip()[:300]}"
    return ""


def _cgroups_work() -> tuple[Hierarchy | None, str]:
    hierarchy, why = find_hierarchy(settings.STAGE_CGROUP_NAME)
    if hierarchy is None:
        return None, why
    try:
        group = hierarchy.create(f"{os.getpid()}-probe", Limits(memory_bytes=64 << 20, pids=8, cpu_cores=0.5))
        group.remove()
    except OSError as exc:
        return None, f"cgroup limits cannot be set here ({exc})"
    return hierarchy, ""


@functools.cache
def sandbox_support() -> Support:
    support = Support()
    support.user, why = _sandbox_user()
    if why:
        support.missing.append(why)
    why = _namespaces_work(support.user)
    support.namespaces = not why
    if why:
        support.missing.append(why)
    support.cgroups, why = _cgroups_work()
    if why:
        support.missing.append(why)
    support.seccomp = seccomp.supported()
    if not support.seccomp:
        support.missing.append("a seccomp filter (written for x86-64 only)")
    if support.missing:
        message = "BACKEND SANDBOX INCOMPLETE, app backends run without: " + "; ".join(support.missing)
        if settings.STAGE_REQUIRE_SANDBOX:
            raise ImproperlyConfigured(message + " (STAGE_REQUIRE_SANDBOX=1 refuses to run them so)")
        logger.error(message)
    return support


def sandbox_readiness() -> str | None:
    """For /api/health/ready: None when app backends get the whole sandbox, else what they lack."""
    missing = sandbox_support().missing
    return "app backends run without: " + "; ".join(missing) if missing else None
