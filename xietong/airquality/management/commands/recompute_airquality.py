import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from xietong.airquality.derive import recompute, recompute_all
from xietong.airquality.models import Station


class Command(BaseCommand):
    help = (
        "Recompute the stored daily values (means, O3 maxima, AQI) of stations, cities and the cluster, "
        "for a period or for everything (after a correction of the rules or a restore)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="last", help="Last day, YYYY-MM-DD.")
        parser.add_argument("--station", action="append", default=[], help="A station code (repeatable).")

    def handle(self, *args, **options):
        if not (options["first"] or options["last"] or options["station"]):
            written = recompute_all()
            self.stdout.write(f"{written} station-days recomputed.")
            return
        try:
            first = dt.date.fromisoformat(options["first"])
            last = dt.date.fromisoformat(options["last"] or options["first"])
        except (TypeError, ValueError):
            raise CommandError("Give --from (and --to) as YYYY-MM-DD.")
        if last < first:
            raise CommandError("--to is before --from.")
        stations = Station.objects.all()
        if options["station"]:
            stations = stations.filter(code__in=options["station"])
            missing = set(options["station"]) - set(stations.values_list("code", flat=True))
            if missing:
                raise CommandError(f"Unknown station codes: {', '.join(sorted(missing))}.")
        written = recompute(list(stations.values_list("pk", flat=True)), first, last)
        self.stdout.write(f"{written} station-days recomputed.")
