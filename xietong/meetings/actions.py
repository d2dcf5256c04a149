"""Every write of the meetings app.

Only the office's staff act here. Each `do_*` checks that, validates its input (a
ValidationError with messages in the user's language, nothing stored), changes state
atomically, writes the timeline and leaves notifications to commit time (`notify`).
"""

import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xietong.core import timeline
from xietong.core.models import Role, UnitKind
from xietong.core.notify import notify, recipients
from xietong.core.uploads import validate_upload
from xietong.supervision.actions import do_create_matter
from xietong.supervision.models import Matter, Source

from .access import can_manage
from .models import AgendaItem, Clause, Decision, Document, DocumentKind, Meeting, MeetingAttachment, MeetingState

MEETING_FIELDS = ["title", "date", "place", "minutes"]


def _require_manager(actor):
    if not can_manage(actor):
        raise PermissionDenied


def _blank(value):
    return not (value or "").strip()


def _within(unit, units):
    """Whether `unit` is one of `units` or lies below one of them (below the office does not count:
    everything does)."""
    return any(unit.pk == u.pk or (u.kind != UnitKind.OFFICE and unit.path.startswith(u.path)) for u in units)


def _validate_meeting(*, title, date, place, host_unit, participants):
    errors = {}
    if _blank(title):
        errors["title"] = _("Give the meeting a title.")
    if date is None:
        errors["date"] = _("Give the date of the meeting as YYYY-MM-DD.")
    if _blank(place):
        errors["place"] = _("Say where the meeting takes place.")
    if host_unit is None:
        errors["host_unit"] = _("Choose the host unit.")
    if not participants:
        errors["participants"] = _("Choose the participating units.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_create_meeting(*, actor, number, title, date, place, host_unit, participants, agenda=(), minutes=""):
    """Plan a meeting; the host always takes part. `agenda` is a list of item titles."""
    _require_manager(actor)
    participants = list(participants)
    _validate_meeting(title=title, date=date, place=place, host_unit=host_unit, participants=participants)
    if number is None or number < 1:
        raise ValidationError({"number": _("The number of the meeting must be 1 or more.")})
    if Meeting.objects.filter(number=number).exists():
        raise ValidationError({"number": _("A meeting with this number exists already.")})
    agenda = [item.strip() for item in agenda if item and item.strip()]
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                number=number,
                title=title.strip(),
                date=date,
                place=place.strip(),
                host_unit=host_unit,
                minutes=(minutes or "").strip(),
                created_by=actor,
            )
    except IntegrityError:  # the same number taken by someone else a moment ago
        raise ValidationError({"number": _("A meeting with this number exists already.")})
    units = {u.pk: u for u in [host_unit, *participants]}
    meeting.participants.set(units.values())
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=meeting, order=order, title=item) for order, item in enumerate(agenda, start=1)]
    )
    timeline.record(meeting, "created", actor=actor, changes={"state": [None, meeting.state]}, public=False)
    notify(
        recipients(units.values(), min_role=Role.VIEWER),
        kind="meeting.planned",
        message=gettext_noop("Joint meeting planned: %(title)s on %(date)s in %(place)s"),
        params={"title": meeting.title, "date": meeting.date.isoformat(), "place": meeting.place},
        url=meeting.get_absolute_url(),
    )
    return meeting


@transaction.atomic
def do_update_meeting(*, actor, meeting, participants=None, **changes):
    """Edit a meeting's details and minutes; a closed meeting stays as it was closed."""
    _require_manager(actor)
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.state == MeetingState.CLOSED:
        raise ValidationError(_("A closed meeting cannot be changed."))
    merged = {name: changes.get(name, getattr(current, name)) for name in MEETING_FIELDS}
    new_participants = list(participants) if participants is not None else list(current.participants.all())
    _validate_meeting(
        title=merged["title"],
        date=merged["date"],
        place=merged["place"],
        host_unit=current.host_unit,
        participants=new_participants,
    )
    if participants is not None:
        kept = {u.pk for u in new_participants} | {current.host_unit_id}
        signing = set(
            Document.signatories.through.objects.filter(document__adopted_at=current).values_list("unit_id", flat=True)
        )
        if signing - kept:
            raise ValidationError({"participants": _("A unit that signed a document of this meeting must stay.")})
    changes = {name: value.strip() if isinstance(value, str) else value for name, value in changes.items()}
    old = {name: getattr(current, name) for name in changes}
    for name, value in changes.items():
        setattr(current, name, value)
    current.updated_at = timezone.now()
    current.save(update_fields=[*changes, "updated_at"])
    diff = timeline.changes_between(old, changes)
    if participants is not None:
        before = set(current.participants.values_list("pk", flat=True))
        after = {u.pk for u in new_participants} | {current.host_unit_id}
        if before != after:
            current.participants.set(after)
            diff["participants"] = [sorted(before), sorted(after)]
    if diff:
        timeline.record(current, "edited", actor=actor, changes=diff, public=False)
    return current


@transaction.atomic
def do_add_agenda_item(*, actor, meeting, title):
    _require_manager(actor)
    if meeting.state == MeetingState.CLOSED:
        raise ValidationError(_("A closed meeting cannot be changed."))
    if _blank(title):
        raise ValidationError({"title": _("Write the agenda item.")})
    order = (meeting.agenda_items.aggregate(last=Max("order"))["last"] or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, order=order, title=title.strip())
    timeline.record(meeting, "agenda_item_added", actor=actor, changes={"agenda": [None, item.title]}, public=False)
    return item


@transaction.atomic
def do_add_attachment(*, actor, meeting, uploaded):
    _require_manager(actor)
    content_type = validate_upload(uploaded, "file")
    attachment = MeetingAttachment.objects.create(
        meeting=meeting,
        file=uploaded,
        name=os.path.basename(uploaded.name),
        size=uploaded.size,
        content_type=content_type,
        uploaded_by=actor,
    )
    timeline.record(
        meeting, "attachment_added", actor=actor, changes={"attachment": [None, attachment.name]}, public=False
    )
    return attachment


def _locked_in_state(actor, meeting, source):
    _require_manager(actor)
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.state != source:
        raise ValidationError(
            _("A meeting in state “%(state)s” cannot be moved this way.") % {"state": current.get_state_display()}
        )
    return current


@transaction.atomic
def do_hold_meeting(*, actor, meeting):
    """planned → held: the meeting took place; decisions and documents can now be recorded."""
    current = _locked_in_state(actor, meeting, MeetingState.PLANNED)
    if current.date > timezone.localdate():
        raise ValidationError(_("A meeting cannot be marked as held before its date."))
    return _set_state(actor, current, MeetingState.HELD, "held")


@transaction.atomic
def do_close_meeting(*, actor, meeting):
    """held → closed: the minutes are final; the decisions go on as supervised matters."""
    current = _locked_in_state(actor, meeting, MeetingState.HELD)
    if _blank(current.minutes):
        raise ValidationError({"minutes": _("Record the minutes before closing the meeting.")})
    closed = _set_state(actor, current, MeetingState.CLOSED, "closed")
    notify(
        recipients(closed.participants.all(), min_role=Role.VIEWER),
        kind="meeting.closed",
        message=gettext_noop("Minutes of %(title)s are final"),
        params={"title": closed.title},
        url=closed.get_absolute_url(),
    )
    return closed


def _set_state(actor, meeting, target, verb):
    old = meeting.state
    meeting.state = target
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=["state", "updated_at"])
    timeline.record(meeting, verb, actor=actor, changes={"state": [old, target]}, public=False)
    return meeting


def _require_held(meeting):
    if meeting.state != MeetingState.HELD:
        raise ValidationError(
            _("Documents and decisions are recorded while the meeting is held (not planned or closed).")
        )


@transaction.atomic
def do_adopt_document(*, actor, meeting, kind, title, full_text, clauses, signatories, description=""):
    """Record a rule or agreement adopted at the meeting; `clauses` are texts, numbered in order."""
    _require_manager(actor)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_held(meeting)
    signatories = list(signatories)
    clauses = [text.strip() for text in clauses if text and text.strip()]
    errors = {}
    if kind not in DocumentKind.values:
        errors["kind"] = _("Choose whether the document is a rule or an agreement.")
    if _blank(title):
        errors["title"] = _("Give the document's title.")
    if _blank(full_text):
        errors["full_text"] = _("Paste the full text of the document.")
    if not clauses:
        errors["clauses"] = _("Give at least one clause.")
    if not signatories:
        errors["signatories"] = _("Choose the signatory units.")
    participating = set(meeting.participants.values_list("pk", flat=True))
    outside = [u.name for u in signatories if u.pk not in participating]
    if outside:
        errors["signatories"] = _("Not a participant of this meeting: %(units)s.") % {"units": "、".join(outside)}
    if errors:
        raise ValidationError(errors)
    document = Document.objects.create(
        kind=kind,
        title=title.strip(),
        description=(description or "").strip(),
        full_text=full_text.strip(),
        adopted_at=meeting,
        created_by=actor,
    )
    document.signatories.set(signatories)
    Clause.objects.bulk_create(
        [Clause(document=document, number=number, text=text) for number, text in enumerate(clauses, start=1)]
    )
    timeline.record(document, "adopted", actor=actor, changes={"meeting": [None, meeting.title]}, public=False)
    timeline.record(
        meeting, "document_adopted", actor=actor, changes={"document": [None, document.title]}, public=False
    )
    return document


@transaction.atomic
def do_record_decision(*, actor, meeting, text, agenda_item=None, clause=None):
    """A decision on an agenda item of this meeting or a clause of a document it adopted."""
    _require_manager(actor)
    # Locking the meeting row serializes numbering of its decisions.
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_held(meeting)
    errors = {}
    if _blank(text):
        errors["text"] = _("Write what the meeting decided.")
    if agenda_item is None and clause is None:
        errors["basis"] = _("Choose the agenda item or the clause the decision is based on.")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        errors["basis"] = _("This agenda item belongs to another meeting.")
    if clause is not None and clause.document.adopted_at_id != meeting.pk:
        errors["basis"] = _("This clause belongs to a document adopted at another meeting.")
    if errors:
        raise ValidationError(errors)
    number = (meeting.decisions.aggregate(last=Max("number"))["last"] or 0) + 1
    decision = Decision.objects.create(
        meeting=meeting,
        number=number,
        agenda_item=agenda_item,
        clause=clause,
        text=text.strip(),
        created_by=actor,
    )
    timeline.record(decision, "recorded", actor=actor, changes={"text": [None, decision.text]}, public=False)
    timeline.record(
        meeting, "decision_recorded", actor=actor, changes={"decision": [None, decision.number]}, public=False
    )
    return decision


def _next_code(decision, taken):
    """HY<meeting>-<decision>-<n>: readable, and it says where the matter came from."""
    n = 1
    while True:
        code = f"HY{decision.meeting.number}-{decision.number}-{n}"
        if code not in taken and not Matter.objects.filter(code=code).exists():
            return code
        n += 1


@transaction.atomic
def do_create_matters_from_decision(*, actor, decision, matters):
    """Turn a decision into supervised matters, each pointing back at the decision.

    `matters` is a list of dicts with the arguments of supervision's `do_create_matter`
    (title, lead_unit, start_date, due_date, domain, sub_area, co_units, milestones, …);
    `code` may be left out and is then derived from the meeting and decision numbers.
    Every unit of a matter must be a participant of the meeting or lie below one.
    """
    _require_manager(actor)
    meeting = decision.meeting
    if meeting.state not in (MeetingState.HELD, MeetingState.CLOSED):
        raise ValidationError(_("Matters are created from the decisions of a meeting that has been held."))
    if not matters:
        raise ValidationError(_("Describe at least one matter."))
    participants = list(meeting.participants.all())
    source = Source.AGREEMENT_CLAUSE if decision.clause_id else Source.MEETING_DECISION
    created, taken = [], set()
    for spec in matters:
        spec = dict(spec)
        errors = {}
        if _blank(spec.get("title")):
            errors["title"] = _("Give the matter a title.")
        lead_unit = spec.get("lead_unit")
        if lead_unit is None:
            errors["lead_unit"] = _("Choose the lead unit.")
        elif not _within(lead_unit, participants):
            errors["lead_unit"] = _("%(unit)s did not take part in this meeting.") % {"unit": lead_unit.name}
        outside = [u.name for u in spec.get("co_units", ()) if not _within(u, participants)]
        if outside:
            errors["co_units"] = _("Did not take part in this meeting: %(units)s.") % {"units": "、".join(outside)}
        if errors:
            raise ValidationError(errors)
        code = (spec.pop("code", "") or "").strip() or _next_code(decision, taken)
        taken.add(code)
        spec.setdefault("assign", True)
        matter = do_create_matter(
            actor=actor,
            code=code,
            source=source,
            source_object=decision,
            **{**spec, "title": spec["title"].strip()},
        )
        created.append(matter)
    timeline.record(
        decision, "matters_created", actor=actor, changes={"matters": [None, [m.code for m in created]]}, public=False
    )
    return created
