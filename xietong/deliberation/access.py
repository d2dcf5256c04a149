"""Who may see what in the deliberation hall.

Staff pages: the hall's unit and the units above it (a town's staff, its district, city and the office),
never a neighbour. Public pages: a concern by its tracking code, accepted concerns for 附议, the rates.
"""

from django.http import Http404

from xietong.core.access import units_q
from xietong.core.models import Role

from .models import Concern, ConcernState, Hall, Session, Survey, Topic

PUBLIC_STATES = [ConcernState.ACCEPTED, ConcernState.ON_AGENDA, ConcernState.RESOLVED]


def visible_halls(user, min_role=Role.VIEWER):
    if not user.is_authenticated:
        return Hall.objects.none()
    return Hall.objects.filter(units_q(user, min_role, "unit"))


def _get(queryset, user, field, **lookup):
    if not user.is_authenticated:
        raise Http404
    try:
        return queryset.filter(units_q(user, Role.VIEWER, field)).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404 from None


def get_hall_for_user(user, pk):
    return _get(Hall.objects.select_related("unit"), user, "unit", pk=pk)


def get_concern_for_user(user, pk):
    return _get(Concern.objects.select_related("hall__unit", "category", "topic", "region"), user, "hall__unit", pk=pk)


def get_topic_for_user(user, pk):
    return _get(Topic.objects.select_related("hall__unit"), user, "hall__unit", pk=pk)


def get_session_for_user(user, pk):
    return _get(Session.objects.select_related("hall__unit", "topic"), user, "hall__unit", pk=pk)


def get_public_concern(code):
    """A concern by its tracking code: anyone holding the code may follow it."""
    try:
        return Concern.objects.select_related("hall", "category", "topic", "region").get(
            code=(code or "").strip().upper()
        )
    except Concern.DoesNotExist:
        raise Http404 from None


def public_concerns(hall=None):
    queryset = Concern.objects.filter(state__in=PUBLIC_STATES)
    return queryset.filter(hall=hall) if hall is not None else queryset


def get_survey_for_user(user, pk):
    return _get(Survey.objects.select_related("hall__unit"), user, "hall__unit", pk=pk)


def get_public_survey(pk):
    """An opened survey (open or closed); drafts are the staff's alone."""
    try:
        return Survey.objects.select_related("hall").exclude(state=Survey.State.DRAFT).get(pk=pk)
    except Survey.DoesNotExist:
        raise Http404 from None
