"""Host names under the apps domain: which app, version, channel or session a host serves, and back.

app-abc.<domain>            the app's production channel (label = the sid, lowercased, "_" -> "-")
app-abc--preview.<domain>   the app's preview channel
app-abc--v3.<domain>        version 3 of the app, forever
s-k123.<domain>             the preview frame of session k123
"""

import re
from dataclasses import dataclass

from django.conf import settings

_APP_LABEL = re.compile(r"^app-(?P<key>[a-z0-9]{1,40})(?:--(?:(?P<preview>preview)|v(?P<number>[1-9][0-9]{0,8})))?$")
_SESSION_LABEL = re.compile(r"^s-(?P<session>[a-z0-9]{1,40})$")
PRODUCTION, PREVIEW, VERSION, SESSION = "production", "preview", "version", "session"


@dataclass(frozen=True)
class Origin:
    """What one host under the apps domain serves."""

    kind: str  # production | preview | version | session
    app_sid: str = ""
    version: int | None = None
    session_id: str = ""

    @property
    def channel(self) -> str | None:
        return self.kind if self.kind in (PRODUCTION, PREVIEW) else None


class UnknownOrigin(Exception):
    """A host under the apps domain that names no app, version or session."""


def _hostname(host: str) -> str:
    """The host name alone: lowercased, without port or trailing dot."""
    host = host.lower()
    if host.startswith("["):  # an IPv6 literal is never under the apps domain
        return host
    return host.rsplit(":", 1)[0].rstrip(".")


def origin_of(host: str) -> Origin | None:
    """The origin a request's Host names; None for the platform's own hosts.

    Raises UnknownOrigin for a host under the apps domain that is not one of ours.
    """
    name, domain = _hostname(host), settings.STAGE_APPS_DOMAIN
    if not name.endswith(f".{domain}"):
        return None
    label = name[: -len(domain) - 1]
    if found := _APP_LABEL.match(label):
        sid = f"app_{found['key']}"
        if found["preview"]:
            return Origin(PREVIEW, app_sid=sid)
        if found["number"]:
            return Origin(VERSION, app_sid=sid, version=int(found["number"]))
        return Origin(PRODUCTION, app_sid=sid)
    if found := _SESSION_LABEL.match(label):
        return Origin(SESSION, session_id=found["session"])
    raise UnknownOrigin(name)


def _label(sid: str) -> str:
    return sid.lower().replace("_", "-")


def origin_url(label: str) -> str:
    scheme, port = settings.STAGE_APPS_SCHEME, settings.STAGE_APPS_PORT
    default_port = {"http": 80, "https": 443}.get(scheme)
    suffix = f":{port}" if port and port != default_port else ""
    return f"{scheme}://{label}.{settings.STAGE_APPS_DOMAIN}{suffix}"


def app_url(sid: str) -> str:
    """The app's production origin: its UI at /, its backend at /api."""
    return origin_url(_label(sid))


def preview_url(sid: str) -> str:
    """The app's preview channel (private: the owner's key or a preview link)."""
    return origin_url(f"{_label(sid)}--preview")


def version_url(sid: str, number: int) -> str:
    """One version of the app, forever."""
    return origin_url(f"{_label(sid)}--v{number}")


def session_frame_url(session_id: str) -> str:
    """The origin a session's preview frame is served from."""
    return origin_url(f"s-{session_id.lower()}")


def frame_ancestors() -> str:
    """CSP frame-ancestors naming the platform's hosts (any port): who may embed a session's preview frame."""
    sources = []
    for host in settings.PLATFORM_HOSTS:
        if host == "*":
            return "*"
        if host.startswith("["):
            continue  # CSP host sources cannot name IPv6 literals
        if host.startswith("."):
            sources += [f"{host[1:]}:*", f"*{host}:*"]
        else:
            sources.append(f"{host}:*")
    return " ".join(sources) or "'none'"
