"""Latency of a URL as a steady client sees it: one request every --interval seconds for --seconds (not as fast as
possible, which would measure the probe's own load); prints JSON {count, errors, statuses, p50, p99, max} in ms.

Run as its own process, so that its timings do not share an interpreter with whatever load runs beside it:
    python bench/probe.py URL --seconds 6 --interval 0.02 [--header "Authorization: Bearer ..."]
"""

import argparse
import collections
import json
import statistics
import time

import httpx


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--interval", type=float, default=0.02)
    parser.add_argument("--header", action="append", default=[])
    options = parser.parse_args()
    headers = dict(header.split(": ", 1) for header in options.header)
    latencies, statuses = [], collections.Counter()
    with httpx.Client(headers=headers, timeout=10) as client:
        ends = time.monotonic() + options.seconds
        while time.monotonic() < ends:
            started = time.perf_counter()
            try:
                statuses[client.get(options.url).status_code] += 1
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(max(0.0, options.interval - (time.perf_counter() - started)))
    quantiles = statistics.quantiles(latencies, n=100)
    print(json.dumps({
        "count": len(latencies),
        "statuses": {str(k): v for k, v in statuses.items()},
        "p50": statistics.median(latencies),
        "p99": quantiles[98],
        "max": max(latencies),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
