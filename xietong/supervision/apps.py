from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "xietong.supervision"
    label = "supervision"
    verbose_name = _("Supervised action list")
    workflow = {
        "title": _("Supervised action list"),
        "description": _(
            "Matters decided together, their lead and co-units, deadlines, progress reports, "
            "reminders, bulletins and scorecards."
        ),
        "url": "supervision:dashboard",
        "order": 10,
    }

    def ready(self):
        from . import work

        work.register()
