import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from core.keys import apikey_create


class Command(BaseCommand):
    help = "On a fresh install, create a first admin user and an API key for it, and print both. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@stage.local")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Where Stage is served.")

    def handle(self, *args, username, email, base_url, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("Stage already has an admin user; nothing to create.")
            return
        password = secrets.token_urlsafe(12)
        admin = User.objects.create_superuser(username=username, email=email, password=password)
        _, raw_key = apikey_create(user=admin, name="first key")
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Stage is set up. Keep these; they are shown only once.",
                    f"  Admin:    {base_url}/admin/  user {username}  password {password}",
                    f"  API key:  {raw_key}",
                    f"  Try:      export STAGE_URL={base_url} STAGE_API_KEY={raw_key}",
                    "",
                ]
            )
        )
