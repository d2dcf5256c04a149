"""Joint meetings over the JSON API: the list, and one meeting with its documents, decisions and their matters."""

import datetime

from django.db.models import Prefetch
from ninja import Router, Schema
from ninja.pagination import paginate

from xietong.core.access import require_member

from .access import attach_matters, get_meeting_for_user, visible_meetings
from .models import Clause

router = Router(tags=["meetings"])


class MeetingOut(Schema):
    id: int
    number: int
    title: str
    date: datetime.date
    place: str
    state: str
    host_unit: str
    participants: list[str]
    url: str

    @staticmethod
    def resolve_host_unit(meeting):
        return meeting.host_unit.name

    @staticmethod
    def resolve_participants(meeting):
        return [unit.name for unit in meeting.participants.all()]

    @staticmethod
    def resolve_url(meeting):
        return meeting.get_absolute_url()


class MatterRef(Schema):
    code: str
    title: str
    lead_unit: str
    due_date: datetime.date
    state: str
    health: str
    progress: int

    @staticmethod
    def resolve_lead_unit(matter):
        return matter.lead_unit.name

    @staticmethod
    def resolve_health(matter):
        return matter.health_code


class ClauseRef(Schema):
    document_id: int
    document: str
    number: int
    text: str

    @staticmethod
    def resolve_document(clause):
        return clause.document.title


class DecisionOut(Schema):
    id: int
    number: int
    text: str
    agenda_item: str | None
    clause: ClauseRef | None
    url: str
    matters: list[MatterRef]

    @staticmethod
    def resolve_agenda_item(decision):
        return decision.agenda_item.title if decision.agenda_item_id else None

    @staticmethod
    def resolve_clause(decision):
        return decision.clause if decision.clause_id else None

    @staticmethod
    def resolve_url(decision):
        return decision.get_absolute_url()

    @staticmethod
    def resolve_matters(decision):
        # Set by attach_matters: only the matters the caller may open.
        return decision.matter_list


class DocumentRef(Schema):
    id: int
    kind: str
    title: str
    signatories: list[str]
    clauses: int
    url: str

    @staticmethod
    def resolve_signatories(document):
        return [unit.name for unit in document.signatories.all()]

    @staticmethod
    def resolve_clauses(document):
        return len(document.clauses.all())

    @staticmethod
    def resolve_url(document):
        return document.get_absolute_url()


class MeetingDetailOut(MeetingOut):
    """A meeting as listed, with its agenda, minutes, documents and decisions."""

    agenda: list[str]
    minutes: str
    documents: list[DocumentRef]
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_agenda(meeting):
        return [item.title for item in meeting.agenda_items.all()]

    @staticmethod
    def resolve_documents(meeting):
        return meeting.document_list

    @staticmethod
    def resolve_decisions(meeting):
        return meeting.decision_list


@router.get("/meetings", response=list[MeetingOut], summary="Joint meetings the user's units took part in")
@paginate
def meetings(request, state: str | None = None):
    require_member(request.auth)
    queryset = (
        visible_meetings(request.auth)
        .select_related("host_unit")
        .prefetch_related("participants")
        .order_by("-date", "-number")
    )
    if state:
        queryset = queryset.filter(state=state)
    return queryset


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut, summary="A meeting with its decisions and matters")
def meeting(request, meeting_id: int):
    require_member(request.auth)
    found = get_meeting_for_user(
        request.auth,
        meeting_id,
        visible_meetings(request.auth).select_related("host_unit").prefetch_related("participants", "agenda_items"),
    )
    found.decision_list = attach_matters(
        found.decisions.select_related("agenda_item", "clause__document").order_by("number"), request.auth
    )
    found.document_list = found.documents.prefetch_related(
        "signatories", Prefetch("clauses", queryset=Clause.objects.only("id", "document_id"))
    )
    return found
