"""An app's UI on its own origin: `/` is the platform's shell, `/__stage/frame` the app in a sandboxed frame.

The UI is the frontend of the version the origin serves (production, preview, or one version), built from
that version's own files when it was created (stage/renders/versions.py). Like a preview, the app's code runs
only in a frame whose origin is opaque (`Content-Security-Policy: sandbox allow-scripts allow-forms`), so even on
its own origin it can set no cookie and read no storage; the shell around it is the platform's markup.
"""

import time
from http import HTTPStatus

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render as render_template
from django.views.decorators.http import require_safe

from core.errors import StageError
from stage.models import AppVersion
from stage.origins.access import kept_private, preview_caller_check
from stage.origins.names import VERSION, Origin, frame_ancestors
from stage.origins.preview_links import PARAM, cookie_name, preview_token_check
from stage.preview.csp import SHELL_POLICY, new_nonce, with_policy
from stage.preview.pages import frame_page, message_page
from stage.selectors.served import served_version

UiStatus = AppVersion.UiStatus


def _version(request) -> tuple[AppVersion, bool]:
    """The version this origin serves and whether it is public, once the caller may see it; StageError otherwise."""
    origin: Origin = request.app_origin
    if origin.kind == VERSION:
        served = served_version(app_sid=origin.app_sid, number=origin.version)
    else:
        served = served_version(app_sid=origin.app_sid, channel=origin.kind)
    if not served.public:
        preview_caller_check(request, app_sid=served.app_sid, author_id=served.author_id)
    return AppVersion.objects.select_related("app", "ui_artifact").get(pk=served.version_id), served.public


def _refused(request, error: StageError):
    private = error.status_code == HTTPStatus.UNAUTHORIZED
    return message_page(
        request,
        title="This preview is private" if private else "No app here",
        text=error.message if private else "There is no such app or version, or it has been archived.",
        status=error.status_code,
    )


def _not_ready(request, version: AppVersion):
    """The message for a version whose UI is not there to show; None when it is."""
    if version.ui_status == UiStatus.READY:
        return None
    if version.ui_status == UiStatus.NONE:
        entry = version.app.ui_entry
        text = f"Version {version.number} of {version.app.name} has no UI ({entry} is not among its files)."
        return message_page(request, title="No UI", text=text, status=HTTPStatus.NOT_FOUND)
    if version.ui_status == UiStatus.FAILED:
        text = f"The UI of version {version.number} did not build; its owner can see why in the version's details."
        return message_page(request, title="This UI failed to build", text=text, status=HTTPStatus.SERVICE_UNAVAILABLE)
    text = f"The UI of version {version.number} is being built; this page reloads by itself."
    return message_page(request, title="Building…", text=text, status=HTTPStatus.SERVICE_UNAVAILABLE, refresh=2)


def _keep_preview_link(request):
    """A preview link opened: keep its token as a host-only cookie on this origin and drop it from the URL."""
    token = request.GET[PARAM]
    expires_at = preview_token_check(token=token, app_sid=request.app_origin.app_sid)
    response = HttpResponseRedirect("/")
    response.set_cookie(
        cookie_name(),
        token,
        max_age=max(0, int(expires_at - time.time())),
        httponly=True,
        samesite="Lax",
        secure=settings.STAGE_APPS_SCHEME == "https",
    )
    return response


@require_safe
def app_ui(request):
    try:
        version, public = _version(request)
        if PARAM in request.GET:
            return _keep_preview_link(request)
    except StageError as error:
        return _refused(request, error)
    if (page := _not_ready(request, version)) is not None:
        return kept_private(page, public=public)
    nonce = new_nonce()
    origin: Origin = request.app_origin
    host = {  # what the frame's @stage/app says; the live modules are a session preview's (stage/preview/live.py)
        "app": {"sid": version.app.sid, "name": version.app.name, "channel": origin.channel, "version": version.number},
        "reason": "the live @stage modules (kv, convex, pulse, ledger) run in a session's preview, not on app pages",
    }
    context = {"nonce": nonce, "title": version.app.name, "host": host}
    page = render_template(request, "origins/app.html", context)
    return kept_private(with_policy(page, SHELL_POLICY, nonce), public=public)


@require_safe
def app_ui_frame(request):
    try:
        version, public = _version(request)
    except StageError as error:
        return _refused(request, error)
    if (page := _not_ready(request, version)) is not None:
        return kept_private(page, public=public)
    # framed by the app's own shell, which the platform's admin may frame in turn (an app's page shows its UI)
    ancestors = f"'self' {frame_ancestors()}"
    frame = frame_page(request, artifact=version.ui_artifact, version=version.number, ancestors=ancestors)
    return kept_private(frame, public=public)
