"""The kernel's half of a backend's sandbox: namespaces (bubblewrap), cgroup limits and a seccomp filter.

Deno's permissions are the runtime layer; this package is the layer beneath it, which holds even if Deno's own
checks fail. `bwrap.py` builds the command, `cgroups.py` the limits, `seccomp.py` the syscall filter, and
`probe.py` finds out at start what this host allows (and refuses to start without it under STAGE_REQUIRE_SANDBOX).
"""
