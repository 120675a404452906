"""Staff's view of Stage, one module per area. Writes go through the same services as the API."""

from stage.admin import published_apps, sessions  # noqa: F401
