from django.core.management.base import BaseCommand

from xietong.core.personal import purge_personal_data


class Command(BaseCommand):
    help = "Delete personal data past its retention period, in every workflow (run daily by cron or celery beat)."

    def handle(self, *args, **options):
        for name, count in purge_personal_data().items():
            self.stdout.write(f"{name}: {count}")
