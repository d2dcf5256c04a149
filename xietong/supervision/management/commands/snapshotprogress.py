import datetime

from django.core.management.base import BaseCommand

from xietong.supervision.actions import do_write_snapshots


class Command(BaseCommand):
    help = "Store today's completion figures per city for the dashboard's trend (running it twice a day overwrites)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="Store the figures as of this day (YYYY-MM-DD)."
        )

    def handle(self, *args, **options):
        snapshots = do_write_snapshots(day=options["date"])
        for s in snapshots:
            self.stdout.write(
                f"{s.date} {s.unit.name}: {s.done}/{s.total} done, {s.overdue} overdue, {s.mean_progress}%"
            )
