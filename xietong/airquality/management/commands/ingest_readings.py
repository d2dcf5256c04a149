import json
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from xietong.airquality.ingest import IngestError, csv_rows, ingest, json_rows
from xietong.airquality.models import Source


class Command(BaseCommand):
    help = (
        "Store hourly readings from a CSV or JSON file in the national feed's field names "
        "(stationcode, timepoint, so2, no2, pm10, pm2_5, co, o3). Re-sent station-hours are replaced; "
        "nothing is stored when a row cannot be placed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A .csv or .json file, or - for CSV on standard input.")
        parser.add_argument("--as-user", help="Check permissions as this user (default: trusted, no check).")
        parser.add_argument("--no-recompute", action="store_true", help="Do not recompute the daily values.")

    def handle(self, *args, **options):
        path = options["path"]
        user = None
        if options["as_user"]:
            try:
                user = get_user_model().objects.get(username=options["as_user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user {options['as_user']!r}.")
        started = time.perf_counter()
        try:
            if path == "-":
                rows = csv_rows(sys.stdin.buffer.read())
            elif path.endswith(".json"):
                items = json.loads(Path(path).read_text(encoding="utf-8"))
                rows = json_rows(items if isinstance(items, list) else items.get("readings", []))
            else:
                rows = csv_rows(Path(path).read_bytes())
            result = ingest(
                rows,
                user=user,
                source=Source.COMMAND,
                filename=Path(path).name if path != "-" else "stdin",
                recompute=not options["no_recompute"],
            )
        except OSError as exc:
            raise CommandError(str(exc))
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path}: not valid JSON ({exc}).")
        except IngestError as exc:
            lines = [exc.message] + [f"  line {line}: {message}" for line, message in exc.problems]
            raise CommandError("\n".join(lines))
        self.stdout.write(
            f"{result.received} rows in {time.perf_counter() - started:.1f} s: {result.created} new, "
            f"{result.replaced} replaced, {result.unchanged} unchanged, {result.flagged_count} with flagged values."
        )
        for row in result.flagged[:20]:
            flags = ", ".join(f"{p}: {flag.label}" for p, flag in row.flags.items())
            self.stdout.write(f"  line {row.line} {row.station} {row.timepoint}: {flags} {row.note}".rstrip())
