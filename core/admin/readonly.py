class ReadOnlyAdminMixin:
    """Rows written by the platform, not by hand: read in the admin, never added or changed there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PartAdminMixin(ReadOnlyAdminMixin):
    """Part of a parent (a session's file versions, renders and snapshots): read in the admin, never added, changed
    or deleted on its own pages, and deleted along with its parent (a session, or the user owning it)."""

    def has_delete_permission(self, request, obj=None):
        own_pages = f"{self.opts.app_label}_{self.opts.model_name}_"  # the admin's URL names for this model
        match = getattr(request, "resolver_match", None)
        if match is None or (match.url_name or "").startswith(own_pages):
            return False
        return super().has_delete_permission(request, obj)


class RecordAdminMixin(ReadOnlyAdminMixin):
    """A record of what happened (a run and its steps, inference usage, the ledger, billing and pulse events, a
    channel's history, messages and their deliveries): read in the admin, never changed or deleted there."""

    def has_delete_permission(self, request, obj=None):
        return False
