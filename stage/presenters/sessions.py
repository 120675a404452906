"""Response shapes of sessions, files, renders and snapshots, shared by the REST API and the Convex endpoint:
each output serializer is the one definition of its shape, for the answers and for the API schema."""

from django.db.models import Count
from rest_framework import serializers

from core.api.outputs import EpochMsField, Output, RowsField
from stage.models import Render, Session, Snapshot
from stage.selectors import sessions as selectors


class MeOutput(Output):
    username = serializers.CharField(source="user.username")
    email = serializers.CharField(source="user.email")
    staff = serializers.BooleanField(source="user.is_staff")
    keyName = serializers.CharField(source="key.name", help_text="The API key's label.")
    keyPrefix = serializers.CharField(source="key.prefix", help_text="The API key's first characters.")


class SessionIdOutput(Output):
    id = serializers.CharField(source="public_id")


class SessionOutput(SessionIdOutput):
    name = serializers.CharField()
    createdAt = EpochMsField(source="created_at")
    lastAccessedAt = EpochMsField(source="last_accessed_at")


class CountOutput(Output):
    count = serializers.IntegerField()


class PushedOutput(CountOutput):
    """`count` files pushed: `changed` got a new version, `unchanged` already had that content (no new version)."""

    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class FileWrittenOutput(Output):
    path = serializers.CharField()
    version = serializers.IntegerField()
    size = serializers.IntegerField()


class FileSummaryOutput(FileWrittenOutput):
    """A row of selectors.current_files (a RowsField): the latest version of one path."""

    encoding = serializers.ChoiceField(choices=["utf-8", "base64"], help_text="base64: a binary file.")
    content = serializers.CharField(required=False, help_text="Only with ?content=1.")


class FileHistoryOutput(FileWrittenOutput):
    createdAt = EpochMsField(source="created_at")


class FileDetailOutput(FileHistoryOutput):
    content = serializers.CharField(help_text="The text, or for a binary file its bytes in base64.")
    encoding = serializers.ChoiceField(choices=["utf-8", "base64"])


class RenderTriggeredOutput(Output):
    entry = serializers.CharField()
    version = serializers.IntegerField()


class RenderStateOutput(RenderTriggeredOutput):
    error = serializers.CharField(allow_null=True)
    renderedAt = EpochMsField(source="rendered_at", allow_null=True)
    status = serializers.ChoiceField(choices=Render.Status.values)
    buildMs = serializers.IntegerField(
        source="build_ms", allow_null=True, help_text="Task start to stored artifact, in milliseconds."
    )
    errorLocations = serializers.ListField(
        source="error_locations",
        child=serializers.DictField(),
        allow_null=True,
        help_text="Build errors as {file, line, column, message}.",
    )


class SessionTimesOutput(Output):
    createdAt = EpochMsField(source="created_at")
    lastAccessedAt = EpochMsField(source="last_accessed_at")


class StatusOutput(Output):
    """Exactly the spec's status shape: session times, render state or null, the latest version of each file."""

    session = SessionTimesOutput()
    render = RenderStateOutput(allow_null=True)
    files = RowsField(FileWrittenOutput)  # the spec's {path, version, size}, exactly


class SnapshotOutput(Output):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    createdAt = EpochMsField(source="created_at")
    fileCount = serializers.IntegerField(source="file_count")


class SnapshotFileOutput(Output):
    path = serializers.CharField()
    version = serializers.IntegerField()
    size = serializers.IntegerField()


class SnapshotDetailOutput(SnapshotOutput):
    files = SnapshotFileOutput(many=True, source="file_list")


class DeletedOutput(Output):
    id = serializers.CharField()
    deleted = serializers.BooleanField()


class RestoredOutput(Output):
    restored = serializers.IntegerField()


class GoogleScopesOutput(Output):
    scopes = serializers.ListField(child=serializers.CharField())


class SessionCountsOutput(Output):
    files = serializers.IntegerField()
    snapshots = serializers.IntegerField()
    renders = serializers.IntegerField()
    messages = serializers.IntegerField()
    kvKeys = serializers.IntegerField(source="kv_keys")


class SessionDetailOutput(SessionOutput):
    """A session with its latest render's state and how much it holds."""

    render = RenderStateOutput(allow_null=True)
    counts = SessionCountsOutput()
    liveRevision = serializers.IntegerField(source="live_revision", help_text="Bumped by every live change.")


def session_detail(session: Session) -> dict:
    session.refresh_from_db(fields=["live_revision", "name", "last_accessed_at"])
    session.render = selectors.render_latest(session=session)
    session.counts = {
        "files": len(selectors.current_files(session=session)),
        "snapshots": session.snapshots.count(),
        "renders": session.renders.count(),
        "messages": session.messages.count(),
        "kv_keys": session.values.count(),
    }
    return SessionDetailOutput.of(session)


def session_status(session: Session) -> dict:
    render = selectors.render_latest(session=session)
    files = [
        {"path": row["path"], "version": row["version"], "size": row["size"]}
        for row in selectors.current_files(session=session)
    ]
    return StatusOutput.of({"session": session, "render": render, "files": files})


def snapshots_with_counts(session: Session) -> list[dict]:
    return SnapshotOutput.many(selectors.snapshot_list(session=session).annotate(file_count=Count("files")))


def snapshot_summary(snapshot: Snapshot) -> dict:
    return SnapshotOutput.of(Snapshot.objects.annotate(file_count=Count("files")).get(pk=snapshot.pk))


def snapshot_detail(snapshot: Snapshot) -> dict:
    snapshot = Snapshot.objects.annotate(file_count=Count("files")).get(pk=snapshot.pk)
    snapshot.file_list = list(snapshot.files.order_by("path").values("path", "version", "size"))
    return SnapshotDetailOutput.of(snapshot)
