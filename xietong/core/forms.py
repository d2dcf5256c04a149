from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The user name or password is wrong. Check both and try again; passwords are case-sensitive."
        ),
        "inactive": _("This account is disabled. Ask your unit's manager to enable it."),
    }


def apply_errors(form, error):
    """Put an action's ValidationError on the form: on its field where there is one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
