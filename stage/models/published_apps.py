from django.conf import settings
from django.db import models

from core.ids import new_prefixed_id

DEFAULT_UI_ENTRY = "/app/App.tsx"


def new_app_sid() -> str:
    return new_prefixed_id("app")


def new_version_sid() -> str:
    return new_prefixed_id("ver")


class App(models.Model):
    """A session published as an app. Its channels point at immutable versions of the session's files."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        ARCHIVED = "archived"

    sid = models.CharField(max_length=32, unique=True, default=new_app_sid, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    session = models.ForeignKey("stage.Session", on_delete=models.PROTECT, related_name="apps")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stage_apps")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    repository = models.JSONField(null=True, blank=True)
    config = models.JSONField(default=dict, blank=True, help_text="Read by workflows as {{ config.x }}.")
    ui_entry = models.CharField(
        max_length=1024, default=DEFAULT_UI_ENTRY, help_text="The file each version's UI is built from."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_deployed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One app per session, so ?sessionId= and stage:getAppBySession resolve to exactly one app.
            models.UniqueConstraint(fields=["session"], name="%(app_label)s_%(class)s_unique_session"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.sid} ({self.name})"


class UiStatus(models.TextChoices):
    NONE = "none"
    QUEUED = "queued"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"


class BackendStatus(models.TextChoices):
    NONE = "none"  # no backend entrypoint and no compute modules
    UNCHECKED = "unchecked"  # deployed before deploys compiled ahead: compiled on its first request
    READY = "ready"
    FAILED = "failed"


class AppVersion(models.Model):
    """An immutable deploy: the session's files at that moment, by reference, and what the deploy found."""

    UiStatus = UiStatus
    BackendStatus = BackendStatus

    sid = models.CharField(max_length=32, unique=True, default=new_version_sid, editable=False)
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    files = models.ManyToManyField("stage.FileVersion", through="AppVersionFile", related_name="app_versions")
    backend_entrypoint = models.CharField(max_length=1024, blank=True)
    compute_modules = models.JSONField(default=list, blank=True)
    workflows = models.JSONField(null=True, blank=True, help_text="The parsed /app/shift.workflows.json, if any.")
    # The deploy compiles the backend ahead of its first request; a failure is kept here and the deploy still lands.
    backend_status = models.CharField(max_length=16, choices=BackendStatus.choices, default=BackendStatus.NONE)
    backend_error = models.JSONField(
        null=True, blank=True, help_text="{file, line, column, message} of a failed compile."
    )
    # The version's UI, built once from its own files when it is created (shown at its origin's /).
    ui_entry = models.CharField(max_length=1024, blank=True, help_text="Empty: the version has no UI.")
    ui_status = models.CharField(max_length=16, choices=UiStatus.choices, default=UiStatus.NONE)
    ui_error = models.TextField(null=True, blank=True)  # noqa: DJ001  (null: no error, as in render state)
    ui_error_locations = models.JSONField(null=True, blank=True)
    ui_artifact = models.ForeignKey(
        "stage.RenderArtifact", null=True, blank=True, on_delete=models.PROTECT, related_name="app_versions"
    )
    ui_built_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app", "number"], name="%(app_label)s_%(class)s_unique_number"),
        ]
        ordering = ["-number"]

    def __str__(self):
        return f"{self.sid} (v{self.number})"


class AppVersionFile(models.Model):
    version = models.ForeignKey(AppVersion, on_delete=models.CASCADE, related_name="version_files")
    file_version = models.ForeignKey("stage.FileVersion", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=1024)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "path"], name="%(app_label)s_%(class)s_unique_path"),
        ]

    def __str__(self):
        return self.path


class Channel(models.Model):
    """A named pointer (preview, production) at one of the app's versions."""

    class Name(models.TextChoices):
        PREVIEW = "preview"
        PRODUCTION = "production"

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="channels")
    name = models.CharField(max_length=16, choices=Name.choices)
    version = models.ForeignKey(AppVersion, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app", "name"], name="%(app_label)s_%(class)s_unique_name"),
        ]

    def __str__(self):
        return f"{self.app.sid}:{self.name}"


class ChannelMove(models.Model):
    """Every move of a channel pointer: who, when, from, to, why. Append-only."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="channel_moves")
    channel = models.CharField(max_length=16, choices=Channel.Name.choices)
    from_version = models.ForeignKey(AppVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_version = models.ForeignKey(AppVersion, on_delete=models.PROTECT, related_name="+")
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)  # what moved it: publish, deploy, promote, rollback...
    note = models.TextField(blank=True)  # why, in the words of the person who moved it (the admin asks for one)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.channel}: {self.from_version_id} -> {self.to_version_id}"
