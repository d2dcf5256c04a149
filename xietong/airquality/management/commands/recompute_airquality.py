import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max, Min
from django.utils import timezone

from xietong.airquality.aqi import get_standard
from xietong.airquality.derive import recompute, recompute_all
from xietong.airquality.models import Reading, Station


class Command(BaseCommand):
    help = (
        "Recompute the stored daily values (means, O3 maxima, AQI) of stations, cities and the cluster, "
        "for a period, for the days of one HJ 633 edition (--edition 2026 after a correction of its rules), "
        "or for everything (after a restore)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="last", help="Last day, YYYY-MM-DD.")
        parser.add_argument("--station", action="append", default=[], help="A station code (repeatable).")
        parser.add_argument(
            "--edition", help="Every day reported under this HJ 633 edition (e.g. 2026 or 'HJ 633-2026')."
        )

    def handle(self, *args, **options):
        if options["edition"]:
            first, last = self._edition_span(options["edition"])
        elif not (options["first"] or options["last"] or options["station"]):
            written = recompute_all()
            self.stdout.write(f"{written} station-days recomputed.")
            return
        else:
            try:
                first = dt.date.fromisoformat(options["first"])
                last = dt.date.fromisoformat(options["last"] or options["first"])
            except (TypeError, ValueError):
                raise CommandError("Give --from (and --to) as YYYY-MM-DD.")
        if last is None:
            self.stdout.write("0 station-days recomputed.")
            return
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

    def _edition_span(self, code):
        """(first, last) stored day that falls under the edition; last is None when none does."""
        try:
            standard = get_standard(code)
        except ValueError as error:
            raise CommandError(str(error))
        span = Reading.objects.aggregate(first=Min("at"), last=Max("at"))
        if span["last"] is None:
            return None, None
        # `at` ends the hour: the hour ending 00:00 belongs to the day before.
        first_day, last_day = (timezone.localtime(span[k] - dt.timedelta(hours=1)).date() for k in ("first", "last"))
        first = max(standard.effective_from or first_day, first_day)
        last = min(standard.effective_until or last_day, last_day)
        return (first, last) if first <= last else (None, None)
