from django.core.management.base import BaseCommand, CommandError

from stage.models import App
from workflows.models import LedgerHead
from workflows.services.ledger import ledger_verify_app


class Command(BaseCommand):
    help = "Verify every app's audit ledger hash chain; exits non-zero when an event was edited or deleted."

    def add_arguments(self, parser):
        parser.add_argument("--app", help="Verify only this app sid.")

    def handle(self, *args, app=None, **options):
        apps = App.objects.filter(pk__in=LedgerHead.objects.values("app_id")).order_by("pk")
        if app:
            apps = App.objects.filter(sid=app)
            if not apps.exists():
                raise CommandError(f"No such app: {app}")
        problems = []
        checked = 0
        for each in apps.iterator():
            checked += 1
            problems.extend(ledger_verify_app(app=each))
        for problem in problems:
            self.stderr.write(f"TAMPERED {problem}")
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in {checked} ledger(s)")
        self.stdout.write(f"OK: {checked} ledger(s) verified")
