from django.core.management.base import BaseCommand

from published_api.runtime_host import run


class Command(BaseCommand):
    help = (
        "Run this host's backend runtime (every sandbox of this runtime directory; see published_api/runtime_host.py). "
        "Web processes start it when they need it; exits at once if one is running, and on its own when idle."
    )

    def handle(self, *args, **options):
        run()
