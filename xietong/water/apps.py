from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaterConfig(AppConfig):
    name = "xietong.water"
    label = "water"
    verbose_name = _("Water pollution control")
    workflow = {
        "title": _("Water"),
        "description": _(
            "River sections shared by the five cities: water-quality classes, boundary targets that become the "
            "upstream city's matters, and eco-compensation between cities."
        ),
        "url": "water:dashboard",
        "order": 50,
    }

    def ready(self):
        from . import work  # noqa: F401  (registers the work-queue kinds)
