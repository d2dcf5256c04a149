"""Every write of the deliberation hall.

Residents' writes (a concern, 附议, a rating) need no account; they are bounded by the honeypot and the rate
limits here. Staff writes check the actor's role over the hall's unit. Each state change records a timeline
event on the concern; the events a resident may see are recorded public=True and carry no personal data.
"""

import datetime
import decimal
from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xietong.core import timeline
from xietong.core.access import has_role
from xietong.core.models import Role
from xietong.core.notify import notify, recipients
from xietong.core.personal import blind_index, log_access
from xietong.supervision.actions import do_create_matter, do_transition
from xietong.supervision.models import Domain, Source

from . import grouping
from .deadlines import deadlines
from .models import (
    Attendee,
    Concern,
    ConcernState,
    MeToo,
    Opinion,
    Proposal,
    Question,
    Rating,
    Resolution,
    Session,
    StakeholderGroup,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    Topic,
    Vote,
)
from .photos import reencode

TEXT_MAX = 2000
# The box around the five cities of the Shanxi Central City Cluster (太原, 忻州, 吕梁, 晋中, 阳泉) in WGS-84
# degrees, with a few kilometres to spare: 吕梁's Yellow River bank in the west (about 110.3°E), 阳泉's
# edge in the east (about 114.0°E), 晋中's south (about 36.6°N) and 忻州's north (about 39.6°N). A point
# outside it is a mistyped or spoofed coordinate, not a concern of the cluster's halls.
# Decimals, as the stored coordinates are: a float bound would not equal the same typed edge.
CLUSTER_BOUNDS = {
    k: decimal.Decimal(v) for k, v in {"south": "36", "north": "39.8", "west": "110.2", "east": "114.2"}.items()
}
OPEN_STATES = [ConcernState.RECEIVED, ConcernState.ACCEPTED, ConcernState.ON_AGENDA]


def can_staff(user, hall):
    return has_role(user, hall.unit, Role.STAFF)


def can_manage(user, hall):
    return has_role(user, hall.unit, Role.MANAGER)


def _require_staff(user, hall):
    if not can_staff(user, hall):
        raise PermissionDenied


def _require_manager(user, hall):
    if not can_manage(user, hall):
        raise PermissionDenied


def _clean_text(text, field="text", max_length=TEXT_MAX):
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: _("Write what the problem is.")})
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("The text has %(n)s characters; at most %(max)s are accepted.")
                % {"n": len(text), "max": max_length}
            }
        )
    return text


def _lock(concern):
    return Concern.objects.select_for_update().get(pk=concern.pk)


def _save(concern, fields):
    concern.updated_at = timezone.now()
    concern.save(update_fields=[*fields, "updated_at"])


TRIAGE_MESSAGES = {
    ConcernState.ACCEPTED: gettext_noop("Concern %(code)s accepted: %(text)s"),
    ConcernState.REFUSED: gettext_noop("Concern %(code)s not accepted: %(text)s"),
    ConcernState.DUPLICATE: gettext_noop("Concern %(code)s marked as a duplicate of %(original)s: %(text)s"),
}


def _tell_hall(hall, *, actor=None, kind, message, params, body="", url=""):
    """The hall's staff, except whoever did it, hear what was decided: one of them may be about to do the same."""
    people = [p for p in recipients([hall.unit]) if actor is None or p.pk != actor.pk]
    notify(people, kind=kind, message=message, params=params, body=body, url=url)


def _tell_triage(actor, concern, **extra):
    _tell_hall(
        concern.hall,
        actor=actor,
        kind=f"deliberation.{concern.state}",
        message=TRIAGE_MESSAGES[concern.state],
        params={"code": concern.code, "text": concern.text[:40], **extra},
        body=concern.reason,
        url=reverse("deliberation:concern", args=[concern.pk]),
    )


# --- residents ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_submit_concern(
    *,
    hall,
    text,
    category,
    region=None,
    address="",
    lat=None,
    lon=None,
    photo=None,
    contact="",
    source="",
    channel="web",
    honeypot="",
    now=None,
):
    """A resident's concern. `source` is the sender's network address (kept only as a keyed hash)."""
    now = now or timezone.now()
    if honeypot:
        # Only a program fills the hidden field; the refusal reads like any other so it learns nothing.
        raise ValidationError(_("The concern could not be accepted. Please try again later."))
    text = _clean_text(text)
    address = (address or "").strip()[:200]
    contact = (contact or "").strip()
    if len(contact) > 100:
        raise ValidationError({"contact": _("The contact is too long.")})
    if category is None:
        raise ValidationError({"category": _("Choose what kind of problem it is.")})
    if (lat is None) != (lon is None):
        raise ValidationError({"address": _("A map point needs both latitude and longitude.")})
    if lat is not None:
        lat, lon = decimal.Decimal(str(lat)), decimal.Decimal(str(lon))
    if lat is not None and not (
        CLUSTER_BOUNDS["south"] <= lat <= CLUSTER_BOUNDS["north"]
        and CLUSTER_BOUNDS["west"] <= lon <= CLUSTER_BOUNDS["east"]
    ):
        raise ValidationError({"address": _("The map point lies outside the city cluster; check it or leave it out.")})
    source_index = blind_index(f"addr:{source}") if source else ""
    contact_index = blind_index(f"contact:{contact}") if contact else ""
    if source_index:
        recent = Concern.objects.filter(source_index=source_index, received_at__gte=now - datetime.timedelta(hours=1))
        if recent.count() >= settings.CONCERN_LIMIT_PER_ADDRESS_HOUR:
            raise ValidationError(_("Too many concerns were sent from this network in the last hour. Try again later."))
    if contact_index:
        recent = Concern.objects.filter(contact_index=contact_index, received_at__gte=now - datetime.timedelta(days=1))
        if recent.count() >= settings.CONCERN_LIMIT_PER_CONTACT_DAY:
            raise ValidationError({"contact": _("This contact has sent the most concerns allowed for one day.")})
    photo_file = reencode(photo) if photo else None
    accept_due, answer_due = deadlines(category, timezone.localtime(now).date())
    concern = Concern(
        hall=hall,
        text=text,
        category=category,
        region=region,
        address=address,
        lat=lat,
        lon=lon,
        contact=contact,
        contact_index=contact_index,
        source_index=source_index,
        channel=channel,
        received_at=now,
        updated_at=now,
        accept_due=accept_due,
        answer_due=answer_due,
    )
    if photo_file is not None:
        concern.photo.save(photo_file.name, photo_file, save=False)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                concern.save()
            break
        except IntegrityError:
            # Tracking codes are random; on the rare collision draw another.
            from .models import new_tracking_code

            concern.pk = None
            concern.code = new_tracking_code()
    timeline.record(concern, "received", public=True, at=now, changes={"state": [None, concern.state]})
    # The hall's staff hear of it at once: its acceptance is due within working days.
    _tell_hall(
        hall,
        kind="deliberation.received",
        message=gettext_noop("New concern %(code)s: %(text)s"),
        params={"code": concern.code, "text": concern.text[:40]},
        url=reverse("deliberation:concern", args=[concern.pk]),
    )
    return concern


@transaction.atomic
def do_me_too(*, concern, device, contact="", source="", now=None):
    """附议: counted once per device and per contact, and bounded per network address per day."""
    now = now or timezone.now()
    concern = _lock(concern)
    if concern.state not in (ConcernState.ACCEPTED, ConcernState.ON_AGENDA, ConcernState.RESOLVED):
        raise ValidationError(_("Only concerns the hall has accepted can be supported."))
    device_index = blind_index(f"device:{device}")
    contact_index = blind_index(f"contact:{contact.strip()}") if contact and contact.strip() else ""
    source_index = blind_index(f"addr:{source}") if source else ""
    mine = MeToo.objects.filter(concern=concern)
    if mine.filter(device_index=device_index).exists() or (
        contact_index and mine.filter(contact_index=contact_index).exists()
    ):
        raise ValidationError(_("You have already supported this concern."))
    if contact_index and contact_index == concern.contact_index:
        raise ValidationError(_("You raised this concern yourself."))
    if source_index:
        day_ago = now - datetime.timedelta(days=1)
        if (
            MeToo.objects.filter(source_index=source_index, at__gte=day_ago).count()
            >= settings.ME_TOO_LIMIT_PER_ADDRESS_DAY
        ):
            raise ValidationError(_("Too many supports were sent from this network today. Try again tomorrow."))
    try:
        with transaction.atomic():
            MeToo.objects.create(
                concern=concern,
                device_index=device_index,
                contact_index=contact_index,
                source_index=source_index,
                at=now,
            )
    except IntegrityError:
        raise ValidationError(_("You have already supported this concern.")) from None
    Concern.objects.filter(pk=concern.pk).update(me_too_count=F("me_too_count") + 1)
    concern.refresh_from_db(fields=["me_too_count"])
    return concern


@transaction.atomic
def do_rate(*, concern, value, comment="", now=None):
    """满意 / 基本满意 / 不满意. 不满意 on the first round reopens the case once (重办); otherwise it closes."""
    now = now or timezone.now()
    concern = _lock(concern)
    if value not in Rating.Value.values:
        raise ValidationError({"value": _("Choose one of the three answers.")})
    if not concern.can_rate:
        raise ValidationError(_("This concern cannot be rated now."))
    comment = (comment or "").strip()[:1000]
    round_ = 2 if concern.reopened_at else 1
    Rating.objects.create(concern=concern, value=value, comment=comment, round=round_, at=now)
    timeline.record(concern, "rated", public=True, at=now, changes={"rating": [None, value]}, note=comment)
    if value == Rating.Value.UNSATISFIED and round_ == 1:
        concern.state = ConcernState.ACCEPTED
        concern.reopened_at = now
        _save(concern, ["state", "reopened_at"])
        timeline.record(
            concern, "reopened", public=True, at=now, changes={"state": [ConcernState.RESOLVED, concern.state]}
        )
        _tell_hall(
            concern.hall,
            kind="deliberation.reopened",
            message=gettext_noop("Concern %(code)s reopened: the resident is not satisfied (重办)"),
            params={"code": concern.code},
            body=comment,
            url=reverse("deliberation:concern", args=[concern.pk]),
        )
    else:
        concern.closed_at = now
        _save(concern, ["closed_at"])
        timeline.record(concern, "closed", public=True, at=now)
    return concern


# --- staff: triage -----------------------------------------------------------------------------------------


def _respond(concern, now):
    if concern.responded_at is None:
        concern.responded_at = now
        return ["responded_at"]
    return []


@transaction.atomic
def do_accept(*, actor, concern, topic=None, now=None):
    _require_staff(actor, concern.hall)
    now = now or timezone.now()
    concern = _lock(concern)
    if concern.state != ConcernState.RECEIVED:
        raise ValidationError(_("Only a newly received concern can be accepted."))
    if topic is not None and topic.hall_id != concern.hall_id:
        raise ValidationError({"topic": _("The topic belongs to another hall.")})
    concern.state = ConcernState.ACCEPTED
    fields = ["state", *_respond(concern, now)]
    _save(concern, fields)
    timeline.record(
        concern, "accepted", actor=actor, public=True, at=now, changes={"state": [ConcernState.RECEIVED, concern.state]}
    )
    _tell_triage(actor, concern)
    if topic is not None:
        do_add_to_topic(actor=actor, topic=topic, concerns=[concern], now=now)
        concern.refresh_from_db()
    return concern


@transaction.atomic
def do_refuse(*, actor, concern, reason, now=None):
    _require_staff(actor, concern.hall)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the concern is not accepted; the resident will read it.")})
    concern = _lock(concern)
    if concern.state != ConcernState.RECEIVED:
        raise ValidationError(_("Only a newly received concern can be refused."))
    concern.state, concern.reason = ConcernState.REFUSED, reason
    concern.closed_at = now
    _save(concern, ["state", "reason", "closed_at", *_respond(concern, now)])
    timeline.record(
        concern,
        "refused",
        actor=actor,
        public=True,
        at=now,
        changes={"state": [ConcernState.RECEIVED, concern.state]},
        note=reason,
    )
    _tell_triage(actor, concern)
    return concern


@transaction.atomic
def do_mark_duplicate(*, actor, concern, original, now=None):
    _require_staff(actor, concern.hall)
    now = now or timezone.now()
    concern = _lock(concern)
    if concern.state != ConcernState.RECEIVED:
        raise ValidationError(_("Only a newly received concern can be marked as a duplicate."))
    if original.pk == concern.pk or original.hall_id != concern.hall_id:
        raise ValidationError({"original": _("Choose another concern of this hall.")})
    concern.state, concern.duplicate_of, concern.topic_id = ConcernState.DUPLICATE, original, original.topic_id
    concern.closed_at = now
    _save(concern, ["state", "duplicate_of", "topic", "closed_at", *_respond(concern, now)])
    timeline.record(
        concern,
        "duplicate",
        actor=actor,
        public=True,
        at=now,
        changes={"state": [ConcernState.RECEIVED, concern.state], "duplicate_of": [None, original.code]},
    )
    _tell_triage(actor, concern, original=original.code)
    return concern


@transaction.atomic
def do_moderate(*, actor, concern, text):
    """Edit what the public sees (a name, an insult); the first original is kept for the record."""
    _require_staff(actor, concern.hall)
    text = _clean_text(text)
    concern = _lock(concern)
    if text == concern.text:
        return concern
    if not concern.original_text:
        concern.original_text = concern.text
    old = concern.text
    concern.text, concern.moderated = text, True
    _save(concern, ["text", "original_text", "moderated"])
    timeline.record(concern, "moderated", actor=actor, public=False, changes={"text": [old, text]})
    return concern


@transaction.atomic
def do_answer(*, actor, concern, answer, now=None):
    """The hall's answer to the resident; after a reopening (重办) the new answer resolves the case again."""
    _require_staff(actor, concern.hall)
    now = now or timezone.now()
    answer = _clean_text(answer, "answer")
    concern = _lock(concern)
    if concern.state not in (ConcernState.ACCEPTED, ConcernState.ON_AGENDA, ConcernState.RESOLVED):
        raise ValidationError(_("Only an accepted concern can be answered."))
    concern.answer = answer
    fields = ["answer"]
    if concern.answered_at is None:
        concern.answered_at = now
        fields.append("answered_at")
    old_state = concern.state
    if concern.reopened_at and concern.state == ConcernState.ACCEPTED:
        concern.state, concern.resolved_at = ConcernState.RESOLVED, now
        fields += ["state", "resolved_at"]
    _save(concern, fields)
    timeline.record(
        concern,
        "answered",
        actor=actor,
        public=True,
        at=now,
        note=answer,
        changes={"state": [old_state, concern.state]} if old_state != concern.state else {},
    )
    return concern


def do_reveal_contact(*, actor, concern, purpose):
    """The resident's contact in clear, for one stated purpose, logged."""
    _require_staff(actor, concern.hall)
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError({"purpose": _("Say why you need the contact; the reason is logged.")})
    log_access(actor, concern, ["contact"], purpose[:200])
    return concern.contact


# --- staff: topics -----------------------------------------------------------------------------------------


def _refresh_signature(topic):
    grouper = grouping.Grouper(threshold=0)
    group = None
    for text in topic.concerns.values_list("text", flat=True):
        vec = grouping.vector(text)
        if group is None:
            group = grouper.add_signature(vec)
        else:
            sums = grouper.sums[group]
            for word, weight in vec.items():
                sums[word] = sums.get(word, 0.0) + weight
    topic.signature = grouper.signature(group) if group is not None else {}
    topic.save(update_fields=["signature"])


@transaction.atomic
def do_create_topic(*, actor, hall, title, concerns=(), summary="", now=None):
    _require_staff(actor, hall)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the topic a title.")})
    topic = Topic.objects.create(
        hall=hall, title=title[:200], summary=summary, confirmed=True, created_at=now or timezone.now()
    )
    timeline.record(topic, "created", actor=actor, public=False, at=now)
    if concerns:
        do_add_to_topic(actor=actor, topic=topic, concerns=concerns, now=now)
    return topic


@transaction.atomic
def do_add_to_topic(*, actor, topic, concerns, now=None):
    """Put accepted concerns under a topic (merging them into it); received ones are accepted on the way."""
    _require_staff(actor, topic.hall)
    now = now or timezone.now()
    moved = []
    for concern in concerns:
        concern = _lock(concern)
        if concern.hall_id != topic.hall_id:
            raise ValidationError(_("A concern of another hall cannot join this topic."))
        if concern.state == ConcernState.RECEIVED:
            concern = do_accept(actor=actor, concern=concern, now=now)
        if concern.state not in (ConcernState.ACCEPTED, ConcernState.ON_AGENDA):
            raise ValidationError(
                _("Concern %(code)s is %(state)s and cannot join a topic.")
                % {"code": concern.code, "state": concern.get_state_display()}
            )
        if concern.topic_id == topic.pk:
            continue
        old = concern.topic_id
        concern.topic = topic
        _save(concern, ["topic"])
        timeline.record(concern, "grouped", actor=actor, public=True, at=now, changes={"topic": [old, topic.title]})
        moved.append(concern)
    _refresh_signature(topic)
    return moved


@transaction.atomic
def do_merge_topics(*, actor, topic, others):
    _require_staff(actor, topic.hall)
    for other in others:
        if other.pk == topic.pk:
            continue
        if other.hall_id != topic.hall_id or other.sessions.exists():
            raise ValidationError(_("Only open topics of the same hall without a session can be merged."))
        do_add_to_topic(actor=actor, topic=topic, concerns=list(other.concerns.all()))
        timeline.record(other, "merged", actor=actor, public=False, changes={"into": [None, topic.pk]})
        other.delete()
    return topic


@transaction.atomic
def do_split_topic(*, actor, topic, concerns, title):
    """Move some of a topic's concerns to a new topic."""
    _require_staff(actor, topic.hall)
    if not concerns or any(c.topic_id != topic.pk for c in concerns):
        raise ValidationError(_("Choose concerns of this topic to split off."))
    new = do_create_topic(actor=actor, hall=topic.hall, title=title, concerns=concerns)
    _refresh_signature(topic)
    return new


def next_joint_meeting(hall, today):
    """The next planned joint meeting of the nearest unit above the hall that has one (host or participant).

    The nearest unit first: a county that meets with its towns hears a town's topic before the city does.
    """
    from xietong.meetings.models import Meeting, MeetingState

    for unit_id in reversed(hall.unit.ancestors()[:-1]):
        meeting = (
            Meeting.objects.filter(Q(host_unit_id=unit_id) | Q(participants=unit_id))
            .filter(state=MeetingState.PLANNED, date__gte=today)
            .order_by("date", "number")
            .first()
        )
        if meeting is not None:
            return meeting
    return None


@transaction.atomic
def do_send_topic_up(*, actor, topic, reason, now=None):
    """A topic beyond the town's power goes up as a proposed agenda item of the next joint meeting above.

    The hall's manager decides it and says why; the topic stays with its concerns, which now follow the
    meeting, and the meeting's host is told.
    """
    from django.db.models import Max

    from xietong.meetings.models import AgendaItem

    _require_manager(actor, topic.hall)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the topic is beyond what the town can decide.")})
    if len(reason) > TEXT_MAX:
        raise ValidationError({"reason": _("The reason is too long.")})
    topic = Topic.objects.select_for_update().select_related("hall__unit").get(pk=topic.pk)
    if topic.state == Topic.State.SENT_UP:
        raise ValidationError(_("The topic has already been sent up."))
    if topic.state == Topic.State.RESOLVED or topic.sessions.filter(state=Session.State.RESOLVED).exists():
        raise ValidationError(_("The hall has resolved this topic; it can no longer be sent up."))
    if not topic.concerns.filter(state__in=OPEN_STATES).exists():
        raise ValidationError(_("The topic has no open concern to send up."))
    meeting = next_joint_meeting(topic.hall, timezone.localtime(now).date())
    if meeting is None:
        raise ValidationError(_("No joint meeting of the units above is planned yet; send the topic up once one is."))
    order = (meeting.agenda_items.aggregate(last=Max("order"))["last"] or 0) + 1
    title = _("%(title)s (proposed by %(hall)s)") % {"title": topic.title, "hall": topic.hall.name}
    item = AgendaItem.objects.create(meeting=meeting, order=order, title=title[:300])
    old = topic.state
    topic.state, topic.sent_up_to = Topic.State.SENT_UP, item
    topic.save(update_fields=["state", "sent_up_to"])
    where = _("%(meeting)s, %(date)s") % {"meeting": meeting.title, "date": meeting.date.isoformat()}
    timeline.record(
        topic, "sent_up", actor=actor, at=now, changes={"state": [old, topic.state], "meeting": [None, meeting.pk]}
    )
    timeline.record(meeting, "agenda_item_proposed", actor=actor, at=now, changes={"agenda": [None, item.title]})
    for concern in topic.concerns.filter(state__in=OPEN_STATES):
        # Public, without the internal reason: the resident learns where the concern went and when it is heard.
        timeline.record(concern, "sent_up", actor=actor, public=True, at=now, note=where)
    notify(
        recipients([meeting.host_unit], min_role=Role.MANAGER),
        kind="deliberation.sent_up",
        message=gettext_noop("Agenda item proposed by %(hall)s for %(meeting)s: %(title)s"),
        params={"hall": topic.hall.name, "meeting": meeting.title, "title": topic.title},
        body=reason,
        url=meeting.get_absolute_url(),
    )
    return item


def suggest_groups(hall, concerns=None, threshold=grouping.THRESHOLD):
    """Proposed topics for the hall's ungrouped open concerns: [(topic or None, [concerns])], biggest first.

    Existing topics seed the grouping, so a concern like an earlier topic is proposed for it.
    """
    if concerns is None:
        concerns = list(
            Concern.objects.filter(
                hall=hall, topic__isnull=True, state__in=[ConcernState.RECEIVED, ConcernState.ACCEPTED]
            ).order_by("received_at", "id")
        )
    topics = list(Topic.objects.filter(hall=hall, state=Topic.State.OPEN))
    grouper = grouping.Grouper(threshold)
    for topic in topics:
        grouper.add_signature(topic.signature or {}, size=0)
    members = {}
    for concern in concerns:
        members.setdefault(grouper.add(grouping.vector(concern.text)), []).append(concern)
    proposals = []
    for group, group_concerns in members.items():
        topic = topics[group] if group < len(topics) else None
        if topic is None and len(group_concerns) < 2:
            continue
        proposals.append((topic, group_concerns))
    proposals.sort(key=lambda p: -len(p[1]))
    return proposals


def match_topic(hall, text, topics=None, threshold=grouping.THRESHOLD):
    """The open topic most like a new concern's text, with its similarity, or (None, 0.0)."""
    if topics is None:
        topics = list(Topic.objects.filter(hall=hall, state=Topic.State.OPEN).only("id", "title", "signature"))
    grouper = grouping.Grouper(threshold)
    for topic in topics:
        grouper.add_signature(topic.signature or {})
    group, score = grouper.best(grouping.vector(text))
    if group is None or score < threshold:
        return None, score
    return topics[group], score


# --- staff: sessions ---------------------------------------------------------------------------------------


@transaction.atomic
def do_schedule_session(*, actor, topic, title, starts_at, place, invitees, kind=Session.Kind.COUNCIL, now=None):
    """A session on the topic with invited representatives: `invitees` maps a stakeholder group to names."""
    _require_staff(actor, topic.hall)
    now = now or timezone.now()
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the session a title.")
    if not (place or "").strip():
        errors["place"] = _("Say where the session takes place.")
    if starts_at is None:
        errors["starts_at"] = _("Give the date and time.")
    groups = [(name.strip(), [n.strip() for n in names if n.strip()]) for name, names in invitees if name.strip()]
    if not groups:
        errors["invitees"] = _("Invite at least one stakeholder group.")
    if errors:
        raise ValidationError(errors)
    session = Session.objects.create(
        hall=topic.hall, topic=topic, title=title.strip(), starts_at=starts_at, place=place.strip(), kind=kind
    )
    for order, (name, names) in enumerate(groups):
        group = StakeholderGroup.objects.create(session=session, name=name[:100], order=order)
        Attendee.objects.bulk_create([Attendee(session=session, group=group, name=n[:100]) for n in names])
    if topic.state == Topic.State.OPEN:
        topic.state = Topic.State.SCHEDULED
        topic.save(update_fields=["state"])
    timeline.record(session, "scheduled", actor=actor, public=False, at=now)
    for concern in topic.concerns.filter(state=ConcernState.ACCEPTED):
        concern.state = ConcernState.ON_AGENDA
        _save(concern, ["state"])
        timeline.record(
            concern,
            "on_agenda",
            actor=actor,
            public=True,
            at=now,
            changes={"state": [ConcernState.ACCEPTED, ConcernState.ON_AGENDA]},
            note=_("%(title)s, %(when)s, %(place)s")
            % {
                "title": session.title,
                "when": timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M"),
                "place": session.place,
            },
        )
    return session


def _require_open_session(actor, session):
    _require_staff(actor, session.hall)
    if session.state == Session.State.RESOLVED:
        raise ValidationError(_("The session has been resolved; it can no longer be changed."))


@transaction.atomic
def do_add_attendee(*, actor, session, group, name):
    _require_open_session(actor, session)
    if group.session_id != session.pk:
        raise ValidationError({"group": _("Choose a group of this session.")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Write the representative's name.")})
    return Attendee.objects.create(session=session, group=group, name=name[:100])


@transaction.atomic
def do_sign_in(*, actor, attendee, now=None):
    _require_open_session(actor, attendee.session)
    if attendee.signed_in_at is None:
        attendee.signed_in_at = now or timezone.now()
        attendee.save(update_fields=["signed_in_at"])
        session = attendee.session
        if session.state == Session.State.PLANNED:
            session.state = Session.State.HELD
            session.save(update_fields=["state"])
    return attendee


@transaction.atomic
def do_add_opinion(*, actor, session, text, group=None, speaker=None, now=None):
    _require_open_session(actor, session)
    text = _clean_text(text, "text")
    if speaker is not None:
        if speaker.session_id != session.pk:
            raise ValidationError({"speaker": _("The speaker is not invited to this session.")})
        group = speaker.group
    if group is None or group.session_id != session.pk:
        raise ValidationError({"group": _("Choose the speaker's group.")})
    return Opinion.objects.create(session=session, speaker=speaker, group=group, text=text, at=now or timezone.now())


def _parse_funding(funding):
    shares = []
    for payer, percent in funding:
        payer = (payer or "").strip()
        if not payer:
            continue
        try:
            percent = int(percent)
        except (TypeError, ValueError):
            raise ValidationError({"funding": _("A funding share is a whole percentage.")}) from None
        if not 0 < percent <= 100:
            raise ValidationError({"funding": _("A funding share lies between 1 and 100 percent.")})
        shares.append({"payer": payer[:60], "percent": percent})
    total = sum(s["percent"] for s in shares)
    if shares and total != 100:
        raise ValidationError({"funding": _("The funding shares add up to %(total)s%%, not 100%%.") % {"total": total}})
    return shares


@transaction.atomic
def do_add_proposal(*, actor, session, title, details="", funding=()):
    """A proposal with its design, style and size in `details` and `funding` as (payer, percent) pairs."""
    _require_open_session(actor, session)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the proposal a title.")})
    shares = _parse_funding(funding)
    order = session.proposals.count() + 1
    return Proposal.objects.create(
        session=session, title=title[:200], details=details.strip(), funding=shares, order=order
    )


@transaction.atomic
def do_cast_vote(*, actor, proposal, attendee, choice, now=None):
    """One vote per attendee per proposal, by a representative who signed in."""
    session = proposal.session
    _require_open_session(actor, session)
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": _("Choose for, against or abstain.")})
    if attendee.session_id != session.pk:
        raise ValidationError(_("%(name)s is not invited to this session.") % {"name": attendee.name})
    if attendee.signed_in_at is None:
        raise ValidationError(_("%(name)s has not signed in and cannot vote.") % {"name": attendee.name})
    try:
        with transaction.atomic():
            return Vote.objects.create(proposal=proposal, attendee=attendee, choice=choice, at=now or timezone.now())
    except IntegrityError:
        raise ValidationError(_("%(name)s has already voted on this proposal.") % {"name": attendee.name}) from None


def vote_results(session):
    """Per proposal: the count per group and in total, each group's support among its signed-in members,
    and the lowest group's support, so a proposal carried only by the largest group shows it.

    Two queries whatever the size of the session.
    """
    present = Counter(
        Attendee.objects.filter(session=session, signed_in_at__isnull=False).values_list("group_id", flat=True)
    )
    groups = list(session.groups.all())
    tallies = Counter(
        (p, g, c)
        for p, g, c in Vote.objects.filter(proposal__session=session).values_list(
            "proposal_id", "attendee__group_id", "choice"
        )
    )
    results = {}
    for proposal in session.proposals.all():
        rows = []
        for group in groups:
            counts = {c: tallies[(proposal.pk, group.pk, c)] for c in Vote.Choice.values}
            base = present[group.pk]
            rows.append({"group": group, "present": base, **counts, "support": counts["for"] / base if base else None})
        total_present = sum(present.values())
        total_for = sum(r["for"] for r in rows)
        supports = [r["support"] for r in rows if r["support"] is not None]
        results[proposal.pk] = {
            "proposal": proposal,
            "groups": rows,
            "present": total_present,
            "for": total_for,
            "against": sum(r["against"] for r in rows),
            "abstain": sum(r["abstain"] for r in rows),
            "support": total_for / total_present if total_present else None,
            "lowest": min(supports) if supports else None,
            "lowest_group": min(
                (r for r in rows if r["support"] is not None), key=lambda r: r["support"], default=None
            ),
        }
    return results


@transaction.atomic
def do_resolve(
    *, actor, session, text, target_date, lead_unit, co_units=(), proposal=None, domain=Domain.PUBLIC_SERVICES, now=None
):
    """The session's resolution: a supervised matter for the owner units, and the concerns behind it resolved."""
    _require_manager(actor, session.hall)
    now = now or timezone.now()
    if Resolution.objects.filter(session=session).exists():
        raise ValidationError(_("This session already has a resolution."))
    text = _clean_text(text, "text")
    if target_date is None:
        raise ValidationError({"target_date": _("Give the target date.")})
    if target_date < timezone.localtime(session.starts_at).date():
        raise ValidationError({"target_date": _("The target date cannot be before the session.")})
    if proposal is not None and proposal.session_id != session.pk:
        raise ValidationError({"proposal": _("Choose a proposal of this session.")})
    if lead_unit is None:
        raise ValidationError({"lead_unit": _("Choose the unit that delivers the resolution.")})
    resolution = Resolution.objects.create(
        session=session, proposal=proposal, text=text, target_date=target_date, created_by=actor, created_at=now
    )
    matter = do_create_matter(
        actor=actor,
        code=f"YST-{session.hall.slug.upper()}-{resolution.pk:04d}"[:40],
        title=session.topic.title,
        description=text,
        lead_unit=lead_unit,
        co_units=co_units,
        start_date=timezone.localtime(now).date(),
        due_date=target_date,
        domain=domain,
        source=Source.DELIBERATION,
        source_object=resolution,
        public=True,
        reporting_frequency="weekly",
    )
    # The hall's manager may assign what the hall resolves to the units under it (checked by do_create_matter).
    matter = do_transition(actor=actor, matter=matter, name="assign", authorized=True)
    resolution.matter = matter
    resolution.save(update_fields=["matter"])
    session.state = Session.State.RESOLVED
    session.save(update_fields=["state"])
    topic = session.topic
    topic.state = Topic.State.RESOLVED
    topic.save(update_fields=["state"])
    timeline.record(session, "resolved", actor=actor, public=False, at=now, note=text)
    timeline.record(
        topic,
        "resolved",
        actor=actor,
        public=False,
        at=now,
        changes={"state": [None, topic.state], "matter": [None, matter.code]},
        note=text,
    )
    # The owner units hear of the matter from supervision's assignment; the hall hears of its resolution.
    _tell_hall(
        session.hall,
        actor=actor,
        kind="deliberation.resolved",
        message=gettext_noop("Resolved: %(title)s, to be delivered by %(date)s (%(code)s)"),
        params={"title": topic.title, "date": target_date.isoformat(), "code": matter.code},
        body=text,
        url=matter.get_absolute_url(),
    )
    for concern in topic.concerns.filter(state__in=OPEN_STATES):
        old = concern.state
        concern.state, concern.resolved_at = ConcernState.RESOLVED, now
        fields = ["state", "resolved_at"]
        if concern.answered_at is None:
            concern.answered_at, concern.answer = now, text
            fields += ["answered_at", "answer"]
        _save(concern, fields)
        timeline.record(
            concern,
            "resolved",
            actor=actor,
            public=True,
            at=now,
            changes={"state": [old, concern.state], "target_date": [None, target_date.isoformat()]},
            note=text,
        )
    return resolution


# --- surveys (社情民意调查) -------------------------------------------------------------------------------

SURVEY_QUESTIONS_MAX = 20
SURVEY_OPTIONS_MAX = 12
SURVEY_ANSWER_MAX = 500
# Answers to one survey from one network address within an hour. A village office or a family shares one
# address, so the bound is generous; it stops a script, while the device and contact rules stop repeats.
SURVEY_LIMIT_PER_ADDRESS_HOUR = 30


def _clean_questions(questions):
    """[{kind, text, choices, required}] checked and trimmed; the errors name the question by its number."""
    if not questions:
        raise ValidationError({"questions": _("Add at least one question.")})
    if len(questions) > SURVEY_QUESTIONS_MAX:
        raise ValidationError(
            {"questions": _("A survey has at most %(max)s questions.") % {"max": SURVEY_QUESTIONS_MAX}}
        )
    cleaned = []
    for number, question in enumerate(questions, start=1):
        kind = question.get("kind")
        text = (question.get("text") or "").strip()
        choices = [c.strip()[:100] for c in question.get("choices") or () if c and c.strip()]
        if kind not in Question.Kind.values:
            raise ValidationError({"questions": _("Question %(n)s: choose its kind.") % {"n": number}})
        if not text or len(text) > 300:
            raise ValidationError(
                {"questions": _("Question %(n)s: write the question in at most 300 characters.") % {"n": number}}
            )
        if kind == Question.Kind.TEXT:
            choices = []
        elif not 2 <= len(choices) <= SURVEY_OPTIONS_MAX:
            raise ValidationError(
                {
                    "questions": _("Question %(n)s: a choice question has 2 to %(max)s options.")
                    % {"n": number, "max": SURVEY_OPTIONS_MAX}
                }
            )
        elif len(set(choices)) != len(choices):
            raise ValidationError({"questions": _("Question %(n)s: two options read the same.") % {"n": number}})
        cleaned.append({"kind": kind, "text": text, "choices": choices, "required": bool(question.get("required"))})
    return cleaned


@transaction.atomic
def do_create_survey(*, actor, hall, title, questions, intro="", topic=None, now=None):
    """A draft survey; residents see it once it is opened."""
    _require_staff(actor, hall)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError({"title": _("Give the survey a title of at most 200 characters.")})
    if topic is not None and topic.hall_id != hall.pk:
        raise ValidationError({"topic": _("The topic belongs to another hall.")})
    cleaned = _clean_questions(questions)
    survey = Survey.objects.create(
        hall=hall,
        title=title,
        intro=(intro or "").strip()[:TEXT_MAX],
        topic=topic,
        created_by=actor,
        created_at=now or timezone.now(),
    )
    Question.objects.bulk_create([Question(survey=survey, order=i, **q) for i, q in enumerate(cleaned, start=1)])
    timeline.record(survey, "created", actor=actor, at=now)
    return survey


@transaction.atomic
def do_open_survey(*, actor, survey, now=None):
    _require_staff(actor, survey.hall)
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.state != Survey.State.DRAFT:
        raise ValidationError(_("Only a draft survey can be opened."))
    survey.state, survey.opened_at = Survey.State.OPEN, now
    survey.save(update_fields=["state", "opened_at"])
    timeline.record(survey, "opened", actor=actor, at=now, public=True)
    return survey


@transaction.atomic
def do_close_survey(*, actor, survey, now=None):
    _require_staff(actor, survey.hall)
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.state != Survey.State.OPEN:
        raise ValidationError(_("Only an open survey can be closed."))
    survey.state, survey.closed_at = Survey.State.CLOSED, now
    survey.save(update_fields=["state", "closed_at"])
    timeline.record(survey, "closed", actor=actor, at=now, public=True)
    return survey


@transaction.atomic
def do_answer_survey(*, survey, answers, device, contact="", source="", honeypot="", now=None):
    """A resident's answers: `answers` maps a question's id to an option's position, a list of them, or text.

    One response per device and per contact (when given), and a bound per network address; the response is
    stored whole or not at all.
    """
    now = now or timezone.now()
    if honeypot:
        raise ValidationError(_("The answers could not be accepted. Please try again later."))
    # The lock orders concurrent answers, so the count and the per-address bound hold under load.
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.state != Survey.State.OPEN:
        raise ValidationError(_("This survey is not open for answers."))
    device_index = blind_index(f"device:{device}")
    contact = (contact or "").strip()
    if len(contact) > 100:
        raise ValidationError({"contact": _("The contact is too long.")})
    contact_index = blind_index(f"contact:{contact}") if contact else ""
    source_index = blind_index(f"addr:{source}") if source else ""
    mine = SurveyResponse.objects.filter(survey=survey)
    if mine.filter(device_index=device_index).exists() or (
        contact_index and mine.filter(contact_index=contact_index).exists()
    ):
        raise ValidationError(_("You have already answered this survey. Thank you."))
    if source_index:
        hour_ago = now - datetime.timedelta(hours=1)
        if mine.filter(source_index=source_index, at__gte=hour_ago).count() >= SURVEY_LIMIT_PER_ADDRESS_HOUR:
            raise ValidationError(_("Too many answers were sent from this network in the last hour. Try again later."))
    rows, errors = [], {}
    for question in survey.questions.all():
        value = answers.get(question.pk)
        key = f"q{question.pk}"
        if question.kind == Question.Kind.TEXT:
            text = (value or "").strip() if isinstance(value, str) else ""
            if len(text) > SURVEY_ANSWER_MAX:
                errors[key] = _("At most %(max)s characters.") % {"max": SURVEY_ANSWER_MAX}
            elif text:
                rows.append(SurveyAnswer(question=question, text=text))
            elif question.required:
                errors[key] = _("Answer this question.")
            continue
        values = value if isinstance(value, list | tuple) else ([] if value in (None, "") else [value])
        try:
            picked = sorted({int(v) for v in values})
        except (TypeError, ValueError):
            picked = [-1]
        if any(not 0 <= p < len(question.choices) for p in picked):
            errors[key] = _("Choose one of the options shown.")
        elif question.kind == Question.Kind.SINGLE and len(picked) > 1:
            errors[key] = _("Choose only one option.")
        elif not picked and question.required:
            errors[key] = _("Answer this question.")
        else:
            rows += [SurveyAnswer(question=question, choice=p) for p in picked]
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("Answer at least one question."))
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey, device_index=device_index, contact_index=contact_index, source_index=source_index, at=now
            )
    except IntegrityError:
        raise ValidationError(_("You have already answered this survey. Thank you.")) from None
    for row in rows:
        row.response = response
    SurveyAnswer.objects.bulk_create(rows)
    Survey.objects.filter(pk=survey.pk).update(response_count=F("response_count") + 1)
    return response


def survey_results(survey, *, with_texts=False, texts_max=50):
    """Per question: each option's count and share of the respondents who answered it; written answers
    (staff only: residents may write names) counted, the latest of them listed.

    Three queries (four with the written answers) whatever the number of responses.
    """
    from django.db.models import Count, Window
    from django.db.models.functions import RowNumber

    questions = list(survey.questions.all())
    counts = Counter(
        {
            (row["question_id"], row["choice"]): row["n"]
            for row in SurveyAnswer.objects.filter(question__survey=survey, choice__isnull=False)
            .values("question_id", "choice")
            .annotate(n=Count("id"))
        }
    )
    answered = dict(
        SurveyAnswer.objects.filter(question__survey=survey)
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "n")
    )
    texts = {}
    if with_texts:
        # The latest `texts_max` of each question are numbered and cut in the database: a survey of thousands
        # would otherwise send every written answer to the page to keep fifty.
        latest = Window(RowNumber(), partition_by=F("question_id"), order_by=[F("response__at").desc(), F("id").desc()])
        for question_id, text in (
            SurveyAnswer.objects.filter(question__survey=survey, choice__isnull=True)
            .annotate(rank=latest)
            .filter(rank__lte=texts_max)
            .order_by("-response__at", "-id")
            .values_list("question_id", "text")
        ):
            texts.setdefault(question_id, []).append(text)
    results = []
    for question in questions:
        base = answered.get(question.pk, 0)
        options = [
            {"label": label, "count": counts[(question.pk, i)], "share": counts[(question.pk, i)] / base if base else 0}
            for i, label in enumerate(question.choices)
        ]
        results.append(
            {"question": question, "answered": base, "options": options, "texts": texts.get(question.pk, [])}
        )
    return results


# --- retention ---------------------------------------------------------------------------------------------


def purge_contacts(now):
    """Residents' contacts of cases closed longer ago than the operator-set period are erased."""
    cutoff = now - datetime.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    finished = Q(closed_at__lt=cutoff) | Q(state=ConcernState.RESOLVED, resolved_at__lt=cutoff)
    due = Concern.objects.filter(finished, contact_purged_at__isnull=True).exclude(contact_index="")
    return due.update(contact="", contact_index="", contact_purged_at=now)
