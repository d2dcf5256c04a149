from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "xietong.regions"
    label = "regions"
    verbose_name = _("Regions")
    workflow = {
        "title": _("Division lookup"),
        "description": _(
            "Find an administrative division by name or from the lists: its code, level, full name and subdivisions."
        ),
        "url": "regions:lookup",
        "order": 90,
    }

    def ready(self):
        from .models import Region
        from .resolver import clear_cache

        # The resolver keeps the table in memory; any change made here must be seen at once.
        post_save.connect(clear_cache, sender=Region, dispatch_uid="regions-clear-index-save")
        post_delete.connect(clear_cache, sender=Region, dispatch_uid="regions-clear-index-delete")
        post_migrate.connect(clear_cache, sender=self, dispatch_uid="regions-clear-index-migrate")
