from django.conf import settings
from django.db import models

from core.ids import new_session_id


class Session(models.Model):
    """A sandbox session: a versioned file tree owned by one user, rendered on demand."""

    public_id = models.CharField(max_length=32, unique=True, default=new_session_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stage_sessions")
    name = models.CharField(max_length=200, blank=True)
    google_scopes = models.JSONField(default=list, blank=True)
    # The last render version handed out; bumped under a row lock so versions are distinct and increasing.
    render_counter = models.PositiveIntegerField(default=0)
    # What its app shares live (`liveData` of `@stage/convex`), and a counter bumped by every change to it, to the
    # app's key-value store or to its messages: how a preview learns that it has something new to show.
    live_data = models.JSONField(null=True, blank=True)
    live_revision = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_accessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.public_id
