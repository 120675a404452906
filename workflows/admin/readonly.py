class ReadOnlyAdminMixin:
    """History is never edited by hand: it can be read, and deleted only with its parent."""

    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
