from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AirqualityConfig(AppConfig):
    name = "xietong.airquality"
    label = "airquality"
    verbose_name = _("Air quality")
    workflow = {
        "title": _("Air quality"),
        "description": _(
            "Shared monitoring of the five cities: daily AQI, forecasts and synchronized heavy-pollution warnings."
        ),
        "url": "airquality:dashboard",
        "order": 40,
    }

    def ready(self):
        from . import work

        work.register()
