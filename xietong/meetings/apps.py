from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "xietong.meetings"
    label = "meetings"
    verbose_name = _("Joint meetings")
    workflow = {
        "title": _("Joint meetings"),
        "description": _(
            "The joint meetings of the cluster, the rules and agreements they adopt, and the decisions "
            "that become supervised matters."
        ),
        "url": "meetings:meetings",
        "order": 20,
    }
