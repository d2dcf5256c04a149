import datetime

from django.core.management.base import BaseCommand

from xietong.supervision.actions import do_send_reminders


class Command(BaseCommand):
    help = "Send the reminders and take the escalation ladder's steps due today (safe on several machines at once)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="Run as of this day (YYYY-MM-DD).")

    def handle(self, *args, **options):
        sent = do_send_reminders(today=options["date"])
        self.stdout.write(f"{sent} reminders sent")
