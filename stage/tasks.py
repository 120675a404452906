from celery import shared_task

from stage.renders.services import render_build as render_build_service


@shared_task(acks_late=True)
def render_build(render_id: int) -> None:
    """Build one render (idempotent: a finished or superseded render is left alone)."""
    render_build_service(render_id=render_id)
