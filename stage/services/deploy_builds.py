"""Builds a deploy runs on its new version once the version is committed, registered by the apps that own them.

The deploy service knows no plug-in: an app that builds something from a version's files (the backend compile,
for one) registers a callable from its AppConfig.ready(). It runs in the deploy's own request, after the commit,
and records its outcome on the version; it must not raise for a fault in the author's files, which is reported
on the version, never by refusing the deploy.
"""

from collections.abc import Callable

from stage.models import AppVersion

_builds: dict[str, Callable[[AppVersion], None]] = {}


def register_deploy_build(name: str, build: Callable[[AppVersion], None]) -> None:
    _builds[name] = build


def run_deploy_builds(version: AppVersion) -> None:
    for _name, build in sorted(_builds.items()):
        build(version)
