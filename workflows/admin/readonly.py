from core.admin.readonly import ReadOnlyAdminMixin as StageReadOnly
from core.admin.readonly import RecordAdminMixin as StageRecord


class ReadOnlyAdminMixin(StageReadOnly):
    """Stage's read-only history admin, for tables that grow without bound (no full result count)."""

    show_full_result_count = False


class RecordAdminMixin(StageRecord):
    """A record of what happened: read in the admin, never changed or deleted there (no full result count)."""

    show_full_result_count = False
