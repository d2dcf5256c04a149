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


class ClauseRef(Schema):
    document_id: int
    document: str
    number: int
    text: str


class DecisionOut(Schema):
    id: int
    number: int
    text: str
    agenda_item: str | None
    clause: ClauseRef | None
    url: str
    matters: list[MatterRef]


class DocumentRef(Schema):
    id: int
    kind: str
    title: str
    signatories: list[str]
    clauses: int
    url: str


class MeetingDetailOut(Schema):
    id: int
    number: int
    title: str
    date: datetime.date
    place: str
    state: str
    host_unit: str
    participants: list[str]
    url: str
    agenda: list[str]
    minutes: str
    documents: list[DocumentRef]
    decisions: list[DecisionOut]


def _meeting_out(meeting):
    return {
        "id": meeting.pk,
        "number": meeting.number,
        "title": meeting.title,
        "date": meeting.date,
        "place": meeting.place,
        "state": meeting.state,
        "host_unit": meeting.host_unit.name,
        "participants": [unit.name for unit in meeting.participants.all()],
        "url": meeting.get_absolute_url(),
    }


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
    decisions = attach_matters(
        found.decisions.select_related("agenda_item", "clause__document").order_by("number"), request.auth
    )
    documents = found.documents.prefetch_related(
        "signatories", Prefetch("clauses", queryset=Clause.objects.only("id", "document_id"))
    )
    return {
        **_meeting_out(found),
        "agenda": [item.title for item in found.agenda_items.all()],
        "minutes": found.minutes,
        "documents": [
            {
                "id": document.pk,
                "kind": document.kind,
                "title": document.title,
                "signatories": [unit.name for unit in document.signatories.all()],
                "clauses": len(document.clauses.all()),
                "url": document.get_absolute_url(),
            }
            for document in documents
        ],
        "decisions": [
            {
                "id": decision.pk,
                "number": decision.number,
                "text": decision.text,
                "agenda_item": decision.agenda_item.title if decision.agenda_item_id else None,
                "clause": {
                    "document_id": decision.clause.document_id,
                    "document": decision.clause.document.title,
                    "number": decision.clause.number,
                    "text": decision.clause.text,
                }
                if decision.clause_id
                else None,
                "url": decision.get_absolute_url(),
                "matters": [
                    {
                        "code": matter.code,
                        "title": matter.title,
                        "lead_unit": matter.lead_unit.name,
                        "due_date": matter.due_date,
                        "state": matter.state,
                        "health": matter.health_code,
                        "progress": matter.progress,
                    }
                    for matter in decision.matter_list
                ],
            }
            for decision in decisions
        ],
    }
