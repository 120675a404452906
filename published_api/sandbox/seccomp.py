"""A seccomp filter for sandboxed processes: a short deny-list of syscalls no backend needs.

The program is classic BPF, handed to bubblewrap (`--seccomp FD`), which installs it just before it runs the
sandboxed program. It refuses (EPERM) what lets a process reach past its namespaces or into the kernel: other
processes' memory (ptrace, process_vm_*), kernel keyrings, modules, BPF, perf, mounts and namespaces, io_uring,
userfaultfd, clocks, swap, reboot. Everything else is allowed: Deno and V8 need a wide, ordinary set.
x86-64 only; on other architectures the sandbox runs without it and says so.
"""

import errno
import platform
import struct

# From <asm/unistd_64.h>.
BLOCKED_X86_64 = {
    "ptrace": 101, "syslog": 103, "uselib": 134, "ustat": 136, "sysfs": 139, "vhangup": 153, "pivot_root": 155,
    "_sysctl": 156, "chroot": 161, "acct": 163, "settimeofday": 164, "mount": 165, "umount2": 166, "swapon": 167,
    "swapoff": 168, "reboot": 169, "iopl": 172, "ioperm": 173, "create_module": 174, "init_module": 175,
    "delete_module": 176, "get_kernel_syms": 177, "query_module": 178, "quotactl": 179, "nfsservctl": 180,
    "lookup_dcookie": 212, "clock_settime": 227, "kexec_load": 246, "add_key": 248, "request_key": 249,
    "keyctl": 250, "unshare": 272, "move_pages": 279, "perf_event_open": 298, "name_to_handle_at": 303,
    "open_by_handle_at": 304, "clock_adjtime": 305, "setns": 308, "process_vm_readv": 310, "process_vm_writev": 311,
    "kcmp": 312, "finit_module": 313, "kexec_file_load": 320, "bpf": 321, "userfaultfd": 323, "io_uring_setup": 425,
    "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430,
    "fsconfig": 431, "fsmount": 432, "fspick": 433, "pidfd_getfd": 438, "process_madvise": 440,
    "mount_setattr": 442, "quotactl_fd": 443,
}  # fmt: skip

_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_SYSCALL_BIT = 0x40000000
# BPF opcodes (linux/filter.h, linux/seccomp.h)
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000
_OFFSET_NR, _OFFSET_ARCH = 0, 4  # struct seccomp_data


def _instruction(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def supported() -> bool:
    return platform.machine() == "x86_64"


def deny_list_program() -> bytes:
    """The filter as bytes of `struct sock_filter`: wrong architecture -> kill; x32 or a blocked call -> EPERM."""
    numbers = sorted(BLOCKED_X86_64.values())
    refuse = _RET_ERRNO | errno.EPERM
    # Layout: [arch check][load nr][x32 check][one test per number][allow][refuse]
    program = [
        _instruction(_LD_W_ABS, _OFFSET_ARCH),
        _instruction(_JEQ_K, _AUDIT_ARCH_X86_64, jt=1, jf=0),
        _instruction(_RET_K, _RET_KILL_PROCESS),
        _instruction(_LD_W_ABS, _OFFSET_NR),
    ]
    tests = len(numbers) + 1  # the x32 test, then one per number
    program.append(_instruction(_JGE_K, _X32_SYSCALL_BIT, jt=tests, jf=0))  # jump to "refuse"
    for index, number in enumerate(numbers):
        program.append(_instruction(_JEQ_K, number, jt=len(numbers) - index, jf=0))
    program.append(_instruction(_RET_K, _RET_ALLOW))
    program.append(_instruction(_RET_K, refuse))
    return b"".join(program)
