from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from xietong.water import actions
from xietong.water.models import Section


class Command(BaseCommand):
    help = (
        "Recompute the monthly classes of a year for every section (after a target, agreement or sample was "
        "corrected), record missed boundary targets and refresh the compensation statements. With --as, the "
        "misses are referred to the upstream cities as that office person."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--as", dest="username", help="an office staff account that refers the misses")

    def handle(self, *args, year, username=None, **options):
        import datetime as dt

        actor = None
        if username:
            actor = get_user_model().objects.filter(username=username).first()
            if actor is None:
                raise CommandError(f"No account {username!r}.")
        months = [dt.date(year, m, 1) for m in range(1, 13)]
        pairs = [(pk, m) for pk in Section.objects.filter(active=True).values_list("pk", flat=True) for m in months]
        results = actions.do_assess(actor=actor, pairs=pairs)
        graded = sum(1 for r in results.values() if r.grade)
        self.stdout.write(f"{len(results)} section-months recomputed, {graded} with a class.")
