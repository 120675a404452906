"""What the totp_add and totp_remove commands share: one argument, the username, which must name a user."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class UserCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username}.")
        self.handle_user(user, username)

    def handle_user(self, user, username: str):
        raise NotImplementedError
