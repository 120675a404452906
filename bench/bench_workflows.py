"""Issue 7's figure: a 5-step workflow (billing, pulse, ledger, communication enqueue, response), end to end.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/stage_bench_workflows REDIS_URL=redis://127.0.0.1:6379/7 \
    .venv/bin/python bench/bench_workflows.py

Stage runs under gunicorn on loopback; the client keeps its connection alive. With REDIS_URL set the
communication step only enqueues the delivery (as in production); the queue is purged at the end.
"""

import json
import os
import statistics
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import api_key, manage, median_ms, report, require_postgres, serve, timed

ROUNDS = int(os.environ.get("BENCH_RUNS", "5"))
PER_ROUND = 40

WORKFLOW = {
    "version": 1,
    "workflows": {
        "checkout": {
            "steps": [
                {
                    "id": "bill",
                    "billing.createItem": {
                        "customerEmail": "{{ input.email }}",
                        "amountCents": "{{ input.amountCents }}",
                        "metadata": {"order": "{{ input.order }}"},
                    },
                },
                {"pulse.track": {"event": "checkout", "properties": {"amount": "{{ input.amountCents }}"}}},
                {"ledger.audit": {"operation": "write", "resource": "order/{{ input.order }}"}},
                {
                    "communication.send": {
                        "channelId": "{{ config.channelId }}",
                        "to": "{{ input.email }}",
                        "subject": "Receipt {{ input.order }}",
                        "text": "Paid {{ input.amountCents }} cents",
                    }
                },
                {"response": {"status": 201, "body": {"item": "{{ steps.bill.id }}", "order": "{{ input.order }}"}}},
            ]
        }
    },
}


def main() -> None:
    require_postgres()
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL=redis://... : the communication step enqueues on Redis as in production.")
    manage("migrate", "--noinput")
    headers = {"Authorization": f"Bearer {api_key('bench-workflows')}"}
    with serve() as base, httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=60) as client:
        session = client.post("/stage/sessions").json()["data"]["id"]
        files = {"/app/shift.workflows.json": json.dumps(WORKFLOW)}
        client.post(f"/stage/sessions/{session}/push", json={"files": files}).raise_for_status()
        published = client.post("/stage/apps", json={"sessionId": session, "name": "bench-workflows"})
        published.raise_for_status()
        sid = published.json()["data"]["sid"]
        channel = client.post("/communication/channels", json={"name": "receipts", "kind": "email", "config": {}})
        channel_id = channel.json()["data"]["id"]
        client.patch(f"/stage/apps/{sid}", json={"config": {"channelId": channel_id}}).raise_for_status()
        client.post("/communication/registrations", json={"appSid": sid, "channelId": channel_id}).raise_for_status()

        counter = iter(range(1_000_000))

        def checkout() -> None:
            n = next(counter)
            body = {"input": {"email": f"buyer{n}@example.com", "amountCents": 1250 + n, "order": f"o{n}"}}
            response = client.post(f"/run/{sid}/checkout", json=body, headers={"Idempotency-Key": f"bench-{n}"})
            if response.status_code != 201:
                raise RuntimeError(response.text)

        for _ in range(5):
            checkout()  # warm both gunicorn workers
        medians = []
        for _ in range(ROUNDS):
            medians.append(median_ms([timed(checkout) for _ in range(PER_ROUND)]))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.celery import app as celery_app

    celery_app.control.purge()
    import django

    django.setup()
    from workflows.models import Run

    inside = sorted(Run.objects.filter(app__sid=sid).values_list("duration_ms", flat=True))
    print(f"5-step workflow, {ROUNDS} rounds x {PER_ROUND} runs; per-round medians (ms):")
    print("  " + ", ".join(f"{value:.1f}" for value in medians))
    report("run: billing, pulse, ledger, communication enqueue, response", statistics.median(medians), "ms", "<= 50 ms")
    report("  of which the five steps (Run.durationMs, median)", statistics.median(inside), "ms")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
