"""Kernel limits for one sandbox: memory (all of it: heap, ArrayBuffers, WebAssembly, Workers, tmpfs), process
and thread count, and CPU (a fair share and a ceiling), in a cgroup of its own; cgroup v2 or v1.

The sandbox's first process moves itself in before it execs anything else (spare.py starts it through
`sh -c 'echo $$ > cgroup.procs ...; exec ...'`), so nothing it starts runs outside its limits even for an
instant. Memory beyond the limit is met by the kernel's OOM killer inside the cgroup; the platform reads the
cgroup to report it and to measure CPU.
"""

import contextlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)
ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "pids", "cpu", "cpuacct")
CPU_PERIOD_US = 100_000


@dataclass(frozen=True)
class Limits:
    memory_bytes: int
    pids: int
    cpu_cores: float  # ceiling, in cores; every sandbox also gets an equal share when cores are contended


def _write(path: Path, value: str) -> None:
    path.write_text(value)


class Cgroup:
    """One sandbox's cgroup (v1: a directory per controller; v2: one directory)."""

    def __init__(self, dirs: dict[str, Path], version: int):
        self.dirs = dirs
        self.version = version

    @property
    def name(self) -> str:
        return next(iter(self.dirs.values())).name

    @property
    def procs_files(self) -> list[Path]:
        return [path / "cgroup.procs" for path in dict.fromkeys(self.dirs.values())]

    def cpu_usage_ns(self) -> int:
        if self.version == 2:
            stat = (self.dirs["cpu"] / "cpu.stat").read_text().split()
            return int(stat[stat.index("usage_usec") + 1]) * 1000
        return int((self.dirs["cpuacct"] / "cpuacct.usage").read_text())

    def memory_peak_bytes(self) -> int | None:
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((self.dirs["memory"] / name).read_text())
        except (OSError, ValueError):
            return None

    def memory_bytes(self) -> int:
        """What the kernel charges the sandbox for now (all its memory: heap, buffers, tmpfs)."""
        name = "memory.current" if self.version == 2 else "memory.usage_in_bytes"
        try:
            return int((self.dirs["memory"] / name).read_text())
        except (OSError, ValueError):
            return 0

    def oom_kills(self) -> int:
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            lines = (self.dirs["memory"] / name).read_text().splitlines()
        except OSError:
            return 0
        counts = dict(line.split() for line in lines if len(line.split()) == 2)
        return int(counts.get("oom_kill", 0))

    def pids(self) -> list[int]:
        found: set[int] = set()
        for procs in self.procs_files:
            with contextlib.suppress(OSError):
                found.update(int(pid) for pid in procs.read_text().split())
        return sorted(found)

    def remove(self) -> None:
        """Remove the (empty) cgroup; processes the kernel is still reaping get a moment to go."""
        for path in dict.fromkeys(self.dirs.values()):
            for _ in range(50):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)


class Hierarchy:
    """Where this host keeps cgroups we may create, and how to make one with limits."""

    def __init__(self, version: int, parents: dict[str, Path]):
        self.version = version
        self.parents = parents  # controller -> the directory sandboxes are created under

    def create(self, name: str, limits: Limits) -> Cgroup:
        dirs = {controller: parent / name for controller, parent in self.parents.items()}
        for path in dict.fromkeys(dirs.values()):
            path.mkdir(exist_ok=True)
        group = Cgroup(dirs, self.version)
        quota = max(1000, int(limits.cpu_cores * CPU_PERIOD_US))
        if self.version == 2:
            base = dirs["memory"]
            _write(base / "memory.max", str(limits.memory_bytes))
            with contextlib.suppress(OSError):  # no swap accounting on this kernel: nothing to cap
                _write(base / "memory.swap.max", "0")
            _write(base / "pids.max", str(limits.pids))
            _write(base / "cpu.max", f"{quota} {CPU_PERIOD_US}")
        else:
            _write(dirs["memory"] / "memory.limit_in_bytes", str(limits.memory_bytes))
            with contextlib.suppress(OSError):  # memsw exists only with swap accounting; without swap it is moot
                _write(dirs["memory"] / "memory.memsw.limit_in_bytes", str(limits.memory_bytes))
            _write(dirs["pids"] / "pids.max", str(limits.pids))
            _write(dirs["cpu"] / "cpu.cfs_period_us", str(CPU_PERIOD_US))
            _write(dirs["cpu"] / "cpu.cfs_quota_us", str(quota))
        return group

    def groups(self) -> list[Cgroup]:
        """Every sandbox cgroup on this host under our parent, whichever process made it."""
        memory = self.parents["memory"]
        names = sorted(child.name for child in memory.iterdir() if child.is_dir()) if memory.exists() else []
        return [Cgroup({c: parent / name for c, parent in self.parents.items()}, self.version) for name in names]

    def sweep(self, alive) -> int:
        """Remove cgroups left by web processes that died (their names start with the owner's pid)."""
        removed = 0
        for parent in dict.fromkeys(self.parents.values()):
            for child in parent.iterdir() if parent.exists() else ():
                owner = child.name.split("-", 1)[0]
                if child.is_dir() and owner.isdigit() and not alive(int(owner)):
                    with contextlib.suppress(OSError):
                        child.rmdir()
                        removed += 1
        return removed


def _v2_root() -> Path | None:
    """A cgroup2 mount whose controllers include memory, pids and cpu, if this host has one."""
    for candidate in (ROOT, ROOT / "unified"):
        controllers = candidate / "cgroup.controllers"
        if controllers.exists() and {"memory", "pids", "cpu"} <= set(controllers.read_text().split()):
            return candidate
    return None


def find_hierarchy(group_name: str) -> tuple[Hierarchy | None, str]:
    """The hierarchy to create sandboxes in, under `<mount>/<group_name>`, or (None, what is missing)."""
    try:
        v2 = _v2_root()
        if v2 is not None:
            parent = v2 / group_name
            parent.mkdir(exist_ok=True)
            _write(v2 / "cgroup.subtree_control", "+memory +pids +cpu")
            _write(parent / "cgroup.subtree_control", "+memory +pids +cpu")
            return Hierarchy(2, dict.fromkeys(("memory", "pids", "cpu"), parent)), ""
        mounts = {controller: ROOT / controller for controller in V1_CONTROLLERS}
        missing = [name for name, path in mounts.items() if not (path / "cgroup.procs").exists()]
        if missing:
            return None, f"cgroup controllers {', '.join(missing)} are not mounted"
        parents = {}
        for controller, mount in mounts.items():
            parents[controller] = mount / group_name
            parents[controller].mkdir(exist_ok=True)
        return Hierarchy(1, parents), ""
    except OSError as exc:
        return None, f"cgroups are not writable here ({exc.strerror or exc})"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
