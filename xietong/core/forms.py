from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
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


def submit(form, action):
    """The one way a view runs a posted form through its action.

    The form parses; the action (called with the cleaned data) enforces every rule. A refusal of either
    stays on the form for the page to show again, so a view reads:

        done, result = submit(form, lambda data: actions.do_x(actor=request.user, **data))
        if done:
            return redirect(...)
        return render(..., status=400)
    """
    if not form.is_valid():
        return False, None
    try:
        return True, action(form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return False, None


def report(request, form, done, success):
    """For a form posted from a page it does not render itself (the view redirects back): say how it went."""
    if done:
        messages.success(request, success)
        return
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
