class ReadOnlyAdminMixin:
    """History is never edited by hand: it can be read, and deleted only with its parent."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RecordAdminMixin(ReadOnlyAdminMixin):
    """A record of what happened (a run and its steps, inference usage, the ledger, billing and pulse events, a
    channel's history): read in the admin, never changed or deleted there."""

    def has_delete_permission(self, request, obj=None):
        return False
