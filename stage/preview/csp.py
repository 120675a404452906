"""Content-Security-Policy headers for the preview page, the sandboxed frames that run tenant code, and the
platform's own pages on an app's origin (the UI shell, messages)."""

import secrets

# The platform page runs only its own nonced script, talks only to its own origin, and frames only the
# session's frame origin.
PAGE_POLICY = (
    "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; "
    "frame-src 'self' {frame_src}; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
# The app's frame gets what a self-contained bundle needs: its two nonced scripts, inline styles (CSS,
# CSS modules and style attributes), data:/blob: images, fonts and media inlined by the build. No network,
# no eval, no plugins. `sandbox allow-scripts allow-forms` as a header makes its origin opaque however it is
# opened (in the page's iframe or top-level): it can reach no cookie, storage or window of any real origin.
# Forms are allowed so that their submit events fire (an app's form handlers, react-hook-form's validation);
# `form-action 'none'` still lets no form go anywhere.
FRAME_POLICY = (
    "sandbox allow-scripts allow-forms; default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; media-src data: blob:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors {ancestors}"
)
# The UI shell on an app's origin: the platform's own markup around the sandboxed frame of the app; it fetches the
# shared libraries from its own origin for the frame.
SHELL_POLICY = (
    "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; frame-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)
# A message page (not found, private, building): markup and its nonced style only.
MESSAGE_POLICY = "default-src 'none'; style-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'"


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def with_policy(response, policy: str, nonce: str, **values):
    response["Content-Security-Policy"] = policy.format(nonce=nonce, **values)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
