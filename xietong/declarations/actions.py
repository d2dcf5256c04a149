"""Every write of the declarations workflow.

Each `do_*` function validates everything (callers only translate its ValidationError and
PermissionDenied), changes state atomically, records the timeline (private: these events concern
a person) and leaves notifications and background work to `transaction.on_commit`.
"""

import datetime
import secrets

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.core import outbox, personal, timeline
from xietong.core.models import TimelineEvent, Unit, UnitKind
from xietong.regions.resolver import AmbiguousPlace, UnknownPlace

from . import access, idcard, placing, screening, tell
from .models import (
    SYMPTOMS,
    AreaStatus,
    Declaration,
    Handover,
    Match,
    Measure,
    MeasureKind,
    MeasureState,
    Notice,
    NoticeState,
    Result,
    RiskArea,
    ScreeningStatus,
    State,
    Stop,
    Tier,
    receipt_code,
)
from .rows import insert_rows

# A declaration made before travel is welcome, but not for a trip months away.
MAX_DAYS_AHEAD = 14
# Stops further back than this before arrival cannot matter to any look-back period.
MAX_DAYS_BACK = 60
MAX_STOPS = 10
PHONE_DIGITS = 11


# --- declarations ---------------------------------------------------------------------------------------------


def city_of(unit, known=()):
    """The city-level unit above `unit` (or the unit itself), or None outside the cluster's cities.

    A city among `known` (units the caller already holds, such as the form's own city) that lies on the
    unit's path answers without a query; cities sit directly under the office, so there is only one.
    """
    ids = unit.ancestors()
    for candidate in known:
        if candidate is not None and candidate.kind == UnitKind.CITY and candidate.pk in ids:
            return candidate
    return Unit.objects.filter(pk__in=ids, kind=UnitKind.CITY).first()


def _clean_phone(value):
    phone = "".join(ch for ch in str(value or "") if ch.isdigit())
    if len(phone) != PHONE_DIGITS or not phone.startswith("1"):
        raise ValidationError(_("Enter an 11-digit mobile number starting with 1."), code="phone")
    return phone


def _clean_unit(unit, kind, field):
    if unit is None:
        return None
    if unit.kind != kind:
        raise ValidationError({field: _("Choose one of the listed units.")})
    return unit


def validate_declaration(data, today):
    """The declaration's cleaned values, or a ValidationError with one message per field."""
    errors = {}
    cleaned = {}
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        errors["name"] = _("Enter your name as on your ID card.")
    elif len(name) > 60:
        errors["name"] = _("The name is too long (60 characters at most).")
    cleaned["name"] = name
    try:
        cleaned["id_number"] = idcard.validate_id_number(data.get("id_number"), today=today)
    except ValidationError as error:
        errors["id_number"] = error.messages
    try:
        cleaned["phone"] = _clean_phone(data.get("phone"))
    except ValidationError as error:
        errors["phone"] = error.messages
    arrival = data.get("arrival_date")
    if not isinstance(arrival, datetime.date):
        errors["arrival_date"] = _("Enter the date you arrive (or arrived).")
    elif arrival > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        errors["arrival_date"] = _(
            "The arrival date is more than %(days)d days ahead; declare again closer to your trip."
        ) % {"days": MAX_DAYS_AHEAD}
    elif arrival < today - datetime.timedelta(days=MAX_DAYS_BACK):
        errors["arrival_date"] = _("The arrival date is more than %(days)d days ago.") % {"days": MAX_DAYS_BACK}
    cleaned["arrival_date"] = arrival
    if data.get("destination") is None:
        errors["destination"] = _("Enter where you are going to stay.")
    cleaned["destination"] = data.get("destination")
    cleaned["address"] = " ".join(str(data.get("address") or "").split())[:200]
    community = data.get("community")
    if community is None or community.kind != UnitKind.COMMUNITY:
        errors["community"] = _("Choose the community or village where you will stay.")
    cleaned["community"] = community
    try:
        cleaned["employer"] = _clean_unit(data.get("employer"), UnitKind.ENTERPRISE, "employer")
        cleaned["hotel"] = _clean_unit(data.get("hotel"), UnitKind.HOTEL, "hotel")
    except ValidationError as error:
        errors.update(error.message_dict)
    known = {key for key, _label in SYMPTOMS}
    symptoms = sorted(set(data.get("symptoms") or []))
    if not set(symptoms) <= known:
        errors["symptoms"] = _("Choose symptoms from the list.")
    cleaned["symptoms"] = symptoms

    stops = list(data.get("stops") or [])
    stop_errors = []
    if len(stops) > MAX_STOPS:
        stop_errors.append(_("At most %(count)d stops can be declared.") % {"count": MAX_STOPS})
    for number, stop in enumerate(stops, start=1):
        start, end = stop.get("start"), stop.get("end")
        if stop.get("region") is None:
            stop_errors.append(_("Stop %(n)d: enter the place.") % {"n": number})
        if not isinstance(start, datetime.date) or not isinstance(end, datetime.date):
            stop_errors.append(_("Stop %(n)d: enter both dates.") % {"n": number})
            continue
        if end < start:
            stop_errors.append(_("Stop %(n)d: it ends before it starts.") % {"n": number})
        if isinstance(arrival, datetime.date):
            if end > arrival:
                stop_errors.append(_("Stop %(n)d: it ends after your arrival date.") % {"n": number})
            if start < arrival - datetime.timedelta(days=MAX_DAYS_BACK):
                stop_errors.append(
                    _("Stop %(n)d: only stays in the last %(days)d days are needed.")
                    % {"n": number, "days": MAX_DAYS_BACK}
                )
    if stop_errors:
        errors["stops"] = stop_errors
    cleaned["stops"] = stops
    if errors:
        raise ValidationError(errors)
    return cleaned


def do_submit_declaration(*, data, intake_city, now=None):
    """Store (or update) a declaration and screen it. Returns (declaration, created).

    The same person (ID number) and arrival date is one declaration: a second submission updates
    it, even when both arrive at once. The unique constraint on (blind index, arrival) decides the
    race; the loser of the insert updates the winner's row.

    A new declaration, the usual case, is screened in memory before it is stored, against the editions
    and areas this process keeps (`screening.rules_in_force`), and then written in one INSERT each for
    the declaration (result included), its stops, matches and measures and its history. The receiving
    units are told after commit, by a background task.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    cleaned = validate_declaration(data, today)
    if intake_city is None or intake_city.kind != UnitKind.CITY:
        raise ValidationError(_("This form does not belong to a city of the cluster."))
    city = city_of(cleaned["community"], known=[intake_city])
    if city is None:
        raise ValidationError({"community": _("Choose the community or village where you will stay.")})
    id_index = personal.blind_index(cleaned["id_number"])
    values = {
        "name": cleaned["name"],
        "id_number": cleaned["id_number"],
        "phone": cleaned["phone"],
        "phone_index": personal.blind_index(cleaned["phone"]),
        "destination": cleaned["destination"],
        "address": cleaned["address"],
        "community": cleaned["community"],
        "employer": cleaned["employer"],
        "hotel": cleaned["hotel"],
        "intake_city": intake_city,
        "city": city,
        "symptoms": cleaned["symptoms"],
        "origin_province": _origin(cleaned["stops"]),
        "updated_at": now,
    }
    arrival = cleaned["arrival_date"]
    fresh = Declaration(
        receipt=receipt_code(arrival), id_index=id_index, arrival_date=arrival, submitted_at=now, **values
    )
    stops = [
        Stop(
            declaration=fresh,
            arrival_date=arrival,
            region=stop["region"],
            place=str(stop.get("place") or "")[:200],
            start=stop["start"],
            end=stop["end"],
            transport=str(stop.get("transport") or "")[:60],
        )
        for stop in cleaned["stops"]
    ]
    all_editions, areas = screening.rules_in_force()
    outcome = screening.screen([(fresh, stops, {}, [])], areas, all_editions, now)
    events = []
    with transaction.atomic():
        declaration, created = _upsert(fresh, values)
        if created:
            insert_rows(Stop, stops)
            insert_rows(Match, outcome.new_matches)
            insert_rows(Measure, outcome.new_measures)
            changes = outcome.changes
        else:
            # A resubmission replaces the itinerary; its matches and measures follow in rescreen.
            declaration.stops.all().delete()
            for stop in stops:
                stop.declaration = declaration
            insert_rows(Stop, stops)
            changes = screening.rescreen([declaration.pk], now=now)
            declaration.refresh_from_db()
        events.append(_event(declaration, "submitted" if created else "resubmitted", now))
        events.extend(_screened_events(changes, now, reason="submission"))
        if declaration.intake_city_id != declaration.city_id:
            events.extend(_hand_over(declaration, now))
        insert_rows(TimelineEvent, events)
        _tell_after_commit(changes, reason="submission")
    return declaration, created


def _origin(stops):
    """The province of the last stop before arrival (for arrivals by origin)."""
    if not stops:
        return ""
    last = max(stops, key=lambda s: (s["end"], s["start"]))
    return last["region"].code[:2]


RECEIPT_ATTEMPTS = 3


def _upsert(fresh, values):
    """(the stored declaration, created): `fresh` inserted, or the person's row for that arrival updated."""
    for attempt in range(RECEIPT_ATTEMPTS):
        if attempt:
            fresh.receipt = receipt_code(fresh.arrival_date)
        # One statement: a clash neither aborts the transaction nor needs a savepoint to go on after.
        if insert_rows(Declaration, [fresh], skip_conflicts=True):
            return fresh, True
        # Either the same person's declaration exists (its other submission may have won the insert just
        # now: the insert waited for it), or the new receipt clashed with another one's.
        existing = (
            Declaration.objects.select_for_update()
            .filter(id_index=fresh.id_index, arrival_date=fresh.arrival_date)
            .first()
        )
        if existing is not None:
            break
        if attempt == RECEIPT_ATTEMPTS - 1:
            raise IntegrityError("no free receipt code after %d draws" % RECEIPT_ATTEMPTS)
    if existing.purged_at is not None:
        raise ValidationError(_("This declaration was closed and its personal data deleted; it cannot be changed."))
    for field, value in values.items():
        setattr(existing, field, value)
    existing.version += 1
    existing.save(update_fields=[*values.keys(), "version"])
    return existing, False


# --- screening results: timeline and notifications ----------------------------------------------------------


def _event(declaration, verb, now, changes=None, note=""):
    """The history entry `timeline.record` would write (private), unsaved, to be inserted with others."""
    return TimelineEvent(
        content_type=ContentType.objects.get_for_model(Declaration),
        object_id=str(declaration.pk),
        verb=verb,
        changes=changes or {},
        note=note,
        public=False,
        at=now,
    )


def _screened_events(changes, now, reason):
    return [
        _event(change.declaration, "screened", now, {"tier": [change.old_tier, change.new_tier]}, reason)
        for change in changes
    ]


def _after_screening(changes, now, reason):
    """Record each change in its declaration's history and tell the receiving units.

    The events are inserted in one statement: a re-screen after a notice can change thousands of
    declarations, and one insert each would dominate its time.
    """
    insert_rows(TimelineEvent, _screened_events(changes, now, reason))
    tell.receiving_units(tell.screening_news(changes), reason)


def _tell_after_commit(changes, reason):
    """Tell the receiving units of a submission's result once it is committed, from a background task.

    The person is not kept waiting for it, and a broker that is down delays it without losing it (the
    outbox). The key makes the task's messages unique, so a resent task tells nobody twice.
    """
    news = tell.screening_news(changes)
    if news:
        outbox.enqueue("xietong.declarations.tell_receiving_units", news, reason, secrets.token_hex(8))


# --- hand-over across the cluster ------------------------------------------------------------------------------


def _hand_over(declaration, now):
    """Hand the declaration to its receiving city; returns the history entries to record."""
    handover, created = Handover.objects.get_or_create(
        declaration=declaration,
        defaults={"from_city": declaration.intake_city, "to_city": declaration.city, "created_at": now},
    )
    if not created and handover.to_city_id != declaration.city_id:
        handover.to_city, handover.received_at, handover.received_by = declaration.city, None, None
        handover.save(update_fields=["to_city", "received_at", "received_by"])
    if created or handover.received_at is None:
        tell.prevention_office(declaration.city, "declarations.handover", declaration)
        return [_event(declaration, "handed_over", now, {"to_city": [None, declaration.city_id]})]
    return []


def do_receive_handover(*, actor, handover, now=None):
    if not access.can_receive_handover(actor, handover):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        handover = Handover.objects.select_for_update().get(pk=handover.pk)
        if handover.received_at is not None:
            return handover
        handover.received_at, handover.received_by = now, actor
        handover.save(update_fields=["received_at", "received_by"])
        timeline.record(handover.declaration, "handover_received", actor=actor, at=now, public=False)
    return handover


# --- receiving units --------------------------------------------------------------------------------------------


def do_acknowledge(*, actor, declaration, now=None):
    """A receiving unit takes an at-risk declaration on: the measures start being tracked."""
    if not access.can_handle(actor, declaration):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if declaration.state != State.AT_RISK:
            raise ValidationError(_("Only a declaration screened at risk and not yet taken on can be taken on."))
        pending = declaration.measures.filter(state=MeasureState.PENDING).exists()
        declaration.acknowledged_at = now
        declaration.state = State.MEASURES if pending else State.COMPLETED
        if not pending:
            declaration.completed_at = now
        declaration.save(update_fields=["acknowledged_at", "state", "completed_at"])
        timeline.record(declaration, "acknowledged", actor=actor, at=now, public=False)
    return declaration


def do_record_measure(*, actor, measure, result="", now=None):
    """Record a test result, or a quarantine or monitoring period as completed."""
    now = now or timezone.now()
    with transaction.atomic():
        measure = Measure.objects.select_for_update().get(pk=measure.pk)
        declaration = Declaration.objects.select_for_update().get(pk=measure.declaration_id)
        if not access.can_handle(actor, declaration):
            raise PermissionDenied
        if measure.state not in (MeasureState.PENDING, MeasureState.MISSED):
            raise ValidationError(_("This measure is no longer open."))
        if measure.kind == MeasureKind.TEST and result not in (Result.NEGATIVE, Result.POSITIVE):
            raise ValidationError({"result": _("Choose the test result: negative or positive.")})
        if measure.kind != MeasureKind.TEST:
            result = ""
        if measure.due > timezone.localdate(now):
            raise ValidationError(_("This measure is not due yet."))
        old_state = measure.state
        measure.state, measure.result = MeasureState.DONE, result
        measure.recorded_at, measure.recorded_by = now, actor
        measure.save(update_fields=["state", "result", "recorded_at", "recorded_by"])
        timeline.record(
            declaration,
            "measure_recorded",
            actor=actor,
            at=now,
            public=False,
            changes={"measure": [old_state, measure.state], "kind": [None, measure.kind], "result": [None, result]},
        )
        if result == Result.POSITIVE:
            tell.prevention_office(declaration.city, "declarations.positive", declaration)
        if declaration.acknowledged_at is None:
            declaration.acknowledged_at = now
        open_left = declaration.measures.filter(state__in=[MeasureState.PENDING, MeasureState.MISSED]).exists()
        declaration.state = State.MEASURES if open_left else State.COMPLETED
        if not open_left:
            declaration.completed_at = now
            timeline.record(declaration, "completed", actor=actor, at=now, public=False)
        declaration.save(update_fields=["acknowledged_at", "state", "completed_at"])
    return measure


def mark_missed(today, now=None):
    """Pending measures whose day has passed become missed; the prevention office is told once each.

    Idempotent and safe with several workers: each measure is claimed by a conditional UPDATE.
    """
    now = now or timezone.now()
    late = list(
        Measure.objects.filter(state=MeasureState.PENDING, due__lt=today)
        .exclude(kind__in=[MeasureKind.CENTRALIZED, MeasureKind.HOME, MeasureKind.MONITORING], end__gte=today)
        .values_list("pk", flat=True)
    )
    escalated = []
    for pk in late:
        with transaction.atomic():
            claimed = Measure.objects.filter(pk=pk, state=MeasureState.PENDING).update(
                state=MeasureState.MISSED, escalated_at=now
            )
            if not claimed:
                continue
            measure = Measure.objects.select_related("declaration__city").get(pk=pk)
            timeline.record(
                measure.declaration,
                "measure_missed",
                at=now,
                public=False,
                changes={"measure": [MeasureState.PENDING, MeasureState.MISSED], "kind": [None, measure.kind]},
            )
            escalated.append(measure)
    tell.missed(escalated)
    return len(escalated)


def reveal(*, actor, declaration, purpose):
    """The declaration's personal data in clear, for a stated purpose; the reading is logged."""
    if not access.can_handle(actor, declaration):
        raise PermissionDenied
    purpose = " ".join(str(purpose or "").split())[:200]
    if not purpose:
        raise ValidationError({"purpose": _("Say why you need the full details (for example: to call the person).")})
    personal.log_access(actor, declaration, ["name", "id_number", "phone", "address"], purpose)
    return {
        "name": declaration.name,
        "id_number": declaration.id_number,
        "phone": declaration.phone,
        "address": declaration.address,
    }


# --- notices ----------------------------------------------------------------------------------------------------

TIER_WORDS = {
    "高风险": Tier.HIGH,
    "中风险": Tier.MEDIUM,
    "低风险": Tier.LOW,
}


def read_list(text, window_start, default_tier=Tier.LISTED):
    """RiskArea rows (unsaved) from a pasted list, one entry per line (or separated by 、；;).

    A line may start with a tier heading ("高风险区：…"); an entry the resolver cannot place whole
    goes to review with its candidates, and one naming a place below a division (a community, an
    address) keeps that place as text under the division. Nothing is placed by a guess.
    """
    areas = []
    tier = default_tier
    for raw_line in str(text or "").splitlines():
        line = raw_line.strip().strip("，,。.")
        if not line:
            continue
        for word, word_tier in TIER_WORDS.items():
            if line.startswith(word):
                tier = word_tier
                line = line.split("：", 1)[-1].split(":", 1)[-1] if ("：" in line or ":" in line) else ""
                break
        context = None
        for entry in placing.split_entries(line):
            area = place_area(entry, tier, window_start, position=len(areas), context=context)
            context = area.region or context
            areas.append(area)
    return areas


def place_area(text, tier, window_start, position=0, context=None):
    area = RiskArea(text=text[:300], tier=tier, window_start=window_start, position=position)
    try:
        region, rest = placing.place(text, context)
    except AmbiguousPlace as error:
        area.status = AreaStatus.REVIEW
        area.candidates = [r.code for r in error.candidates][:20]
        area.problem = str(error)[:300]
        return area
    except UnknownPlace as error:
        area.status = AreaStatus.REVIEW
        area.problem = str(error)[:300]
        return area
    area.region = region
    area.place = rest[:300]
    area.status = AreaStatus.PLACED
    return area


def do_create_notice(*, actor, office, title, window_start, areas_text, number="", body="", default_tier=Tier.LISTED):
    if not access.can_publish(actor, office):
        raise PermissionDenied
    errors = {}
    if not str(title or "").strip():
        errors["title"] = _("Enter the notice's title.")
    if not isinstance(window_start, datetime.date):
        errors["window_start"] = _("Enter the first day of the exposure window.")
    if not str(areas_text or "").strip():
        errors["areas_text"] = _("Paste the notice's list of areas, one per line.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        notice = Notice.objects.create(
            office=office, title=title.strip()[:200], number=number.strip()[:60], body=body, window_start=window_start
        )
        areas = read_list(areas_text, window_start, default_tier)
        for area in areas:
            area.notice = notice
        RiskArea.objects.bulk_create(areas)
        timeline.record(notice, "created", actor=actor, public=False)
    return notice


def do_resolve_area(*, actor, area, region, place=""):
    """A person places an entry that went to review (or corrects one)."""
    if not access.can_publish(actor, area.notice.office):
        raise PermissionDenied
    if region is None:
        raise ValidationError({"region": _("Choose the division this entry means.")})
    with transaction.atomic():
        area = RiskArea.objects.select_for_update().get(pk=area.pk)
        old = area.region_id
        area.region, area.place, area.status, area.problem = region, str(place or "")[:300], AreaStatus.PLACED, ""
        area.save(update_fields=["region", "place", "status", "problem"])
        timeline.record(area.notice, "area_placed", actor=actor, public=False, changes={area.text: [old, region.code]})
        _changed(area.notice, actor)
    return area


def do_publish_notice(*, actor, notice, on=None):
    if not access.can_publish(actor, notice.office):
        raise PermissionDenied
    on = on or timezone.localdate()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.state != NoticeState.DRAFT:
            raise ValidationError(_("Only a draft notice can be published."))
        notice.state, notice.published_on = NoticeState.PUBLISHED, on
        notice.save(update_fields=["state", "published_on"])
        timeline.record(notice, "published", actor=actor, public=True)
        _changed(notice, actor, save_version=False)
    return notice


def do_amend_notice(*, actor, notice, add_text="", lift_area_ids=(), tiers=None, on=None):
    """Add entries, change tiers ({area id: tier}) or lift single areas of a published notice."""
    if not access.can_publish(actor, notice.office):
        raise PermissionDenied
    on = on or timezone.localdate()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.state == NoticeState.LIFTED:
            raise ValidationError(_("A lifted notice cannot be amended."))
        areas = {a.pk: a for a in notice.areas.select_for_update()}
        unknown = (set(lift_area_ids) | set(tiers or {})) - areas.keys()
        if unknown:
            raise ValidationError(_("Some of the areas are not in this notice."))
        for pk in lift_area_ids:
            areas[pk].lifted_on = on
            areas[pk].save(update_fields=["lifted_on"])
        for pk, tier in (tiers or {}).items():
            if tier not in Tier.values:
                raise ValidationError({"tier": _("Choose a tier from the list.")})
            areas[pk].tier = tier
            areas[pk].save(update_fields=["tier"])
        added = read_list(add_text, notice.window_start) if str(add_text or "").strip() else []
        for position, area in enumerate(added, start=len(areas)):
            area.notice, area.position = notice, position
        RiskArea.objects.bulk_create(added)
        timeline.record(
            notice,
            "amended",
            actor=actor,
            public=True,
            changes={
                "lifted": [None, len(lift_area_ids)],
                "tiers": [None, len(tiers or {})],
                "added": [None, len(added)],
            },
        )
        _changed(notice, actor)
    return notice


def do_lift_notice(*, actor, notice, on=None):
    if not access.can_publish(actor, notice.office):
        raise PermissionDenied
    on = on or timezone.localdate()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.state != NoticeState.PUBLISHED:
            raise ValidationError(_("Only a published notice can be lifted."))
        notice.state, notice.lifted_on = NoticeState.LIFTED, on
        notice.save(update_fields=["state", "lifted_on"])
        timeline.record(notice, "lifted", actor=actor, public=True)
        _changed(notice, actor)
    return notice


def _changed(notice, actor, save_version=True):
    """A published (or just lifted) notice changed: queue the retroactive re-screen after commit."""
    if save_version:
        notice.version += 1
    if notice.state == NoticeState.DRAFT:
        notice.save(update_fields=["version"])
        return
    notice.screening = ScreeningStatus.PENDING
    notice.screening_error = ""
    notice.save(update_fields=["version", "screening", "screening_error"])
    # Run inline (no broker), a failure after its retries is recorded on the notice, which the pages show.
    outbox.enqueue("xietong.declarations.rescreen_notice", notice.pk, notice.version)


def run_rescreen(notice_id, version, now=None):
    """The retroactive re-screen of one notice version, all or nothing; returns declarations changed.

    A newer version queued meanwhile makes this one obsolete (the newer run covers it).
    """
    from .screening import affected_by_notice

    now = now or timezone.now()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice_id)
        if notice.version != version or notice.screening_version >= version:
            return 0
        ids = affected_by_notice(notice)
        changes = screening.rescreen(ids, now=now)
        _after_screening(changes, now, reason=f"notice:{notice.pk}")
        notice.screening, notice.screening_version, notice.screening_error = ScreeningStatus.DONE, version, ""
        notice.screening_changed = len(changes)
        notice.save(update_fields=["screening", "screening_version", "screening_error", "screening_changed"])
        timeline.record(notice, "rescreened", at=now, public=False, changes={"declarations": [None, len(changes)]})
    return len(changes)


def record_rescreen_failure(notice_id, error):
    """After the last retry: say so on the notice (nothing of the failed run was kept)."""
    Notice.objects.filter(pk=notice_id).update(screening=ScreeningStatus.FAILED, screening_error=str(error)[:1000])
