from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xietong.core.access import require_member
from xietong.core.forms import apply_errors, report, submit
from xietong.core.timeline import history
from xietong.supervision.access import visible_matters
from xietong.supervision.models import Matter

from . import actions, documents
from .access import (
    attach_matters,
    can_manage,
    get_decision_for_user,
    get_document_for_user,
    get_meeting_for_user,
    visible_documents,
    visible_meetings,
)
from .forms import (
    AgendaItemForm,
    AttachmentForm,
    DecisionForm,
    DocumentForm,
    MatterFromDecisionForm,
    MeetingEditForm,
    MeetingForm,
)
from .models import Decision, Meeting, MeetingState

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

VERBS = {
    "created": gettext_lazy("Planned"),
    "edited": gettext_lazy("Edited"),
    "held": gettext_lazy("Marked as held"),
    "closed": gettext_lazy("Closed"),
    "agenda_item_added": gettext_lazy("Agenda item added"),
    "agenda_item_proposed": gettext_lazy("Agenda item proposed by a deliberation hall"),
    "attachment_added": gettext_lazy("Attachment added"),
    "document_adopted": gettext_lazy("Document adopted"),
    "decision_recorded": gettext_lazy("Decision recorded"),
    "recorded": gettext_lazy("Recorded"),
    "matters_created": gettext_lazy("Matters created"),
    "adopted": gettext_lazy("Adopted"),
}


def _meetings():
    return Meeting.objects.select_related("host_unit")


def _require_manager(user):
    if not can_manage(user):
        raise PermissionDenied


def _events(obj, user):
    events = list(history(obj))
    # The codes of matters created from a decision are named only where the reader may open the matter.
    codes = {code for event in events for code in (event.changes.get("matters", [None, None])[1] or ())}
    openable = set()
    if codes:
        openable = set(visible_matters(user, Matter.objects.filter(code__in=codes)).values_list("code", flat=True))
    for event in events:
        if "matters" in event.changes:
            before, after = event.changes["matters"]
            event.changes = {**event.changes, "matters": [before, [c for c in after or () if c in openable]]}
    return [
        {"event": event, "label": VERBS.get(event.verb, event.verb), "detail": _detail(event.changes)}
        for event in events
    ]


def _detail(changes):
    """What the event was about, in a few words: the document, the decision, the matters' codes."""
    for name in ("document", "decision", "matters", "agenda", "attachment"):
        value = changes.get(name, [None, None])[1]
        if value:
            return "、".join(value) if isinstance(value, list) else str(value)
    return ""


@login_required
def meeting_list(request):
    require_member(request.user)
    meetings = (
        visible_meetings(request.user)
        .select_related("host_unit")
        .annotate(decision_count=Count("decisions", distinct=True), document_count=Count("documents", distinct=True))
        .order_by("-date", "-number")
    )
    state = request.GET.get("state", "")
    if state in MeetingState.values:
        meetings = meetings.filter(state=state)
    page = Paginator(meetings, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/meeting_list.html",
        {"page": page, "state": state, "states": MeetingState.choices, "can_manage": can_manage(request.user)},
    )


@login_required
def meeting_new(request):
    _require_manager(request.user)
    form = MeetingForm(request.POST or None)
    if request.method == "POST":
        done, meeting = submit(form, lambda data: actions.do_create_meeting(actor=request.user, **data))
        if done:
            messages.success(request, _("The meeting has been planned."))
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": None})


@login_required
def meeting_detail(request, pk):
    require_member(request.user)
    meeting = get_meeting_for_user(request.user, pk, _meetings())
    decisions = attach_matters(
        meeting.decisions.select_related("agenda_item", "clause__document").order_by("number"), request.user
    )
    manage = can_manage(request.user)
    context = {
        "meeting": meeting,
        "participants": list(meeting.participants.all()),
        "agenda": _agenda_with_proposers(meeting),
        "attachments": list(meeting.attachments.all()),
        "documents": list(meeting.documents.annotate(clause_count=Count("clauses")).prefetch_related("signatories")),
        "decisions": decisions,
        "events": _events(meeting, request.user),
        "can_manage": manage,
        "can_edit": manage and meeting.state != MeetingState.CLOSED,
        "can_record": manage and meeting.state == MeetingState.HELD,
        "can_create_matters": manage and meeting.state != MeetingState.PLANNED,
        "agenda_form": AgendaItemForm(),
        "attachment_form": AttachmentForm(),
    }
    return render(request, "meetings/meeting_detail.html", context)


def _agenda_with_proposers(meeting):
    """Agenda items, each with the deliberation hall's topic that proposed it (`proposed_by`), if any."""
    from xietong.deliberation.models import Topic

    items = list(meeting.agenda_items.all())
    topics = {t.sent_up_to_id: t for t in Topic.objects.filter(sent_up_to__meeting=meeting).select_related("hall")}
    for item in items:
        item.proposed_by = topics.get(item.pk)
    return items


@login_required
def minutes_docx(request, pk):
    """The minutes as a 会议纪要 (.docx after GB/T 9704), for whoever may read the meeting."""
    require_member(request.user)
    meeting = get_meeting_for_user(request.user, pk, _meetings())
    response = HttpResponse(documents.render_minutes_docx(meeting), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=documents.filename(meeting)
    )
    return response


def _meeting_for_manager(request, pk):
    _require_manager(request.user)
    return get_meeting_for_user(request.user, pk, _meetings())


@login_required
def meeting_edit(request, pk):
    meeting = _meeting_for_manager(request, pk)
    form = MeetingEditForm(request.POST or None, meeting=meeting)
    if request.method == "POST":
        done, _result = submit(
            form, lambda data: actions.do_update_meeting(actor=request.user, meeting=meeting, **data)
        )
        if done:
            messages.success(request, _("The meeting has been saved."))
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


def _transition(request, pk, action, done_message):
    meeting = _meeting_for_manager(request, pk)
    try:
        action(actor=request.user, meeting=meeting)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message)
    return redirect(meeting)


@login_required
@require_POST
def meeting_hold(request, pk):
    return _transition(request, pk, actions.do_hold_meeting, _("The meeting is marked as held."))


@login_required
@require_POST
def meeting_close(request, pk):
    return _transition(request, pk, actions.do_close_meeting, _("The meeting is closed; its minutes are final."))


@login_required
@require_POST
def agenda_add(request, pk):
    meeting = _meeting_for_manager(request, pk)
    form = AgendaItemForm(request.POST)
    done, _item = submit(form, lambda data: actions.do_add_agenda_item(actor=request.user, meeting=meeting, **data))
    report(request, form, done, _("The agenda item has been added."))
    return redirect(meeting)


@login_required
@require_POST
def attachment_add(request, pk):
    meeting = _meeting_for_manager(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    done, _attachment = submit(
        form, lambda data: actions.do_add_attachment(actor=request.user, meeting=meeting, uploaded=data["file"])
    )
    report(request, form, done, _("The attachment has been added."))
    return redirect(meeting)


@login_required
def attachment_download(request, pk, attachment_pk):
    require_member(request.user)
    meeting = get_meeting_for_user(request.user, pk)
    attachment = meeting.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )


@login_required
def document_list(request):
    require_member(request.user)
    documents = (
        visible_documents(request.user)
        .select_related("adopted_at")
        .annotate(clause_count=Count("clauses"))
        .order_by("-adopted_at__date", "id")
    )
    page = Paginator(documents, 30).get_page(request.GET.get("page"))
    return render(request, "meetings/document_list.html", {"page": page})


@login_required
def document_new(request, pk):
    meeting = _meeting_for_manager(request, pk)
    form = DocumentForm(request.POST or None, meeting=meeting)
    if request.method == "POST":
        done, document = submit(
            form, lambda data: actions.do_adopt_document(actor=request.user, meeting=meeting, **data)
        )
        if done:
            messages.success(request, _("The document has been recorded as adopted."))
            return redirect(document)
    return render(request, "meetings/document_form.html", {"form": form, "meeting": meeting})


@login_required
def document_detail(request, pk):
    require_member(request.user)
    document = get_document_for_user(request.user, pk)
    clauses = list(document.clauses.all())
    decisions = attach_matters(
        Decision.objects.filter(clause__document=document).select_related("clause").order_by("number"), request.user
    )
    by_clause = defaultdict(list)
    for decision in decisions:
        by_clause[decision.clause_id].append(decision)
    for clause in clauses:
        clause.decision_list = by_clause.get(clause.pk, [])
    return render(
        request,
        "meetings/document_detail.html",
        {
            "document": document,
            "meeting": document.adopted_at,
            "signatories": list(document.signatories.all()),
            "clauses": clauses,
        },
    )


@login_required
def decision_new(request, pk):
    meeting = _meeting_for_manager(request, pk)
    form = DecisionForm(request.POST or None, meeting=meeting)
    if request.method == "POST":
        done, decision = submit(
            form,
            lambda data: actions.do_record_decision(
                actor=request.user,
                meeting=meeting,
                text=data["text"],
                agenda_item=data["agenda_item"],
                clause=data["clause"],
            ),
        )
        if done:
            messages.success(request, _("The decision has been recorded."))
            return redirect(decision)
    return render(request, "meetings/decision_form.html", {"form": form, "meeting": meeting})


def _decision_queryset():
    return Decision.objects.select_related("meeting__host_unit", "agenda_item", "clause__document")


@login_required
def decision_detail(request, pk):
    require_member(request.user)
    decision = get_decision_for_user(request.user, pk, _decision_queryset())
    attach_matters([decision], request.user)
    manage = can_manage(request.user)
    return render(
        request,
        "meetings/decision_detail.html",
        {
            "decision": decision,
            "meeting": decision.meeting,
            "matters": decision.matter_list,
            "events": _events(decision, request.user),
            "can_create_matters": manage and decision.meeting.state != MeetingState.PLANNED,
        },
    )


@login_required
def decision_matter_new(request, pk):
    _require_manager(request.user)
    decision = get_decision_for_user(request.user, pk, _decision_queryset())
    form = MatterFromDecisionForm(request.POST or None, decision=decision)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        spec = {
            name: data[name]
            for name in (
                "code",
                "title",
                "description",
                "domain",
                "sub_area",
                "lead_unit",
                "start_date",
                "due_date",
                "priority",
                "reporting_frequency",
                "milestones",
            )
        }
        spec["co_units"] = list(data["co_units"])
        try:
            (matter,) = actions.do_create_matters_from_decision(actor=request.user, decision=decision, matters=[spec])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Matter %(code)s has been created and assigned.") % {"code": matter.code})
            return redirect(decision)
    return render(
        request,
        "meetings/matter_form.html",
        {"form": form, "decision": decision, "meeting": decision.meeting, "today": timezone.localdate()},
    )
