from django.core.management.base import BaseCommand

from xietong.core.personal import reencrypt_all


class Command(BaseCommand):
    help = "Encrypt all stored personal data again under the first of PERSONAL_DATA_KEYS (after adding a new key)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, **options):
        for label, count in reencrypt_all(batch=options["batch"]).items():
            self.stdout.write(f"{label}: {count} rows re-encrypted")
