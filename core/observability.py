"""Request ids, structured JSON logs and Prometheus metrics.

Every request gets an id (the caller's `X-Request-ID` when it is sane, else a new one); it is returned in
the response, stamped on every log line, and carried in Celery task headers so a task's logs share it.
Metrics, served at /metrics: requests and latencies by route; Celery task outcomes and durations by task and
the depth of each queue; and what plug-ins add (the backend runtime's starts, kills, live sandboxes and their
memory: published_api/metrics.py). `make run` and `make serve` set PROMETHEUS_MULTIPROC_DIR, so the web
workers' and the Celery worker's samples are summed; figures read at scrape time (queue depth, live sandboxes)
come from their source, not from any one process.
"""

import contextvars
import functools
import json
import logging
import os
import re
import time
from collections.abc import Iterable

from asgiref.sync import iscoroutinefunction
from django.http import HttpResponse
from django.utils.decorators import sync_and_async_middleware
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HEADER = "X-Request-ID"

REQUESTS = Counter(
    "stage_http_requests_total", "HTTP requests by route, method and status.", ["route", "method", "status"]
)
LATENCY = Histogram(
    "stage_http_request_duration_seconds",
    "HTTP request latency by route.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TASKS = Counter("stage_celery_tasks_total", "Celery task outcomes (success, failure, retry...).", ["task", "outcome"])
TASK_SECONDS = Histogram(
    "stage_celery_task_duration_seconds",
    "Celery task run time by task.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
_scraped: list = []  # collectors asked at scrape time (prometheus_client's collect() protocol)


def register_scrape_collector(collector) -> None:
    """Add figures read when /metrics is scraped (a queue's depth, the sandboxes alive on this host)."""
    _scraped.append(collector)


def current_request_id() -> str:
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and the exception if any."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "requestId": getattr(record, "request_id", request_id_var.get()),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


@functools.lru_cache(maxsize=4096)
def _series(route: str, method: str, status: int):
    """The labelled children of both metrics for one outcome, looked up once (labels() takes a lock each call)."""
    return LATENCY.labels(route, method), REQUESTS.labels(route, method, str(status))


def _route(request) -> str:
    """The URL pattern, not the URL: ids must not explode the metric's cardinality."""
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None and match.route else "unmatched"


def request_id_for(incoming: str | None) -> str:
    """The caller's request id when it is sane, else a new one."""
    return incoming if incoming and _SANE_ID.match(incoming) else os.urandom(16).hex()


def request_begun(request) -> tuple[contextvars.Token, float]:
    """Give the request its id (the caller's when sane) and note when it began; reset the token when it ends."""
    request.request_id = request_id_for(request.headers.get(HEADER))
    return request_id_var.set(request.request_id), time.perf_counter()


def counted(route: str, method: str, status: int, started: float) -> None:
    latency, requests = _series(route, method, status)
    latency.observe(time.perf_counter() - started)
    requests.inc()


def request_counted(request, status: int, started: float) -> None:
    counted(_route(request), request.method, status, started)


@sync_and_async_middleware
def ObservabilityMiddleware(get_response):
    """Request id in, request id out, latency and outcome counted by route; sync or async as the stack is."""

    def end(request, response, started: float):
        request_counted(request, response.status_code, started)
        response[HEADER] = request.request_id
        return response

    if iscoroutinefunction(get_response):

        async def middleware(request):
            token, started = request_begun(request)
            try:
                response = await get_response(request)
            finally:
                request_id_var.reset(token)
            return end(request, response, started)

    else:

        def middleware(request):
            token, started = request_begun(request)
            try:
                response = get_response(request)
            finally:
                request_id_var.reset(token)
            return end(request, response, started)

    return middleware


class _Scraped:
    def collect(self) -> Iterable:
        for collector in _scraped:
            try:
                yield from collector.collect()
            except Exception:  # one source down must not take the rest of the page with it
                logging.getLogger(__name__).warning("metrics: %r failed", collector, exc_info=True)


def metrics(request):
    """Prometheus text exposition: this process's registry, or every process's under PROMETHEUS_MULTIPROC_DIR,
    with the figures read at scrape time."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        page = generate_latest(registry)
    else:
        page = generate_latest()
    scraped = CollectorRegistry()
    scraped.register(_Scraped())
    return HttpResponse(page + generate_latest(scraped), content_type=CONTENT_TYPE_LATEST)


# --- Celery: the request id travels in task headers; outcomes are counted ------------------------------


def connect_celery_signals() -> None:
    from celery import signals

    @signals.before_task_publish.connect(weak=False)
    def _stamp(headers=None, **kwargs):
        if headers is not None and request_id_var.get() != "-":
            headers.setdefault("stage_request_id", request_id_var.get())

    @signals.task_prerun.connect(weak=False)
    def _adopt(task=None, **kwargs):
        task._stage_started = time.perf_counter()
        request_id = getattr(task.request, "stage_request_id", None) or request_id_var.get()
        task._stage_token = request_id_var.set(request_id if request_id != "-" else f"task-{task.request.id}")

    @signals.task_postrun.connect(weak=False)
    def _release(task=None, state=None, **kwargs):
        TASKS.labels(task.name, (state or "unknown").lower()).inc()
        started = getattr(task, "_stage_started", None)
        if started is not None:
            TASK_SECONDS.labels(task.name).observe(time.perf_counter() - started)
            task._stage_started = None
        token = getattr(task, "_stage_token", None)
        if token is not None:
            request_id_var.reset(token)
            task._stage_token = None
