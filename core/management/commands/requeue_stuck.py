from datetime import timedelta

from django.core.management.base import BaseCommand

from core.outbox import requeue_stuck


class Command(BaseCommand):
    help = "Send again the renders, async workflow runs and deliveries left queued (after a broker outage, say)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=60, help="Seconds a row must have been queued.")

    def handle(self, *args, older_than, **options):
        sent = requeue_stuck(older_than=timedelta(seconds=older_than))
        self.stdout.write(", ".join(f"{count} {name}" for name, count in sent.items()) + " sent again")
