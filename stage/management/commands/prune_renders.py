from django.core.management.base import BaseCommand

from stage.renders.retention import renders_prune


class Command(BaseCommand):
    help = (
        "Delete render history beyond the newest --keep renders per session (never a session's newest ready render "
        "or one still building), then artifacts no render uses. Safe to run while Stage serves, e.g. daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep", type=int, default=20, help="Renders kept per session (at least 1).")

    def handle(self, *args, keep, **options):
        deleted = renders_prune(keep=max(1, keep))
        self.stdout.write(
            f"{deleted['renders']} renders, {deleted['artifacts']} artifacts, "
            f"{deleted['sharedLibraries']} shared libraries deleted"
        )
