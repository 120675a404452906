from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from core.keys import apikey_create


class Command(BaseCommand):
    help = "Create an API key for a user (created if needed). The key is printed alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username; created if it does not exist.")
        parser.add_argument("--name", default="", help="A label for the key.")
        parser.add_argument("--email", default="", help="Email for a newly created user.")

    def handle(self, *args, user, name, email, **options):
        account, created = get_user_model().objects.get_or_create(username=user, defaults={"email": email})
        if created:
            account.set_unusable_password()
            account.save(update_fields=["password"])
            self.stderr.write(f"Created user {user}.")
        _, raw_key = apikey_create(user=account, name=name)
        self.stdout.write(raw_key)
