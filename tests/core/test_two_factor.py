"""Two-factor sign-in to the admin (django-otp TOTP) through the real login form, with codes computed here."""

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.support.rest import run_command

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = {"username": "root", "password": "pw-123456789"}


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 1) % 1_000_000:06d}"


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


@pytest.fixture
def device(staff_user):
    return TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)


@pytest.fixture
def no_throttle(settings):
    """django-otp refuses every code for a second after a wrong one; these tests try the right one at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_a_user_with_an_authenticator_needs_its_code_as_well_as_the_password(client, device, no_throttle):
    alone = client.post(LOGIN, PASSWORD)
    assert alone.status_code == 200 and "6-digit code" in alone.content.decode()
    assert not signed_in(client)

    wrong = client.post(LOGIN, {**PASSWORD, "otp_token": wrong_code(device)})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    assert not signed_in(client)

    wrong_password = client.post(LOGIN, {**PASSWORD, "password": "guess", "otp_token": code_for(device)})
    assert wrong_password.status_code == 200 and not signed_in(client)

    right = client.post(LOGIN, {**PASSWORD, "otp_token": code_for(device)})
    assert right.status_code == 302 and right["Location"] == "/admin/"
    assert signed_in(client)
    assert "Authentication code" in Client().get(LOGIN).content.decode()  # the field is on the form


def test_a_code_is_good_once(client, device):
    code = code_for(device)
    assert client.post(LOGIN, {**PASSWORD, "otp_token": code}).status_code == 302
    again = Client().post(LOGIN, {**PASSWORD, "otp_token": code})
    assert again.status_code == 200 and "already used" in again.content.decode()


def test_a_session_without_the_code_is_refused_once_the_user_has_an_authenticator(client, staff_user):
    client.force_login(staff_user)
    assert signed_in(client)
    TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert "sign in again with the 6-digit code" in client.get(LOGIN).content.decode()


def test_without_an_authenticator_the_password_is_enough_unless_2fa_is_required(client, staff_user, settings):
    assert client.post(LOGIN, PASSWORD).status_code == 302 and signed_in(client)

    settings.STAGE_ADMIN_REQUIRE_2FA = True
    assert not signed_in(client)  # the session already open is refused too
    assert "manage.py totp_add root" in client.get(LOGIN).content.decode()
    refused = Client().post(LOGIN, PASSWORD)
    assert refused.status_code == 200
    assert "Two-factor sign-in is required for the admin and root has no authenticator" in refused.content.decode()

    device = TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)
    fresh = Client()
    assert fresh.post(LOGIN, {**PASSWORD, "otp_token": code_for(device)}).status_code == 302 and signed_in(fresh)


def test_wrong_codes_count_towards_the_lockout_like_wrong_passwords(client, device, no_throttle):
    for _ in range(4):
        assert client.post(LOGIN, {**PASSWORD, "otp_token": wrong_code(device)}).status_code == 200
    fifth = client.post(LOGIN, {**PASSWORD, "otp_token": wrong_code(device)})
    assert fifth.status_code == 429  # the fifth failure locks at once

    locked = Client().post(LOGIN, {**PASSWORD, "otp_token": code_for(device)})
    assert locked.status_code == 429 and "locked" in locked.content.decode().lower()
    assert AccessAttempt.objects.get(username="root").failures_since_start >= 5
    AccessAttempt.objects.all().delete()  # staff lift it
    assert Client().post(LOGIN, {**PASSWORD, "otp_token": code_for(device)}).status_code == 302


def test_wrong_passwords_still_lock_a_user_with_an_authenticator(client, device):
    for _ in range(5):
        client.post(LOGIN, {**PASSWORD, "password": "guess", "otp_token": code_for(device)})
    assert Client().post(LOGIN, {**PASSWORD, "otp_token": code_for(device)}).status_code == 429


def test_totp_add_prints_a_uri_whose_codes_sign_in_and_totp_remove_takes_it_away(client, staff_user):
    uri = run_command("totp_add", "root").strip().splitlines()[-1]
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc, parts.path) == ("otpauth", "totp", "/Stage%3Aroot")
    query = {key: value[0] for key, value in parse_qs(parts.query).items()}
    assert query["issuer"] == "Stage" and query["digits"] == "6" and query["period"] == "30"
    secret = base64.b32decode(query["secret"] + "=" * (-len(query["secret"]) % 8))
    assert TOTPDevice.objects.get(user=staff_user).confirmed

    assert client.post(LOGIN, PASSWORD).status_code == 200  # the password alone is no longer enough
    code = f"{totp(secret, step=30, digits=6):06d}"  # what the authenticator app shows
    assert client.post(LOGIN, {**PASSWORD, "otp_token": code}).status_code == 302 and signed_in(client)

    with pytest.raises(CommandError, match="already has an authenticator"):
        call_command("totp_add", "root")
    assert "Removed root's authenticator" in run_command("totp_remove", "root")
    assert not TOTPDevice.objects.exists()
    assert Client().post(LOGIN, PASSWORD).status_code == 302
    with pytest.raises(CommandError, match="has no authenticator"):
        call_command("totp_remove", "root")
    for command in ("totp_add", "totp_remove"):
        with pytest.raises(CommandError, match="no user nobody"):
            call_command(command, "nobody")
