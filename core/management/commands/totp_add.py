from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.admin_site import authenticator
from core.management.totp import UserCommand


class Command(UserCommand):
    help = (
        "Give a user an authenticator for two-factor sign-in to the admin (a confirmed TOTP device). The otpauth:// "
        "URI to scan (or to type its secret into an authenticator app) is printed alone on the last line."
    )

    def handle_user(self, user, username):
        if authenticator(user) is not None:
            raise CommandError(f"{username} already has an authenticator; `manage.py totp_remove {username}` first.")
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        self.stderr.write(
            f"{username} now signs in to the admin with a password and the 6-digit code of this authenticator. "
            "Scan the URI below as a QR code, or give your app its secret; keep it private."
        )
        self.stdout.write(device.config_url)
