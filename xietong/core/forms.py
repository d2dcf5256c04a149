from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The user name or password is wrong. Check both and try again; passwords are case-sensitive."
        ),
        "inactive": _("This account is disabled. Ask your unit's manager to enable it."),
    }
