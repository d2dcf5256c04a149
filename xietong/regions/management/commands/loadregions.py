from django.core.management.base import BaseCommand

from xietong.regions.loader import load_regions
from xietong.regions.models import Region
from xietong.regions.resolver import clear_cache


class Command(BaseCommand):
    help = "Load the administrative divisions shipped with xietong (idempotent)."

    def handle(self, *args, **options):
        added = load_regions(Region)
        clear_cache()  # bulk inserts send no signals
        self.stdout.write(f"regions: {added} added, {Region.objects.count()} in all")
