"""The web processes' ledgers, as the host runtime reads them: requests in flight summed, the latest use kept,
a dead process's file not counted."""

import os
import subprocess
import sys
import time

from published_api.usage_ledger import PREFIX, SUFFIX, Ledger, read_usage


def test_requests_in_flight_and_last_use_are_read_across_web_processes(tmp_path):
    mine = Ledger(tmp_path)
    mine.began("p1-aaaa")
    mine.began("p1-aaaa")
    mine.began("p1-bbbb")
    mine.ended("p1-bbbb")
    other_web_process = (
        "import sys, time; sys.path.insert(0, '.');"
        "from pathlib import Path; from published_api.usage_ledger import Ledger;"
        f"Ledger(Path({str(tmp_path)!r})).began('p1-aaaa'); print('noted', flush=True); time.sleep(30)"
    )  # one request in flight to the first sandbox, and alive
    child = subprocess.Popen([sys.executable, "-c", other_web_process], stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline() == b"noted\n"
        usage = read_usage(tmp_path)
        assert usage["p1-aaaa"][0] == 3 and usage["p1-bbbb"][0] == 0
        assert abs(usage["p1-bbbb"][1] - time.monotonic()) < 5  # one clock for every process on the host
    finally:
        child.kill()
        child.wait()
    # a web process that died: what it had in flight ended with it, and its file goes
    usage = read_usage(tmp_path)
    assert usage["p1-aaaa"][0] == 2
    assert sorted(path.name for path in tmp_path.glob(f"{PREFIX}*{SUFFIX}")) == [f"{PREFIX}{os.getpid()}{SUFFIX}"]
