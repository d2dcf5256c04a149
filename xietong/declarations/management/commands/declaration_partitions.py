from django.core.management.base import BaseCommand

from xietong.declarations.partitions import MONTHS_AHEAD, ensure_partitions


class Command(BaseCommand):
    help = "Create the monthly partitions of declarations and stops for this month and the next (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=MONTHS_AHEAD, help="months ahead of this one")

    def handle(self, *args, months, **options):
        created = ensure_partitions(months_ahead=months)
        for name in created:
            self.stdout.write(name)
        self.stdout.write(f"{len(created)} partitions created")
