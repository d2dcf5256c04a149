"""Who may see and change meetings, their documents and decisions.

A meeting is visible to the office and to the people of the units on its line: the host and
the participating units, the units above them (their supervisors) and the units below them.
Below matters too: a matter decided at the meeting may be led by a city's district, and its
staff must be able to walk back from the matter to the decision and the meeting.
A city that took no part sees nothing of the meeting. Only the office's staff change anything.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from xietong.core.access import is_office, memberships_of, units_q
from xietong.core.models import Role, Unit, UnitKind
from xietong.supervision.access import visible_matters
from xietong.supervision.models import Matter

from .models import Decision, Document, Meeting


def can_manage(user):
    return is_office(user, Role.STAFF)


def _units_above_me(user):
    """The user's units and those above them, except the office: it is above everyone, and a
    meeting the office attends is not thereby every city's meeting."""
    ids = set()
    for membership in memberships_of(user):
        ids.update(membership.unit.ancestors())
    return Unit.objects.filter(pk__in=ids).exclude(kind=UnitKind.OFFICE).values("pk")


def visible_meetings(user, queryset=None):
    queryset = Meeting.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if is_office(user):
        return queryset
    above_me = _units_above_me(user)
    participant = Meeting.participants.through.objects.filter(meeting_id=OuterRef("pk")).filter(
        Q(unit_id__in=above_me) | units_q(user, Role.VIEWER, "unit")
    )
    return queryset.filter(
        Q(host_unit_id__in=above_me) | units_q(user, Role.VIEWER, "host_unit") | Q(Exists(participant))
    )


def visible_documents(user, queryset=None):
    queryset = Document.objects.all() if queryset is None else queryset
    if is_office(user):
        return queryset
    return queryset.filter(adopted_at__in=visible_meetings(user).values("pk"))


def visible_decisions(user, queryset=None):
    queryset = Decision.objects.all() if queryset is None else queryset
    if is_office(user):
        return queryset
    return queryset.filter(meeting__in=visible_meetings(user).values("pk"))


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404 from None


def get_meeting_for_user(user, pk, queryset=None):
    """The meeting if the user may see it; a 404 otherwise (its existence is not revealed)."""
    return _get(visible_meetings(user, queryset), pk)


def get_document_for_user(user, pk, queryset=None):
    return _get(visible_documents(user, queryset), pk)


def get_decision_for_user(user, pk, queryset=None):
    return _get(visible_decisions(user, queryset), pk)


def attach_matters(decisions, user, today=None):
    """Give each decision `matter_list`: those of its matters the user may open, with health and link.

    A matter the user would get a 404 for is left out altogether, not shown without its link: its title,
    lead unit, due date and progress are the matter's own, whoever may see the meeting. Two queries
    whatever the number of decisions and matters.
    """
    decisions = list(decisions)
    by_source = defaultdict(list)
    if decisions:
        matters = visible_matters(
            user,
            Matter.objects.with_health(today).filter(
                source_type=ContentType.objects.get_for_model(Decision),
                source_id__in=[str(d.pk) for d in decisions],
            ),
        )
        for matter in matters.select_related("lead_unit").order_by("code"):
            matter.url = matter.get_absolute_url()
            by_source[matter.source_id].append(matter)
    for decision in decisions:
        decision.matter_list = by_source.get(str(decision.pk), [])
    return decisions
