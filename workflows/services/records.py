"""Writes of the billing and pulse blocks: one row per run step, however often the step runs."""

from django.db import IntegrityError, connection, transaction

from core.errors import ValidationFailed
from workflows.models import BillingItem, GoogleCredential, PulseEvent


def insert_once(model, **fields):
    """INSERT one row; an IntegrityError (a unique constraint) propagates, leaving any outer transaction usable.

    In autocommit mode this is one statement; inside a transaction it adds a savepoint.
    """
    if connection.in_atomic_block:
        with transaction.atomic():
            return model.objects.create(**fields)
    return model.objects.create(**fields)


def _once(model, *, app, run, step_index, **fields):
    """Create the step's row, or return the one an earlier execution of the same run step created."""
    if run is None:
        return model.objects.create(app=app, **fields)
    try:
        return insert_once(model, app=app, run=run, step_index=step_index, **fields)
    except IntegrityError:
        return model.objects.get(run=run, step_index=step_index)


def billing_item_create(
    *, app, run, step_index, customer_email: str, amount_cents: int, currency: str, description: str, metadata: dict
) -> BillingItem:
    return _once(
        BillingItem,
        app=app,
        run=run,
        step_index=step_index,
        customer_email=customer_email,
        amount_cents=amount_cents,
        currency=currency,
        description=description,
        metadata=metadata,
    )


def pulse_track(*, app, run, step_index, event: str, properties: dict, distinct_id: str) -> PulseEvent:
    return _once(
        PulseEvent,
        app=app,
        run=run,
        step_index=step_index,
        event=event,
        properties=properties,
        distinct_id=distinct_id,
    )


def google_credential_clean(*, refresh_token: str, service_account_info: dict | None) -> None:
    """Exactly one way to act as a Google account: an OAuth refresh token or a whole service account key."""
    if bool(refresh_token) == bool(service_account_info):
        raise ValidationFailed("Give either an OAuth refresh token or a service account key, not both")
    if service_account_info is not None:
        if not isinstance(service_account_info, dict):
            raise ValidationFailed("The service account key is the JSON object Google gives you")
        missing = sorted({"client_email", "private_key"} - set(service_account_info))
        if missing:
            raise ValidationFailed(f"The service account key lacks {', '.join(missing)}")


def google_credential_set(
    *,
    app,
    refresh_token: str = "",
    client_id: str = "",
    client_secret: str = "",
    service_account_info: dict | None = None,
):
    """Attach (or replace) the Google account an app's Sheets steps act as."""
    google_credential_clean(refresh_token=refresh_token, service_account_info=service_account_info)
    kind = GoogleCredential.Kind.SERVICE_ACCOUNT if service_account_info else GoogleCredential.Kind.REFRESH_TOKEN
    credential, _ = GoogleCredential.objects.update_or_create(
        app=app,
        defaults={
            "kind": kind,
            "refresh_token": refresh_token,
            "client_id": client_id,
            "client_secret": client_secret,
            "service_account_info": service_account_info,
        },
    )
    return credential


def google_credential_remove(*, app) -> None:
    GoogleCredential.objects.filter(app=app).delete()
