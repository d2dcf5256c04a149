from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xietong.core.tasks import ping


class Command(BaseCommand):
    help = "Send a ping task through the configured broker and wait for a worker to answer."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args, **options):
        if not settings.CELERY_BROKER_URL:
            self.stdout.write("No broker configured: tasks run inline in the web process.")
            return
        try:
            answer = ping.delay().get(timeout=options["timeout"])
        except Exception as exc:
            raise CommandError(f"No worker answered within {options['timeout']} s: {exc}") from exc
        self.stdout.write(f"A worker answered at {answer['at']}.")
