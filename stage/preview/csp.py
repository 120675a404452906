"""Content-Security-Policy headers for the preview page and for the app's sandboxed frame."""

import secrets

# The platform page runs only its own nonced script and talks only to its own origin.
PAGE_POLICY = (
    "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; "
    "frame-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# The app's frame gets what a self-contained bundle needs: its two nonced scripts, inline styles (CSS,
# CSS modules and style attributes), data:/blob: images, fonts and media inlined by the build. No network,
# no eval, no forms, no plugins; only the platform's own preview page may frame it.
FRAME_POLICY = (
    "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src data: blob:; "
    "font-src data:; media-src data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def with_policy(response, policy: str, nonce: str):
    response["Content-Security-Policy"] = policy.format(nonce=nonce)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
