"""The admin site: sign-in with a password and, for a user who has an authenticator, its 6-digit code.

Two-factor sign-in is django-otp's TOTP: `manage.py totp_add <username>` gives a user a confirmed device. From then
on the login form (built on django-otp's OTPAuthenticationFormMixin) wants the code as well, and the session is
marked verified (django_otp.login, through the user_logged_in signal). A user without a device signs in with the
password alone unless STAGE_ADMIN_REQUIRE_2FA is on, in which case staff without a verified device are refused
the admin with a message saying how to get one. A wrong code counts as a failed sign-in for django-axes, so codes
cannot be guessed past the lockout any more than passwords can.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticator(user) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if they have one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def refusal(user) -> str:
    """Why this signed-in (or password-checked) user may not use the admin as things stand; empty when they may."""
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return ""
    if getattr(user, "otp_device", None) is not None:  # verified this session
        return ""
    if user_has_device(user, confirmed=True):
        return "This account has an authenticator: sign in again with the 6-digit code from it."
    if settings.STAGE_ADMIN_REQUIRE_2FA:
        return (
            f"Two-factor sign-in is required for the admin and {user.get_username()} has no authenticator yet. "
            f"An operator can add one with `manage.py totp_add {user.get_username()}`."
        )
    return ""


class TwoFactorLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    otp_token = forms.CharField(
        required=False,
        label="Authentication code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, if you have set one up.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": "Enter the 6-digit code from your authenticator app as well.",
        "invalid_token": "That authentication code is not right (or was already used). Try the next one.",
    }

    def clean(self):
        cleaned = super().clean()  # the password (and django-axes' lockout) first
        user = self.get_user()
        device = authenticator(user) if user else None
        if device is not None:
            cleaned["otp_device"] = device.persistent_id
            try:
                self.clean_otp(user)
            except forms.ValidationError as error:
                if error.code != "token_required":  # a wrong (or throttled) code: counted like a wrong password
                    credentials = {"username": user.get_username()}
                    user_login_failed.send(sender=__name__, credentials=credentials, request=self.request)
                raise
        elif user is not None and (message := refusal(user)):
            raise forms.ValidationError(message, code="two_factor_required")
        return cleaned


class StageAdminSite(admin.AdminSite):
    site_header = "Stage administration"
    site_title = "Stage admin"
    login_form = TwoFactorLoginForm
    login_template = "admin/stage_login.html"

    def has_permission(self, request):
        return super().has_permission(request) and not refusal(request.user)

    def login(self, request, extra_context=None):
        return super().login(request, {"two_factor_refusal": refusal(request.user), **(extra_context or {})})
