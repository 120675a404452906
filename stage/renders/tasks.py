from celery import shared_task

from stage.renders.build import render_build as render_build_service
from stage.renders.versions import version_ui_build as version_ui_build_service

# Names as first published: queued messages and outbox rows carry them.


@shared_task(name="stage.tasks.render_build", acks_late=True)
def render_build(render_id: int) -> None:
    """Build one render (idempotent: a finished or superseded render is left alone)."""
    render_build_service(render_id=render_id)


@shared_task(name="stage.tasks.version_ui_build", acks_late=True)
def version_ui_build(version_id: int) -> None:
    """Build an app version's UI (idempotent: a finished build is left alone)."""
    version_ui_build_service(version_id=version_id)
