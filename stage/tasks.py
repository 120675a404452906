from celery import shared_task

from stage.models import Render


@shared_task(acks_late=True)
def render_build(render_id: int) -> None:
    """Build one render. A render superseded by a newer version is skipped: its result could never show."""
    render = Render.objects.filter(pk=render_id).first()
    if render is None or render.status != Render.Status.QUEUED:
        return
    if Render.objects.filter(session_id=render.session_id, version__gt=render.version).exists():
        return
    # The esbuild pipeline (issue 3) builds here; until then a render stays queued with its version recorded.
