from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from xietong.core.demo import ACCOUNTS, DEMO_PASSWORD

# Later workflows build on the units and people of earlier ones.
DEMO_ORDER = ["core", "meetings", "supervision", "airquality", "water", "deliberation", "declarations"]


class Command(BaseCommand):
    help = "Load the demo cluster and each workflow's demo data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-accounts", action="store_true", help="Do not list the demo accounts.")

    def handle(self, *args, **options):
        # Demo history would otherwise mail (or print) hundreds of old reminders; the inbox keeps them.
        with override_settings(NOTIFICATION_BACKENDS=[]):
            for app_label in DEMO_ORDER:
                with transaction.atomic():
                    import_module(f"xietong.{app_label}.demo").load(stdout=self.stdout)
                self.stdout.write("\n")
        if not options["quiet_accounts"]:
            self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
            for username, _unit_slug, _role, full_name, title in ACCOUNTS:
                self.stdout.write(f"  {username:<18} {full_name} · {title}")
