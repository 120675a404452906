from celery import shared_task

from published_api.compiler import compile_version
from stage.models import AppVersion


@shared_task(acks_late=True)
def compile_backend(version_id: int) -> str | None:
    """Deploy-time compile of a version's backend, so the first request finds it ready."""
    version = AppVersion.objects.filter(pk=version_id).first()
    if version is None:
        return None
    return compile_version(version=version)
