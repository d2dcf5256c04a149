from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "xietong.declarations"
    label = "declarations"
    verbose_name = _("Arrival declarations")
    workflow = {
        "title": _("Arrival declarations"),
        "description": _(
            "Travellers declare their arrival; risk-area notices screen them, also retroactively; "
            "receiving units carry the measures to closure; the cluster shares a daily bulletin."
        ),
        "url": "declarations:dashboard",
        "order": 50,
    }

    def ready(self):
        from . import partitions, work  # noqa: F401  (register the work-queue kinds and the purges)
