from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.management.totp import UserCommand


class Command(UserCommand):
    help = "Take a user's authenticators away (a lost phone): they sign in with the password alone again."

    def handle_user(self, user, username):
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        if not removed:
            raise CommandError(f"{username} has no authenticator.")
        self.stdout.write(f"Removed {username}'s authenticator; they sign in with the password alone now.")
