from django.conf import settings
from django.db import transaction

from core.errors import ValidationFailed
from stage.models import CurrentFile, Session, Snapshot
from stage.services.files import files_push


def snapshot_create(*, session: Session, name: str | None = None) -> Snapshot:
    """Capture the session's current files by reference: the snapshot points at file versions."""
    name = (name or "").strip()
    if len(name) > settings.STAGE_MAX_SESSION_NAME:
        raise ValidationFailed(
            f"name must be at most {settings.STAGE_MAX_SESSION_NAME} characters", details={"name": ["Too long."]}
        )
    with transaction.atomic():
        snapshot = Snapshot.objects.create(session=session, name=name)
        version_ids = CurrentFile.objects.filter(session=session).values_list("file_version_id", flat=True)
        Through = Snapshot.files.through
        Through.objects.bulk_create(Through(snapshot=snapshot, fileversion_id=pk) for pk in version_ids)
    return snapshot


def snapshot_restore(*, snapshot: Snapshot) -> int:
    """Write the snapshot's files back as new versions (those changed since; the others already hold the snapshot's
    content); files added since are left as they are. Returns how many files the snapshot holds, all now as then."""
    files = list(snapshot.files.values_list("path", "content", "encoding"))
    files_push(session=snapshot.session, files=files)
    return len(files)
