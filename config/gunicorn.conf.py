"""gunicorn settings for Stage: `gunicorn -c config/gunicorn.conf.py config.asgi` (what `make serve` runs).

Every value from the environment. Workers are uvicorn's (ASGI, uvloop): a request waiting on an app's backend
holds a socket, not a worker, so a few processes serve everything; Django's synchronous views run in threads.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "uvicorn_worker.UvicornWorker")
# Async workers: one per core is enough (`make serve` reads WEB_CONCURRENCY); scale out with hosts.
workers = int(os.environ.get("GUNICORN_WORKERS", os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Above the backend deadline (STAGE_BACKEND_DEADLINE_SECONDS, 10 s) so the gateway answers 504 itself first.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak cannot grow without bound; jitter keeps them from restarting together.
# Rarely: a worker's backend processes go with it, and the next requests pay their start.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "200000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "20000"))
# Limits on the request line and headers; bodies are capped by Django (DATA_UPLOAD_MAX_MEMORY_SIZE).
limit_request_line = 8190
limit_request_fields = 100
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None  # empty: no access log
access_log_format = (
    '{"remote":"%(h)s","request":"%(r)s","status":%(s)s,"bytes":"%(b)s","ms":%(M)s,"requestId":"%({x-request-id}o)s"}'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR, drop a dead worker's live gauges from the summed metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
