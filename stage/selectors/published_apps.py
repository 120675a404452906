"""Reads of published apps, their versions and channels."""

from django.db.models import Q, QuerySet

from core.errors import NotFound
from stage.models import App, AppVersion, AppVersionFile, Channel, ChannelMove


def _is_key(value: object) -> bool:
    """A string that can be looked up at all (PostgreSQL refuses NUL in text)."""
    return isinstance(value, str) and "\x00" not in value


def _app_queryset() -> QuerySet[App]:
    return App.objects.select_related("author", "session")


def app_get_public(*, sid: str) -> App:
    """Any app by sid, with no owner scoping: for the published gateway and the workflow runner."""
    app = _app_queryset().filter(sid=sid).first() if _is_key(sid) else None
    if app is None:
        raise NotFound("App not found")
    return app


def app_get(*, sid: str, owner) -> App:
    """The owner's app; any other caller learns only that there is no such app."""
    app = _app_queryset().filter(sid=sid, author=owner).first() if _is_key(sid) else None
    if app is None:
        raise NotFound("App not found")
    return app


def app_list(
    *, owner, author: str | None = None, session_id: str | None = None, status: str | None = None
) -> QuerySet[App]:
    """The owner's apps, newest first, narrowed by author (email or username), session public id and status."""
    apps = _app_queryset().filter(author=owner)
    if author is not None:
        by_author = Q(author__email__iexact=author) | Q(author__username=author)  # one created without an email too
        apps = apps.filter(by_author) if _is_key(author) else apps.none()
    if session_id is not None:
        apps = apps.filter(session__public_id=session_id) if _is_key(session_id) else apps.none()
    if status is not None:
        apps = apps.filter(status=status)
    return apps


def app_get_by_session(*, session_id: str, owner) -> App | None:
    """The newest of the owner's apps published from that session, or None."""
    return app_list(owner=owner, session_id=session_id).first()


def channel_version(*, app: App, channel: str = Channel.Name.PRODUCTION) -> AppVersion:
    """The version a channel of the app points at."""
    found = Channel.objects.select_related("version").filter(app=app, name=channel).first()
    if found is None:
        raise NotFound(f"Channel not found: {channel}")
    return found.version


def channels_of(*, app: App) -> dict[str, Channel]:
    """Channel name -> channel, with its version and app loaded."""
    return {channel.name: channel for channel in Channel.objects.select_related("version", "app").filter(app=app)}


def version_files(*, version: AppVersion, encoding: str = "utf-8") -> dict[str, str]:
    """The version's text files (or, with encoding="base64", its binary ones), path -> content, in one query."""
    rows = AppVersionFile.objects.filter(version=version, file_version__encoding=encoding).order_by("path")
    return dict(rows.values_list("path", "file_version__content"))


def version_manifest(*, version: AppVersion) -> list[dict]:
    """The version's files without content: path, file version and size."""
    rows = AppVersionFile.objects.filter(version=version).order_by("path")
    return [
        {"path": path, "version": number, "size": size}
        for path, number, size in rows.values_list("path", "file_version__version", "file_version__size")
    ]


def version_list(*, app: App) -> QuerySet[AppVersion]:
    return AppVersion.objects.filter(app=app).select_related("created_by", "app").order_by("-number")


def version_get(*, app: App, sid: str) -> AppVersion:
    version = AppVersion.objects.filter(app=app, sid=sid).first() if _is_key(sid) else None
    if version is None:
        raise NotFound("App version not found")
    return version


def version_get_by_number(*, app: App, number: int) -> AppVersion:
    version = AppVersion.objects.filter(app=app, number=number).first()
    if version is None:
        raise NotFound(f"App {app.sid} has no version {number}")
    return version


def channel_history(*, app: App) -> QuerySet[ChannelMove]:
    """Every pointer move of the app's channels, newest first."""
    return ChannelMove.objects.filter(app=app).select_related("from_version", "to_version", "moved_by")
