"""The bubblewrap command line: a program in new user, PID, mount, IPC, UTS and network namespaces that sees
only itself, the shared libraries it links, its read-only inputs and one writable directory of sockets.

Inside, the filesystem is: the program at /usr/bin/<its name> (so its host path, the checkout, stays unknown),
its libraries, the inputs (read-only), the run directory
at /run/stage, a private /proc (its own PID namespace: its own processes only), a minimal /dev and an empty
tmpfs at /tmp. No host /proc, /tmp, /etc, checkout or database socket. It cannot create further user namespaces,
and dies with the process that started it.
"""

import functools
import re
import shutil
import subprocess
from pathlib import Path

RUN_DIR = "/run/stage"
_LDD_PATH = re.compile(r"(/\S+)")


@functools.cache
def bwrap_path() -> str | None:
    return shutil.which("bwrap")


@functools.cache
def shared_libraries(program: str) -> tuple[str, ...]:
    """The absolute paths of the libraries (and the loader) a program links, as ldd resolves them."""
    try:
        output = subprocess.run(["ldd", program], capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    paths = []
    for line in output.splitlines():
        found = [match for match in _LDD_PATH.findall(line) if Path(match).exists()]
        if found:
            paths.append(found[-1])
    return tuple(dict.fromkeys(paths))


def mount_options(*, inputs: dict[str, str], run_dir: str) -> list[str]:
    """What differs between sandboxes of one program: `inputs` maps host paths to paths inside (read-only);
    `run_dir` is /run/stage."""
    options = []
    for host_path, inside in inputs.items():
        options += ["--ro-bind", host_path, inside]
    return [*options, "--bind", run_dir, RUN_DIR, "--chdir", "/"]


def sandbox_command(*, program: str, args: list[str], mounts: list[str], seccomp_fd: int | None = None) -> list[str]:
    """bwrap ... <program> <args>, with `mounts` (mount_options(), or `--args FD` to read them later)."""
    inside_program = f"/usr/bin/{Path(program).name}"
    command = [
        bwrap_path() or "bwrap",
        "--unshare-user",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-net",
        "--unshare-cgroup-try",
        "--disable-userns",
        "--die-with-parent",
        "--cap-drop",
        "ALL",
        "--hostname",
        "sandbox",
        "--clearenv",
        "--setenv",
        "NO_COLOR",
        "1",
        "--setenv",
        "DENO_DIR",
        "/tmp/deno",  # noqa: S108  (the sandbox's own empty tmpfs, not the host's /tmp)
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",  # noqa: S108  (a fresh tmpfs inside the mount namespace)
        "--ro-bind",
        program,
        inside_program,
    ]
    for library in shared_libraries(program):
        command += ["--ro-bind", library, library]
    command += mounts
    if seccomp_fd is not None:
        command += ["--seccomp", str(seccomp_fd)]
    return [*command, inside_program, *args]
