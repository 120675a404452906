"""The gateway's one read per request: what the app serves there, and the key its compiled backend lives under."""

from dataclasses import dataclass

from core.errors import NotFound
from stage.models import AppVersion
from stage.selectors.served import Served, served_version


@dataclass(frozen=True)
class BackendTarget:
    served: Served
    version: AppVersion

    @property
    def app_sid(self) -> str:
        return self.served.app_sid

    @property
    def session_id(self) -> str:
        return self.served.session_id

    @property
    def cache_key(self) -> tuple:
        s = self.served
        return (s.app_sid, s.session_id, s.last_deployed_at, s.updated_at, s.version_sid)


def backend_target(*, app_sid: str, channel: str | None = None, number: int | None = None) -> BackendTarget:
    """The backend a channel (or a version) of an active app serves; NotFound for unknown, archived or
    backend-less apps."""
    served = served_version(app_sid=app_sid, channel=channel, number=number)
    if not served.backend_entrypoint:
        raise NotFound(f"App {app_sid} has no backend entrypoint.")
    version = AppVersion(pk=served.version_id, sid=served.version_sid, backend_entrypoint=served.backend_entrypoint)
    return BackendTarget(served, version)
