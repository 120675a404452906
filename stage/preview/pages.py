"""The two documents every sandboxed view answers with: the app's frame, and a plain message page."""

import re
from http import HTTPStatus

from django.shortcuts import render as render_template

from stage.models import RenderArtifact
from stage.preview.csp import FRAME_POLICY, MESSAGE_POLICY, new_nonce, with_policy

_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)
_STYLE_END = re.compile(r"</(style)", re.IGNORECASE)


def message_page(request, *, title: str, text: str, status: int = HTTPStatus.OK, refresh: int | None = None):
    nonce = new_nonce()
    context = {"nonce": nonce, "title": title, "text": text, "refresh": refresh}
    response = render_template(request, "preview/message.html", context, status=status)
    return with_policy(response, MESSAGE_POLICY, nonce)


def missing_page(request):
    return message_page(
        request,
        title="Nothing to preview here",
        text="There is no such session, or it has no ready render at that version.",
        status=HTTPStatus.NOT_FOUND,
    )


def frame_page(request, *, artifact: RenderArtifact, version: int, ancestors: str):
    """A built bundle as a sandboxed document (opaque origin however it is opened), framed only by `ancestors`."""
    nonce = new_nonce()
    context = {
        "nonce": nonce,
        "version": version,
        # Inline, so the opaque-origin frame needs no fetch; closing tags inside are escaped.
        "js": _SCRIPT_END.sub(r"<\\/\1", artifact.js),
        "css": _STYLE_END.sub(r"<\\/\1", artifact.css),
        "shared": artifact.shared,  # the shared libraries it runs on; empty for a self-contained bundle
    }
    response = render_template(request, "preview/frame.html", context)
    return with_policy(response, FRAME_POLICY, nonce, ancestors=ancestors)
