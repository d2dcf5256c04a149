import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xietong.core import outbox


class Command(BaseCommand):
    help = "Send the background work stored while the broker was unreachable (celery beat does it every minute)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-age",
            type=float,
            default=outbox.SWEEP_MIN_AGE.total_seconds(),
            help="Leave rows younger than this many seconds to the process that wrote them.",
        )

    def handle(self, *args, **options):
        if not settings.CELERY_BROKER_URL:
            self.stdout.write("No broker configured: tasks run inline in the web process.")
            return
        sent, refused = outbox.sweep(min_age=datetime.timedelta(seconds=options["min_age"]))
        figures = outbox.pending()
        self.stdout.write(f"Sent {sent}; {figures['pending']} still pending.")
        if refused:
            raise CommandError("The broker refused the work; it stays pending and is sent by the next sweep.")
