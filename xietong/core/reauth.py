"""Re-authentication before the office's irreversible actions.

Verifying a matter as done, issuing a bulletin and publishing a risk-area notice cannot be taken back and speak
for the coordination office to every city. A session left open on an office desk must not be enough for them:
when the last password entry is older than REAUTH_WINDOW_MINUTES, the action asks for the password again and
then goes ahead with what was posted, so nothing typed is lost.
"""

import functools
import time

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.translation import gettext as _

SESSION_KEY = "xietong_password_at"
PASSWORD_FIELD = "reauth_password"


@receiver(user_logged_in)
def stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = int(time.time())


def login_is_recent(request):
    stamped = request.session.get(SESSION_KEY)
    return stamped is not None and time.time() - stamped <= settings.REAUTH_WINDOW_MINUTES * 60


def require_recent_login_for_api(request):
    """The API's form of the rule: a browser session must be recent; an API token is its own credential."""
    if getattr(request, "auth_by_session", False) and not login_is_recent(request):
        raise PermissionDenied(_("Log in again to do this: your last login is too long ago for this action."))


def recent_login_required(applies=None):
    """Ask for the password again before the decorated POST view runs, when the login is not recent.

    `applies(request)` narrows the rule to the posts that are irreversible (the verify step of a transition view).
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "POST" or (applies is not None and not applies(request)):
                return view(request, *args, **kwargs)
            if login_is_recent(request):
                return view(request, *args, **kwargs)
            error = None
            password = request.POST.get(PASSWORD_FIELD)
            if password is not None:
                # Through authenticate(), so wrong passwords here count towards the log-in lock-out as well.
                user = authenticate(request, username=request.user.get_username(), password=password)
                if user is not None and user.pk == request.user.pk:
                    request.session[SESSION_KEY] = int(time.time())
                    return view(request, *args, **kwargs)
                error = _("The password is not correct.")
            carried = [
                (name, value)
                for name, values in request.POST.lists()
                if name not in ("csrfmiddlewaretoken", PASSWORD_FIELD)
                for value in values
            ]
            return render(
                request,
                "core/reauth.html",
                {"carried": carried, "error": error, "minutes": settings.REAUTH_WINDOW_MINUTES},
                status=401 if error else 200,
            )

        return wrapper

    return decorate
