import datetime

from django.core.management.base import BaseCommand

from xietong.supervision.reminders import run_reminders


class Command(BaseCommand):
    help = "Send the reminders and escalations due today (safe to run from several machines at once)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="Run as of this day (YYYY-MM-DD).")

    def handle(self, *args, **options):
        sent = run_reminders(options["date"])
        self.stdout.write(f"{sent} reminders sent")
