"""Google Sheets v4 through google-auth: credentials attached to the app, base URLs from settings."""

from urllib.parse import quote

import google.auth.exceptions
import requests
from django.conf import settings
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import credentials as oauth2_credentials
from google.oauth2 import service_account

from workflows.blocks import fields
from workflows.errors import GoogleNotConfigured, MissingGoogleScope, UpstreamUnavailable, ValidationFailed
from workflows.models import GoogleCredential
from workflows.registry import StepContext, register

SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"


def _build_credentials(stored: GoogleCredential):
    service_account_kind = stored.kind == GoogleCredential.Kind.SERVICE_ACCOUNT
    secrets = (stored.service_account_info,) if service_account_kind else (stored.refresh_token, stored.client_secret)
    if any(value is None for value in secrets):  # encrypted under a SECRET_KEY that is gone
        raise GoogleNotConfigured("The app's Google credentials cannot be decrypted: attach them again in the admin.")
    if service_account_kind:
        info = {**stored.service_account_info, "token_uri": settings.STAGE_GOOGLE_TOKEN_URL}
        try:
            return service_account.Credentials.from_service_account_info(info, scopes=[SHEETS_SCOPE])
        except (ValueError, KeyError) as exc:
            raise GoogleNotConfigured(f"The app's service account key is unusable: {exc}") from None
    return oauth2_credentials.Credentials(
        token=None,
        refresh_token=stored.refresh_token,
        client_id=stored.client_id,
        client_secret=stored.client_secret,
        token_uri=settings.STAGE_GOOGLE_TOKEN_URL,
        scopes=[SHEETS_SCOPE],
    )


# Credentials objects keep their access token until it expires, so a token is fetched once per hour per app and
# process, not once per step. Keyed by what would change them; cleared when it grows large.
_CACHE: dict[tuple, object] = {}


def _scope_declared(app) -> None:
    if SHEETS_SCOPE not in (app.session.google_scopes or []):
        raise MissingGoogleScope(f"The app's session must declare the Google scope {SHEETS_SCOPE}")


def _credentials(app):
    _scope_declared(app)
    stored = GoogleCredential.objects.filter(app=app).first()
    if stored is None:
        raise GoogleNotConfigured(f"No Google credentials are attached to app {app.sid}")
    key = (stored.pk, stored.updated_at, settings.STAGE_GOOGLE_TOKEN_URL)
    if key not in _CACHE:
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[key] = _build_credentials(stored)
    return _CACHE[key]


def _call(app, method: str, path: str, **kwargs) -> dict:
    session = AuthorizedSession(_credentials(app), auth_request=Request())
    url = settings.STAGE_SHEETS_BASE_URL.rstrip("/") + path
    try:
        response = session.request(method, url, timeout=settings.STAGE_UPSTREAM_TIMEOUT_SECONDS, **kwargs)
    except google.auth.exceptions.RefreshError as exc:
        raise UpstreamUnavailable(f"Google refused the app's credentials: {exc}") from None
    except (requests.RequestException, google.auth.exceptions.TransportError) as exc:
        raise UpstreamUnavailable(f"Google Sheets could not be reached: {type(exc).__name__}") from None
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    if response.status_code == 400:
        message = (payload.get("error") or {}).get("message") or "bad request"
        raise ValidationFailed(f"Google Sheets refused the request: {message}", details={"upstream": 400})
    if response.status_code in (403, 404):
        message = (payload.get("error") or {}).get("message") or response.reason
        raise ValidationFailed(
            f"Google Sheets answered {response.status_code}: {message}", details={"upstream": response.status_code}
        )
    if response.status_code >= 300 or not isinstance(payload, dict):
        raise UpstreamUnavailable(f"Google Sheets answered {response.status_code}")
    return payload


def _id(ctx, config):
    return quote(fields.text(ctx, config, "spreadsheetId", max_length=200), safe="")


def _range(ctx, config):
    return quote(fields.text(ctx, config, "range", max_length=500), safe="")


def _values(ctx, config) -> list:
    values = fields.sequence(ctx, config, "values", required=True)
    if values and not isinstance(values[0], list):
        values = [values]  # one row given as a flat list
    for index, row in enumerate(values):
        if not isinstance(row, list) or any(isinstance(cell, dict | list) for cell in row):
            raise fields.invalid(ctx, f"values[{index}]", "each row must be a list of plain values")
    return values


DRY_RUN_ID = "dry-run-spreadsheet"

# A dry run checks what the workflow says (the scope it declares, the step's fields) and needs no credentials.


def _preview_create(ctx: StepContext, config: dict) -> dict:
    _scope_declared(ctx.app)
    fields.text(ctx, config, "title", max_length=500)
    return {"spreadsheetId": DRY_RUN_ID, "url": None}  # an id later steps can name, as they would the real one


def _preview_append(ctx: StepContext, config: dict) -> dict:
    _scope_declared(ctx.app)
    _id(ctx, config), _range(ctx, config)
    return {"updatedRange": None, "updatedRows": len(_values(ctx, config))}


def _preview_get(ctx: StepContext, config: dict) -> dict:
    _scope_declared(ctx.app)
    _id(ctx, config), _range(ctx, config)
    return {"values": []}


@register("sheets.createSpreadsheet", required=["title"], preview=_preview_create)
def create_spreadsheet(ctx: StepContext, config: dict) -> dict:
    """Create a spreadsheet."""
    title = fields.text(ctx, config, "title", max_length=500)
    payload = _call(ctx.app, "POST", "/v4/spreadsheets", json={"properties": {"title": title}})
    return {"spreadsheetId": payload.get("spreadsheetId"), "url": payload.get("spreadsheetUrl")}


@register("sheets.appendValues", required=["spreadsheetId", "range", "values"], preview=_preview_append)
def append_values(ctx: StepContext, config: dict) -> dict:
    """Append rows to a range."""
    path = f"/v4/spreadsheets/{_id(ctx, config)}/values/{_range(ctx, config)}:append"
    payload = _call(
        ctx.app,
        "POST",
        path,
        params={"valueInputOption": "USER_ENTERED", "insertDataOption": "INSERT_ROWS"},
        json={"values": _values(ctx, config)},
    )
    updates = payload.get("updates") or {}
    return {"updatedRange": updates.get("updatedRange"), "updatedRows": updates.get("updatedRows", 0)}


@register("sheets.getValues", required=["spreadsheetId", "range"], preview=_preview_get)
def get_values(ctx: StepContext, config: dict) -> dict:
    """Read a range."""
    payload = _call(ctx.app, "GET", f"/v4/spreadsheets/{_id(ctx, config)}/values/{_range(ctx, config)}")
    return {"values": payload.get("values", [])}
