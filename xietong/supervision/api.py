"""The supervised action list over JSON: matters, transitions, progress reports and their review.

The endpoints call the same access helpers and actions as the pages and leave their refusals
to the API's one error handler (xietong/api/errors.py).
"""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from ninja.responses import Status

from xietong.core.access import require_member
from xietong.core.api_errors import ERRORS, ErrorOut, field_errors
from xietong.core.models import Unit
from xietong.core.pagination import PageNumber
from xietong.core.reauth import require_recent_login_for_api

from . import actions
from .access import get_matter_for_user, get_report_for_user, reporting_units
from .dashboard import filtered_matters
from .forms import FilterForm
from .models import Comment, CoUnit, Domain, Frequency, Matter, Priority, ProgressReport, SubArea, source_of

router = Router(tags=["supervision"])


# --- errors -------------------------------------------------------------------------------------------------


# --- schemas ------------------------------------------------------------------------------------------------


class UnitOut(Schema):
    id: int
    name: str
    kind: str


def unit_out(unit):
    return {"id": unit.pk, "name": unit.display_name, "kind": unit.kind}


class MilestoneOut(Schema):
    id: int
    title: str
    due_date: datetime.date
    done_on: datetime.date | None


class MatterOut(Schema):
    id: int
    code: str
    title: str
    description: str
    domain: str
    domain_label: str
    sub_area: str
    state: str
    state_label: str
    health: str
    health_label: str
    lead_unit: UnitOut
    co_units: list[UnitOut]
    start_date: datetime.date
    due_date: datetime.date
    completed_on: datetime.date | None
    progress: int
    priority: int
    reporting_frequency: str
    public: bool
    version: int = Field(description="Send it back with an edit: an edit made on an older version is refused (409).")
    url: str


class SourceOut(Schema):
    kind: str
    label: str
    url: str


class MatterDetailOut(MatterOut):
    milestones: list[MilestoneOut]
    allowed_transitions: list[str]
    source: SourceOut | None


def matter_out(matter, today=None):
    health = matter.health(today)
    return {
        "id": matter.pk,
        "code": matter.code,
        "title": matter.title,
        "description": matter.description,
        "domain": matter.domain,
        "domain_label": matter.get_domain_display(),
        "sub_area": matter.sub_area,
        "state": matter.state,
        "state_label": matter.get_state_display(),
        "health": health.value,
        "health_label": str(health.label),
        "lead_unit": unit_out(matter.lead_unit),
        "co_units": [unit_out(c.unit) for c in matter.co_units.all()],
        "start_date": matter.start_date,
        "due_date": matter.due_date,
        "completed_on": matter.completed_on,
        "progress": matter.progress,
        "priority": matter.priority,
        "reporting_frequency": matter.reporting_frequency,
        "public": matter.public,
        "version": matter.version,
        "url": matter.get_absolute_url(),
    }


def matter_detail_out(user, matter):
    return {
        **matter_out(matter),
        "milestones": list(matter.milestones.all()),
        "allowed_transitions": actions.allowed_transitions(user, matter),
        "source": source_of(matter),
    }


def matters_queryset():
    return Matter.objects.select_related("lead_unit").prefetch_related(
        Prefetch("co_units", CoUnit.objects.select_related("unit").order_by("id"))
    )


def get_matter(request, matter_id):
    return get_matter_for_user(request.auth, matter_id, matters_queryset())


class MatterFilters(Schema):
    city: str | None = Field(None, description="Id of a city: matters whose lead unit lies under it.")
    domain: str | None = None
    state: str | None = None
    health: str | None = Field(None, description="on_track, due_soon, overdue, done_on_time, done_late or none.")
    lead_unit: str | None = Field(None, description="Id of the lead unit.")
    q: str | None = Field(None, description="Fragments of the title, description or code; all must occur.")


# The schemas repeat the actions' bounds so that the OpenAPI document shows them; the actions enforce them.
UnitId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Title = Annotated[str, Field(min_length=1, max_length=actions.TITLE_MAX_LENGTH)]
Description = Annotated[str, Field(max_length=actions.DESCRIPTION_MAX_LENGTH)]
Code = Annotated[str, Field(max_length=actions.CODE_MAX_LENGTH, pattern=actions.CODE_PATTERN.pattern)]
PriorityValue = Annotated[int, Field(ge=min(Priority.values), le=max(Priority.values))]
Share = Annotated[int, Field(ge=actions.SHARE_RANGE[0], le=actions.SHARE_RANGE[1])]


class MilestoneIn(Schema):
    title: Annotated[str, Field(min_length=1, max_length=actions.MILESTONE_TITLE_MAX_LENGTH)]
    due_date: datetime.date


class MatterIn(Schema):
    code: Code
    title: Title
    description: Description = ""
    domain: Domain
    sub_area: SubArea | Literal[""] = ""
    lead_unit_id: UnitId
    co_unit_ids: list[UnitId] = Field([], max_length=100)
    start_date: datetime.date
    due_date: datetime.date
    priority: PriorityValue = Priority.NORMAL
    reporting_frequency: Frequency = Frequency.MONTHLY
    public: bool = False
    assign: bool = Field(True, description="Assign at once, so the units are told and can report.")
    milestones: list[MilestoneIn] = Field([], max_length=100)


class MatterPatch(Schema):
    version: Annotated[int, Field(ge=1, le=2**31 - 1)]
    title: Title | None = None
    description: Description | None = None
    domain: Domain | None = None
    sub_area: SubArea | Literal[""] | None = None
    start_date: datetime.date | None = None
    due_date: datetime.date | None = None
    priority: PriorityValue | None = None
    reporting_frequency: Frequency | None = None
    public: bool | None = None
    co_unit_ids: list[UnitId] | None = Field(None, max_length=100)


class TransitionIn(Schema):
    name: str = Field(description="assign, start, submit, verify, return, suspend, resume or cancel.")
    reason: str = ""


class EvidenceOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    url: str


class ReportOut(Schema):
    id: int
    matter_id: int
    unit: UnitOut
    period_start: datetime.date
    period_end: datetime.date
    text: str
    percent: int
    status: str
    status_label: str
    submitted_at: datetime.datetime
    reviewed_at: datetime.datetime | None
    review_comment: str
    evidence: list[EvidenceOut]


def report_out(report):
    return {
        "id": report.pk,
        "matter_id": report.matter_id,
        "unit": unit_out(report.unit),
        "period_start": report.period_start,
        "period_end": report.period_end,
        "text": report.text,
        "percent": report.percent,
        "status": report.status,
        "status_label": report.get_status_display(),
        "submitted_at": report.submitted_at,
        "reviewed_at": report.reviewed_at,
        "review_comment": report.review_comment,
        "evidence": [
            {
                "id": e.pk,
                "name": e.name,
                "size": e.size,
                "content_type": e.content_type,
                "url": reverse("supervision:evidence", args=[e.pk]),
            }
            for e in report.evidence.all()
        ],
    }


class ReportIn(Schema):
    unit_id: int
    period_start: datetime.date
    period_end: datetime.date
    text: str
    percent: int = Field(description="0 to 100.")


class ReviewIn(Schema):
    accept: bool
    comment: str = Field("", description="Required when the report is returned.")


# --- matters ------------------------------------------------------------------------------------------------


@router.get("/matters", response=list[MatterOut], summary="Matters the caller may see, filtered")
@paginate(PageNumber, page_size=50)
def list_matters(request, filters: Query[MatterFilters]):
    require_member(request.auth)
    form = FilterForm({k: v for k, v in filters.dict().items() if v is not None}, user=request.auth)
    if not form.is_valid():
        raise NinjaValidationError(field_errors(ValidationError(form.errors.as_data()), where="query"))
    today = timezone.localdate()
    matters = filtered_matters(request.auth, form.filters(), today, matters_queryset()).order_by("due_date", "id")
    return MatterPage(matters, today)


class MatterPage:
    """The paginator slices this; only the rows of the page are turned into dicts."""

    def __init__(self, queryset, today):
        self.queryset, self.today = queryset, today

    def __getitem__(self, index):
        return [matter_out(m, self.today) for m in self.queryset[index]]

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()


@router.get("/matters/{matter_id}", response={200: MatterDetailOut, **ERRORS}, summary="One matter")
def get_matter_detail(request, matter_id: int):
    return matter_detail_out(request.auth, get_matter(request, matter_id))


def _units(ids):
    units = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    unknown = [i for i in ids if i not in units]
    if unknown:
        raise ValidationError({"co_unit_ids": _("Unknown unit: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}})
    return [units[i] for i in ids]


@router.post("/matters", response={201: MatterDetailOut, **ERRORS}, summary="Create a matter (the office)")
def create_matter(request, payload: MatterIn):
    lead = Unit.objects.filter(pk=payload.lead_unit_id).first()
    if lead is None:
        raise ValidationError({"lead_unit_id": _("Unknown unit: %(ids)s.") % {"ids": payload.lead_unit_id}})
    matter = actions.do_create_matter(
        actor=request.auth,
        code=payload.code.strip(),
        title=payload.title,
        description=payload.description,
        domain=payload.domain,
        sub_area=payload.sub_area,
        lead_unit=lead,
        co_units=_units(payload.co_unit_ids),
        start_date=payload.start_date,
        due_date=payload.due_date,
        priority=payload.priority,
        reporting_frequency=payload.reporting_frequency,
        public=payload.public,
        milestones=[(m.title, m.due_date) for m in payload.milestones],
        assign=payload.assign,
    )
    return Status(201, matter_detail_out(request.auth, get_matter(request, matter.pk)))


@router.patch(
    "/matters/{matter_id}",
    response={200: MatterDetailOut, 409: ErrorOut, **ERRORS},
    summary="Edit a matter as loaded at `version` (409 if someone saved in between)",
)
def update_matter(request, matter_id: int, payload: MatterPatch):
    matter = get_matter(request, matter_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    co_unit_ids = changes.pop("co_unit_ids", None)
    changes = {name: value for name, value in changes.items() if value is not None}
    actions.do_update_matter(
        actor=request.auth,
        matter=matter,
        version=version,
        co_units=_units(co_unit_ids) if co_unit_ids is not None else None,
        **changes,
    )
    return matter_detail_out(request.auth, get_matter(request, matter_id))


@router.post(
    "/matters/{matter_id}/transition",
    response={200: MatterDetailOut, **ERRORS},
    summary="Move a matter along: assign, start, submit, verify, return, suspend, resume, cancel",
)
def transition_matter(request, matter_id: int, payload: TransitionIn):
    matter = get_matter(request, matter_id)
    if payload.name == "verify":
        require_recent_login_for_api(request)
    actions.do_transition(actor=request.auth, matter=matter, name=payload.name, reason=payload.reason)
    return matter_detail_out(request.auth, get_matter(request, matter_id))


# --- progress reports ---------------------------------------------------------------------------------------


def reports_queryset():
    return ProgressReport.objects.select_related("unit").prefetch_related("evidence")


@router.get(
    "/matters/{matter_id}/reports",
    response={200: list[ReportOut], **ERRORS},
    summary="A matter's progress reports, newest first",
)
def list_reports(request, matter_id: int):
    matter = get_matter(request, matter_id)
    return [report_out(r) for r in reports_queryset().filter(matter=matter)]


@router.post(
    "/matters/{matter_id}/reports",
    response={201: ReportOut, **ERRORS},
    summary="Report a unit's progress on a matter",
)
def submit_report(request, matter_id: int, payload: ReportIn):
    matter = get_matter(request, matter_id)
    units = {u.pk: u for u in [matter.lead_unit, *(c.unit for c in matter.co_units.all())]}
    unit = units.get(payload.unit_id)
    if unit is None:
        if not reporting_units(request.auth, matter):
            raise PermissionDenied
        raise ValidationError({"unit_id": _("This unit is not part of this matter.")})
    report = actions.do_submit_report(
        actor=request.auth,
        matter=matter,
        unit=unit,
        period_start=payload.period_start,
        period_end=payload.period_end,
        text=payload.text,
        percent=payload.percent,
    )
    return Status(201, report_out(reports_queryset().get(pk=report.pk)))


@router.post(
    "/reports/{report_id}/review",
    response={200: ReportOut, **ERRORS},
    summary="Accept or return a progress report (the office)",
)
def review_report(request, report_id: int, payload: ReviewIn):
    report = get_report_for_user(request.auth, report_id)
    actions.do_review_report(actor=request.auth, report=report, accept=payload.accept, comment=payload.comment)
    return report_out(reports_queryset().get(pk=report.pk))


# --- people on a matter -------------------------------------------------------------------------------------


class CommentOut(Schema):
    id: int
    kind: str = Field(description="comment, or instruction (领导批示).")
    kind_label: str
    author: str
    leader: str = Field(description="For an instruction: the leader who gave it.")
    text: str
    mentioned_units: list[UnitOut]
    mentioned_people: list[str]
    created_at: datetime.datetime


def comment_out(comment):
    return {
        "id": comment.pk,
        "kind": comment.kind,
        "kind_label": comment.get_kind_display(),
        "author": actions.person_name(comment.author) if comment.author else "",
        "leader": comment.leader,
        "text": comment.text,
        "mentioned_units": [unit_out(u) for u in comment.mentioned_units.all()],
        "mentioned_people": [actions.person_name(u) for u in comment.mentioned_users.all()],
        "created_at": comment.created_at,
    }


def comments_queryset():
    return Comment.objects.select_related("author").prefetch_related("mentioned_units", "mentioned_users")


class CommentIn(Schema):
    text: str = Field(
        description="@ and the name of a unit or person who can see the matter notifies them (at most 5000 characters)."
    )


class InstructionIn(Schema):
    leader: str = Field(description="The leader who gave the instruction.")
    text: str


class FollowOut(Schema):
    following: bool


@router.get(
    "/matters/{matter_id}/comments",
    response={200: list[CommentOut], **ERRORS},
    summary="A matter's comments and leaders' instructions, oldest first",
)
def list_comments(request, matter_id: int):
    matter = get_matter(request, matter_id)
    return [comment_out(c) for c in comments_queryset().filter(matter=matter)]


@router.post(
    "/matters/{matter_id}/comments",
    response={201: CommentOut, **ERRORS},
    summary="Comment on a matter; the units and people it @mentions are notified",
)
def post_comment(request, matter_id: int, payload: CommentIn):
    matter = get_matter(request, matter_id)
    comment = actions.do_comment(actor=request.auth, matter=matter, text=payload.text)
    return Status(201, comment_out(comments_queryset().get(pk=comment.pk)))


@router.post(
    "/matters/{matter_id}/instructions",
    response={201: CommentOut, **ERRORS},
    summary="Record a leader's instruction (the office, or a participating unit's manager)",
)
def post_instruction(request, matter_id: int, payload: InstructionIn):
    matter = get_matter(request, matter_id)
    comment = actions.do_record_instruction(actor=request.auth, matter=matter, leader=payload.leader, text=payload.text)
    return Status(201, comment_out(comments_queryset().get(pk=comment.pk)))


@router.get("/matters/{matter_id}/follow", response={200: FollowOut, **ERRORS}, summary="Whether the caller follows")
def get_follow(request, matter_id: int):
    matter = get_matter(request, matter_id)
    return {"following": actions.is_following(request.auth, matter)}


@router.put("/matters/{matter_id}/follow", response={200: FollowOut, **ERRORS}, summary="Follow a matter (关注)")
def put_follow(request, matter_id: int):
    actions.do_follow(actor=request.auth, matter=get_matter(request, matter_id))
    return {"following": True}


@router.delete("/matters/{matter_id}/follow", response={200: FollowOut, **ERRORS}, summary="Stop following")
def delete_follow(request, matter_id: int):
    actions.do_unfollow(actor=request.auth, matter=get_matter(request, matter_id))
    return {"following": False}
