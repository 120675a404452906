class ReadOnlyAdminMixin:
    """History is never edited by hand: it can be read, and deleted only with its parent."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
