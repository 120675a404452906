"""What an app serves at a channel or version: one SQL statement, on the hot path of every published request.

Used by the backend gateway (both origins) and the app UI. The statement is planned once per connection on
PostgreSQL (a server-side prepared statement): planning this join costs more than running it (about 1 ms
against 0.1 ms here), and Django's client-side binding would plan it on every request.
"""

from dataclasses import dataclass
from datetime import datetime

import psycopg
from django.db import connection

from core.errors import NotFound
from core.ids import is_public_id
from stage.models import App, AppVersion, Channel, Session


@dataclass(frozen=True)
class Served:
    """An active app's version as a channel or version origin serves it."""

    app_sid: str
    session_id: str
    author_id: int
    last_deployed_at: datetime | None
    updated_at: datetime
    version_id: int
    version_sid: str
    number: int
    backend_entrypoint: str
    public: bool  # production serves this version now; anything else is a private preview


def _sql(by: str) -> str:
    app, channel, version, session = (m._meta.db_table for m in (App, Channel, AppVersion, Session))
    joins = {
        "channel": f"JOIN {channel} c ON c.app_id = a.id AND c.name = %s JOIN {version} v ON v.id = c.version_id ",
        "number": f"JOIN {version} v ON v.app_id = a.id AND v.number = %s ",
    }[by]
    # Table names come from our own models' metadata, never from input; values are bound parameters.
    return (
        f"SELECT a.status, s.public_id, a.author_id, a.last_deployed_at, a.updated_at, "  # noqa: S608
        # public: production serves this version now (version_is_public, below, for one at hand)
        f"v.id, v.sid, v.number, v.backend_entrypoint, EXISTS (SELECT 1 FROM {channel} p WHERE p.app_id = a.id "
        f"AND p.name = 'production' AND p.version_id = v.id) "
        f"FROM {app} a JOIN {session} s ON s.id = a.session_id {joins}WHERE a.sid = %s"
    )


def _fetch_one(sql: str, params: list) -> tuple | None:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()


def served_version(*, app_sid: str, channel: str | None = None, number: int | None = None) -> Served:
    """The version a channel (or the version with this number) of an active app serves; NotFound otherwise."""
    if (channel is None) == (number is None):
        raise ValueError("name a channel or a version number")
    if not is_public_id(app_sid):
        raise NotFound("App not found")
    row = _fetch_one(_sql("channel" if channel else "number"), [channel or number, app_sid])
    if row is None or row[0] != App.Status.ACTIVE:
        raise NotFound("App not found")
    return Served(app_sid, *row[1:9], public=bool(row[9]))


def version_is_public(*, version: AppVersion) -> bool:
    """The rule the statement above applies, for one version at hand: production serves it now."""
    return Channel.objects.filter(app_id=version.app_id, name=Channel.Name.PRODUCTION, version=version).exists()
