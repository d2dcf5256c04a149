from django.core.management.base import BaseCommand

from xietong.regions.loader import load_regions
from xietong.regions.models import Region


class Command(BaseCommand):
    help = "Load the administrative divisions shipped with xietong (idempotent)."

    def handle(self, *args, **options):
        added = load_regions(Region)
        self.stdout.write(f"regions: {added} added, {Region.objects.count()} in all")
