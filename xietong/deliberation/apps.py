from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "xietong.deliberation"
    label = "deliberation"
    verbose_name = _("Deliberation hall")
    workflow = {
        "title": _("Deliberation hall"),
        "description": _(
            "Residents' concerns grouped into topics, deliberation sessions with the people concerned, "
            "resolutions delivered as supervised matters, and residents' ratings."
        ),
        "url": "deliberation:home",
        "order": 30,
    }

    def ready(self):
        from xietong.core import workqueue
        from xietong.core.personal import register_purge

        from .actions import purge_contacts
        from .work import KINDS

        for kind in KINDS:
            workqueue.register(kind)
        register_purge("deliberation.contacts", purge_contacts)
