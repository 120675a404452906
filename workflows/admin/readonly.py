from core.admin.readonly import ReadOnlyAdminMixin as StageReadOnly


class ReadOnlyAdminMixin(StageReadOnly):
    """Stage's read-only history admin, for tables that grow without bound (no full result count)."""

    show_full_result_count = False
