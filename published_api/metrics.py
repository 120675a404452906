"""The backend runtime's figures on /metrics: sandboxes started (and how long a start took), sandboxes killed
by reason (`deadline`: a request ran past its time; `crashed`: the process died under a request; `idle_cpu`:
it burned CPU with nothing to do), and, read from the kernel at scrape time, the sandboxes alive on this host
and the memory they hold (their cgroups' own counts, so every web process's sandboxes, and the spares waiting
for their next start, are counted whichever process is scraped).
"""

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

from published_api.sandbox.probe import sandbox_support

SANDBOX_STARTS = Counter("stage_sandbox_starts_total", "Backend sandboxes started, each for one app version.")
SANDBOX_START_SECONDS = Histogram(
    "stage_sandbox_start_seconds",
    "From asking for a sandbox to its backend answering it is ready.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SANDBOX_EVICTIONS = Counter(
    "stage_sandbox_evictions_total", "Idle sandboxes retired to make room under the runtime's caps."
)
SANDBOX_KILLS = Counter("stage_sandbox_kills_total", "Backend sandbox processes killed, by reason.", ["reason"])


class SandboxCollector:
    def collect(self):
        hierarchy = sandbox_support().cgroups
        groups = [group for group in hierarchy.groups() if group.pids()] if hierarchy is not None else []
        alive = GaugeMetricFamily("stage_sandboxes", "Sandboxes with a live process on this host.")
        alive.add_metric([], len(groups))
        memory = GaugeMetricFamily("stage_sandbox_memory_bytes", "Memory the sandboxes on this host hold, in all.")
        memory.add_metric([], sum(group.memory_bytes() for group in groups))
        yield alive
        yield memory
