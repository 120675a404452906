import os
import signal
import threading

from django.apps import AppConfig


class PublishedApiConfig(AppConfig):
    name = "published_api"

    def ready(self):
        from core.observability import register_scrape_collector
        from core.readiness import register_readiness_check
        from published_api.compiler import compile_ahead
        from published_api.metrics import SandboxCollector
        from published_api.sandbox import checks  # noqa: F401  (registers the sandbox system check)
        from published_api.sandbox.probe import sandbox_readiness
        from stage.services.deploy_builds import register_deploy_build

        register_deploy_build("backend", compile_ahead)
        register_readiness_check("sandbox", sandbox_readiness)
        register_scrape_collector(SandboxCollector())

        _stop_backends_on_sigterm()


def _stop_backends_on_sigterm() -> None:
    """A process nothing else handles SIGTERM for (the development server) stops its backends first, then
    terminates as it would have. Servers with handlers of their own (gunicorn, uvicorn, Celery) exit cleanly on
    SIGTERM already, and the supervisor's exit hook stops the backends then."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return

    def stop(signum, frame):
        from published_api.runtime import supervisor

        supervisor.stop_all(final=True)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
