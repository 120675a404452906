import logging
import threading

from celery import shared_task
from celery.signals import worker_ready

from core.db import releasing_connection
from stage.renders.build import render_build as render_build_service
from stage.renders.esbuild import BuildFailed
from stage.renders.shared import shared_library
from stage.renders.versions import version_ui_build as version_ui_build_service

logger = logging.getLogger(__name__)

# Names as first published: queued messages and outbox rows carry them.


@shared_task(name="stage.tasks.render_build", acks_late=True)
def render_build(render_id: int) -> None:
    """Build one render (idempotent: a finished or superseded render is left alone)."""
    render_build_service(render_id=render_id)


@shared_task(name="stage.tasks.version_ui_build", acks_late=True)
def version_ui_build(version_id: int) -> None:
    """Build an app version's UI (idempotent: a finished build is left alone)."""
    version_ui_build_service(version_id=version_id)


@releasing_connection
def _shared_libraries_ahead() -> None:
    try:
        shared_library()
    except BuildFailed:
        logger.exception("The shared libraries did not build; the first render will try again")


@worker_ready.connect
def build_shared_libraries_ahead(**kwargs) -> None:
    """A worker that starts on a new builder version makes its shared libraries at once, beside its first tasks,
    rather than in the first render's time."""
    threading.Thread(target=_shared_libraries_ahead, name="shared-libraries", daemon=True).start()
