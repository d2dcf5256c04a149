from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xietong.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # checks registers the system checks, idempotency its daily purge; reauth stamps the time of each login.
        from . import checks, idempotency, reauth  # noqa: F401
