"""The public preview. Anyone holding a session's id may view it, as in the original Stage: the id is an
unguessable capability, and the app runs in a sandboxed, opaque-origin frame that can reach neither the
platform's cookies nor its API as the viewer.

The page lives on the platform's origin; the frame comes from the session's own origin under the apps domain
(`s-<id>.<STAGE_APPS_DOMAIN>/frame`). `/s/<id>/frame` on the platform's origin stays for links made before,
sandboxed by its own header just the same.
"""

import json
import re
from http import HTTPStatus

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound, JsonResponse
from django.shortcuts import render as render_template
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.api.envelope import json_error_response, stage_error_response
from core.errors import NotFound, PayloadTooLarge, StageError, ValidationFailed
from core.limits import session_quota
from stage import presenters
from stage.models import App
from stage.origins.names import frame_ancestors, session_frame_url
from stage.preview.csp import PAGE_POLICY, new_nonce, with_policy
from stage.preview.pages import frame_page, missing_page
from stage.preview.state import preview_state_of
from stage.renders import selectors as render_selectors
from stage.renders.runtime_errors import runtime_error_located
from stage.renders.services import render_report_error
from stage.renders.shared import shared_script

MAX_REPORT_BYTES = 16 * 1024
RUNTIME_ERROR_PREFIX = "Runtime error: "
ACCEPTS_GZIP = re.compile(r"(?:^|,)\s*gzip\s*(?:;\s*q\s*=\s*(?P<q>[0-9.]+))?\s*(?:,|$)", re.IGNORECASE)


@require_GET
def preview_page(request, session_id: str):
    nonce = new_nonce()
    session = render_selectors.preview_session(public_id=session_id)
    if session is None:
        return missing_page(request)
    frame_origin = session_frame_url(session.public_id)
    base_url = request.build_absolute_uri("/").rstrip("/")
    api_base = f"{base_url}/api/v1/stage/sessions/"
    config = {
        "sessionId": session.public_id,
        "stateUrl": reverse("preview-state", args=[session.public_id]),
        "frameUrl": f"{frame_origin}/frame",
        "errorsUrl": reverse("preview-errors", args=[session.public_id]),
        "eventsUrl": reverse("preview-events", args=[session.public_id]),
        "artifactUrl": reverse("preview-artifact", args=[session.public_id]),
        "pollMs": settings.STAGE_PREVIEW_POLL_MS,
        **preview_state_of(session),
    }
    app = App.objects.filter(session=session, status=App.Status.ACTIVE).values("sid", "name").first()
    host = {  # for the frame's browser @stage/* modules (templates/preview/_frame_host.js)
        "liveUrl": reverse("preview-live", args=[session.public_id]),
        "app": {**app, "channel": None, "version": None} if app else None,
    }
    context = {
        "nonce": nonce,
        "session": session,
        "config": config,
        "host": host,
        "base_url": base_url,
        "push_url": f"{api_base}{session.public_id}/push",
        "render_url": f"{api_base}{session.public_id}/render",
    }
    page = render_template(request, "preview/page.html", context)
    return with_policy(page, PAGE_POLICY, nonce, frame_src=frame_origin)


def _frame(request, session_id: str, *, ancestors: str):
    session = render_selectors.preview_session(public_id=session_id)
    raw_version = request.GET.get("v", "")
    version = int(raw_version) if raw_version.isascii() and raw_version.isdigit() else None
    ready = render_selectors.render_latest_ready(session=session, version=version) if session else None
    if ready is None:
        return missing_page(request)
    return frame_page(request, artifact=ready.artifact, version=ready.version, ancestors=ancestors)


@require_GET
@xframe_options_sameorigin
def preview_frame(request, session_id: str):
    """The frame on the platform's origin (older links): sandboxed by its header, framed only by the platform."""
    return _frame(request, session_id, ancestors="'self'")


@require_GET
def session_frame(request):
    """The frame on the session's own origin (s-<id>.<apps domain>/frame), framed only by the platform's pages."""
    return _frame(request, request.app_origin.session_id, ancestors=frame_ancestors())


@require_GET
def preview_artifact(request, session_id: str):
    """A ready render's bundle, for the page to hand to a frame already running the app (`?v=` a version, else the
    newest ready one): {version, js, css, shared}. Public by session id, like the frame that shows it."""
    session = render_selectors.preview_session(public_id=session_id)
    raw_version = request.GET.get("v", "")
    version = int(raw_version) if raw_version.isascii() and raw_version.isdigit() else None
    ready = render_selectors.render_latest_ready(session=session, version=version) if session else None
    if ready is None:
        return json_error_response(HTTPStatus.NOT_FOUND, "NOT_FOUND", "No ready render of that version")
    artifact = ready.artifact
    data = {"version": ready.version, "js": artifact.js, "css": artifact.css, "shared": artifact.shared}
    response = JsonResponse({"success": True, "data": data})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def shared_libraries(request, fingerprint: str):
    """The shared libraries' script of one builder version (React, Radix, recharts, the shadcn/ui modules), on every
    origin a frame is served from: the page around a frame fetches it once and the browser keeps it (its name
    changes with its content), then hands it to the frame; a frame opened on its own loads it from here."""
    script = shared_script(fingerprint)
    if script is None:
        return HttpResponseNotFound("No such shared libraries", content_type="text/plain")
    accepted = ACCEPTS_GZIP.search(request.headers.get("accept-encoding", ""))
    gzipped = accepted is not None and _weight(accepted["q"]) > 0
    response = HttpResponse(script.gzipped if gzipped else script.plain, content_type="text/javascript; charset=utf-8")
    if gzipped:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def preview_state(request, session_id: str):
    session = render_selectors.preview_session(public_id=session_id)
    if session is None:
        return json_error_response(HTTPStatus.NOT_FOUND, "NOT_FOUND", "Session not found")
    response = JsonResponse({"success": True, "data": preview_state_of(session)})
    response["Cache-Control"] = "no-store"
    return response


def _weight(q: str | None) -> float:
    try:
        return 1.0 if q is None else float(q)
    except ValueError:
        return 0.0


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate: not text PostgreSQL can store
        return False
    return True


def _report_input(request) -> tuple[str, int | None, str]:
    if len(request.body) > MAX_REPORT_BYTES:
        raise PayloadTooLarge("Error report too large")
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        data = None
    if not isinstance(data, dict) or set(data) - {"error", "version", "stack"}:
        raise ValidationFailed('Expected {"error": str, "version": int, "stack"?: str}')
    error, version, stack = data.get("error"), data.get("version"), data.get("stack", "")
    if not isinstance(error, str) or not error.strip() or "\x00" in error or not _encodable(error):
        raise ValidationFailed("error must be a non-empty string of valid Unicode text")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
        raise ValidationFailed("version must be a positive integer")
    if not isinstance(stack, str) or not _encodable(stack):
        raise ValidationFailed("stack must be a string of valid Unicode text")
    return error, version, stack


# No CSRF token: the preview is public by session id, so a token would prove nothing a caller could not get
# by loading the page; the report can only set the error text of that session's render.
@csrf_exempt
@require_POST
def preview_report_error(request, session_id: str):
    """Record a runtime error the app raised in the viewer's browser into the render state."""
    session = render_selectors.preview_session(public_id=session_id)
    if session is None:
        return json_error_response(HTTPStatus.NOT_FOUND, "NOT_FOUND", "Session not found")
    try:
        session_quota(session.public_id, "preview_error_reports")
        error, version, stack = _report_input(request)
        # Only a ready render runs in a browser; a failed build's located errors are never overwritten from here.
        ready = render_selectors.render_latest_ready(session=session, version=version, with_artifact=False)
        if ready is None:
            raise NotFound("No ready render to report an error on")
        locations = []
        if stack:  # where in the session's files: the stack traced through the artifact's source map
            message = error.removeprefix(RUNTIME_ERROR_PREFIX)
            error, locations = runtime_error_located(artifact_id=ready.artifact_id, message=message, stack=stack)
        render = render_report_error(session=session, error=error, version=ready.version, locations=locations)
    except StageError as exc:
        return stage_error_response(exc)
    return JsonResponse({"success": True, "data": presenters.RenderStateOutput.of(render)})
