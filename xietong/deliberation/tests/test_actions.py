"""The concern's course through the hall's actions, with the rules each enforces."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from xietong.core.personal import purge_personal_data
from xietong.core.timeline import history
from xietong.deliberation import actions
from xietong.deliberation.models import Concern, ConcernState, Rating, Topic
from xietong.supervision.models import Matter, Source, State

from .conftest import submit


def _raw_contact(concern):
    """The column as stored, without the field's decryption."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM deliberation_concern WHERE id = %s", [concern.pk])
        return cursor.fetchone()[0]


def test_a_concern_gets_a_code_deadlines_and_a_public_received_event(hall, categories, at_noon):
    concern = submit(hall, categories["townscape"], contact="13912345678", now=at_noon)
    assert len(concern.code) == 8
    # Received Wednesday 2026-07-15: one working day to accept (Thu 16th), three to answer (Mon 20th).
    assert concern.accept_due == datetime.date(2026, 7, 16)
    assert concern.answer_due == datetime.date(2026, 7, 20)
    [event] = history(concern)
    assert event.verb == "received" and event.public
    # Stored encrypted, read back in clear, and found by its keyed hash only.
    assert "13912345678" not in _raw_contact(concern)
    assert Concern.objects.get(pk=concern.pk).contact == "13912345678"


def test_deadlines_skip_the_national_day_holiday(hall, categories):
    received = timezone.make_aware(datetime.datetime(2025, 9, 30, 10, 0))
    concern = submit(hall, categories["roads"], now=received)
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are adjusted working days.
    assert concern.accept_due == datetime.date(2025, 10, 9)
    assert concern.answer_due == datetime.date(2025, 10, 11)


@pytest.mark.parametrize(
    "text, message",
    [("   ", "Write what the problem is."), ("长" * 2001, "at most 2000")],
)
def test_empty_or_overlong_text_is_refused_and_nothing_stored(hall, categories, text, message):
    with pytest.raises(ValidationError) as error:
        submit(hall, categories["roads"], text=text)
    assert message in str(error.value)
    assert not Concern.objects.exists()


def test_the_honeypot_refuses_without_saying_why(hall, categories):
    with pytest.raises(ValidationError):
        submit(hall, categories["roads"], honeypot="http://spam.example")
    assert not Concern.objects.exists()


def test_rate_limits_per_address_and_per_contact(hall, categories, settings, at_noon):
    settings.CONCERN_LIMIT_PER_ADDRESS_HOUR = 2
    settings.CONCERN_LIMIT_PER_CONTACT_DAY = 1
    submit(hall, categories["roads"], source="10.0.0.1", now=at_noon)
    submit(hall, categories["roads"], source="10.0.0.1", now=at_noon)
    with pytest.raises(ValidationError, match="network"):
        submit(hall, categories["roads"], source="10.0.0.1", now=at_noon)
    # An hour later the address may send again.
    submit(hall, categories["roads"], source="10.0.0.1", now=at_noon + datetime.timedelta(minutes=61))
    submit(hall, categories["roads"], contact="13900000000", now=at_noon)
    with pytest.raises(ValidationError, match="contact"):
        submit(hall, categories["roads"], contact=" 13900000000 ", now=at_noon)
    assert Concern.objects.count() == 4


def _jpeg_with_gps():
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (37.0, 54.0, 0.0)}  # GPS IFD
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_photos_are_reencoded_without_exif(hall, categories, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = _jpeg_with_gps()
    assert b"PhoneMaker" in data
    concern = submit(hall, categories["roads"], photo=SimpleUploadedFile("IMG_0001.jpg", data, "image/jpeg"))
    stored = concern.photo.read()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    assert Image.open(io.BytesIO(stored)).size == (64, 48)
    from django.test import Client

    response = Client().get(f"/deliberation/c/{concern.code}/photo/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == stored


def test_a_file_that_is_not_an_image_or_too_large_is_refused(hall, categories, settings):
    with pytest.raises(ValidationError, match="not a photo"):
        submit(hall, categories["roads"], photo=SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not a picture", "image/jpeg"))
    settings.CONCERN_PHOTO_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="limit"):
        submit(hall, categories["roads"], photo=SimpleUploadedFile("big.jpg", _jpeg_with_gps(), "image/jpeg"))
    assert not Concern.objects.exists()


def test_triage_refuse_needs_a_reason_and_outsiders_are_refused(hall, categories, town_staff, other_city_user):
    concern = submit(hall, categories["roads"])
    with pytest.raises(PermissionDenied):
        actions.do_accept(actor=other_city_user, concern=concern)
    with pytest.raises(ValidationError, match="why"):
        actions.do_refuse(actor=town_staff, concern=concern, reason=" ")
    actions.do_refuse(actor=town_staff, concern=concern, reason="属于市级供水公司职责，已转12345热线")
    concern.refresh_from_db()
    assert concern.state == ConcernState.REFUSED and concern.responded_at is not None
    with pytest.raises(ValidationError):
        actions.do_accept(actor=town_staff, concern=concern)


def test_duplicate_and_moderation_keep_the_record(hall, categories, town_staff):
    first = submit(hall, categories["roads"], text="进村的路坑坑洼洼")
    second = submit(hall, categories["roads"], text="进村的路太烂了，张三家门口最烂")
    actions.do_mark_duplicate(actor=town_staff, concern=second, original=first)
    actions.do_moderate(actor=town_staff, concern=second, text="进村的路太烂了")
    second.refresh_from_db()
    assert second.state == ConcernState.DUPLICATE and second.duplicate_of == first
    assert second.original_text == "进村的路太烂了，张三家门口最烂" and second.text == "进村的路太烂了"
    moderated = history(second).get(verb="moderated")
    assert not moderated.public


def test_revealing_the_contact_needs_a_purpose_and_is_logged(hall, categories, town_staff):
    from xietong.core.models import PersonalDataAccess

    concern = submit(hall, categories["roads"], contact="13912345678")
    with pytest.raises(ValidationError):
        actions.do_reveal_contact(actor=town_staff, concern=concern, purpose="")
    assert actions.do_reveal_contact(actor=town_staff, concern=concern, purpose="回访") == "13912345678"
    log = PersonalDataAccess.objects.get()
    assert log.actor == town_staff and log.fields == "contact" and log.purpose == "回访"


@pytest.fixture(autouse=True)
def _frozen(july_2026):
    return july_2026


def _through_session(hall, categories, manager, owners, texts):
    concerns = [submit(hall, categories["townscape"], text=t, contact=f"1390000000{i}") for i, t in enumerate(texts)]
    topic = actions.do_create_topic(actor=manager, hall=hall, title="主街门头改造", concerns=concerns)
    starts = timezone.make_aware(datetime.datetime(2026, 7, 27, 9, 0))
    session = actions.do_schedule_session(
        actor=manager,
        topic=topic,
        title="门头改造议事会",
        starts_at=starts,
        place="河口镇党群议事厅",
        invitees=[("理发店", ["甲", "乙"]), ("饭店", ["丙", "丁", "戊"])],
    )
    return concerns, topic, session


def test_votes_per_group_show_the_lowest_groups_support(hall, categories, hall_manager, owners):
    _concerns, _topic, session = _through_session(hall, categories, hall_manager, owners, ["门头破旧", "招牌很乱"])
    barbers, restaurants = list(session.groups.all())
    a, b = list(barbers.attendees.all())
    c, d, e = list(restaurants.attendees.all())
    proposal = actions.do_add_proposal(
        actor=hall_manager, session=session, title="统一设计", funding=[("商户自筹", 40), ("镇财政补贴", 60)]
    )
    with pytest.raises(ValidationError, match="not signed in"):
        actions.do_cast_vote(actor=hall_manager, proposal=proposal, attendee=a, choice="for")
    for person in (a, b, c, d, e):
        actions.do_sign_in(actor=hall_manager, attendee=person)
    for person, choice in [(a, "for"), (b, "against"), (c, "for"), (d, "for"), (e, "for")]:
        actions.do_cast_vote(actor=hall_manager, proposal=proposal, attendee=person, choice=choice)
    with pytest.raises(ValidationError, match="already voted"):
        actions.do_cast_vote(actor=hall_manager, proposal=proposal, attendee=a, choice="against")
    result = actions.vote_results(session)[proposal.pk]
    assert result["support"] == pytest.approx(0.8)
    assert result["lowest"] == pytest.approx(0.5) and result["lowest_group"]["group"] == barbers
    assert [(r["group"].name, r["for"], r["against"]) for r in result["groups"]] == [("理发店", 1, 1), ("饭店", 3, 0)]


def test_funding_shares_must_add_up_to_100(hall, categories, hall_manager, owners):
    _c, _t, session = _through_session(hall, categories, hall_manager, owners, ["门头破旧"])
    with pytest.raises(ValidationError, match="90%"):
        actions.do_add_proposal(actor=hall_manager, session=session, title="x", funding=[("商户", 40), ("镇", 50)])


def test_resolution_creates_an_assigned_matter_and_resolves_the_concerns(hall, categories, hall_manager, owners):
    concerns, topic, session = _through_session(hall, categories, hall_manager, owners, ["门头破旧", "招牌很乱"])
    for concern in concerns:
        concern.refresh_from_db()
        assert concern.state == ConcernState.ON_AGENDA
    resolution = actions.do_resolve(
        actor=hall_manager,
        session=session,
        text="8月中旬前完成主街门头统一改造",
        target_date=datetime.date(2026, 8, 15),
        lead_unit=owners[0],
        co_units=[owners[1]],
    )
    matter = Matter.objects.get(pk=resolution.matter_id)
    assert matter.source == Source.DELIBERATION and matter.source_object == resolution
    assert matter.state == State.ASSIGNED and matter.due_date == datetime.date(2026, 8, 15) and matter.public
    assert {c.unit for c in matter.co_units.all()} == {owners[1]}
    for concern in concerns:
        concern.refresh_from_db()
        assert concern.state == ConcernState.RESOLVED and concern.can_rate
    topic.refresh_from_db()
    assert topic.state == Topic.State.RESOLVED


def test_a_town_manager_cannot_assign_to_units_outside_the_town(hall, categories, hall_manager, owners, cluster):
    _c, _t, session = _through_session(hall, categories, hall_manager, owners, ["门头破旧"])
    with pytest.raises(PermissionDenied):
        actions.do_resolve(
            actor=hall_manager,
            session=session,
            text="x",
            target_date=datetime.date(2026, 8, 15),
            lead_unit=cluster["xinzhou"],
        )
    assert not Matter.objects.exists()


def test_unsatisfied_reopens_once_then_the_second_rating_closes(hall, categories, hall_manager, owners):
    concerns, _topic, session = _through_session(hall, categories, hall_manager, owners, ["门头破旧"])
    actions.do_resolve(
        actor=hall_manager, session=session, text="改造", target_date=datetime.date(2026, 8, 15), lead_unit=owners[0]
    )
    concern = concerns[0]
    concern.refresh_from_db()
    actions.do_rate(concern=concern, value=Rating.Value.UNSATISFIED, comment="颜色不好看")
    concern.refresh_from_db()
    assert concern.state == ConcernState.ACCEPTED and concern.reopened_at and not concern.can_rate
    actions.do_answer(actor=hall_manager, concern=concern, answer="已与商户商定更换颜色")
    concern.refresh_from_db()
    assert concern.state == ConcernState.RESOLVED
    actions.do_rate(concern=concern, value=Rating.Value.UNSATISFIED)
    concern.refresh_from_db()
    # No second reopening: the case closes with the resident's second answer.
    assert concern.closed_at is not None and concern.state == ConcernState.RESOLVED
    with pytest.raises(ValidationError):
        actions.do_rate(concern=concern, value=Rating.Value.SATISFIED)
    assert list(concern.ratings.values_list("round", flat=True)) == [1, 2]


def test_me_too_once_per_device_and_contact(hall, categories, town_staff, settings):
    concern = submit(hall, categories["roads"], contact="13911111111")
    with pytest.raises(ValidationError, match="accepted"):
        actions.do_me_too(concern=concern, device="d1")
    actions.do_accept(actor=town_staff, concern=concern)
    actions.do_me_too(concern=concern, device="d1", contact="13922222222")
    with pytest.raises(ValidationError, match="already"):
        actions.do_me_too(concern=concern, device="d1")
    with pytest.raises(ValidationError, match="already"):
        actions.do_me_too(concern=concern, device="d2", contact="13922222222")
    with pytest.raises(ValidationError, match="yourself"):
        actions.do_me_too(concern=concern, device="d3", contact="13911111111")
    settings.ME_TOO_LIMIT_PER_ADDRESS_DAY = 1
    actions.do_me_too(concern=concern, device="d4", source="10.1.1.1")
    with pytest.raises(ValidationError, match="network"):
        actions.do_me_too(concern=concern, device="d5", source="10.1.1.1")
    concern.refresh_from_db()
    assert concern.me_too_count == 2


def test_contacts_are_purged_after_the_retention_period_once_closed(hall, categories, town_staff, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    closed = submit(hall, categories["roads"], contact="13933333333")
    still_open = submit(hall, categories["roads"], contact="13944444444")
    actions.do_refuse(actor=town_staff, concern=closed, reason="不属于本镇职责")
    closed.refresh_from_db()
    later = closed.closed_at + datetime.timedelta(days=29)
    assert purge_personal_data(later)["deliberation.contacts"] == 0
    later = closed.closed_at + datetime.timedelta(days=31)
    assert purge_personal_data(later)["deliberation.contacts"] == 1
    closed.refresh_from_db()
    still_open.refresh_from_db()
    assert closed.contact == "" and closed.contact_index == "" and closed.contact_purged_at == later
    assert _raw_contact(closed) == ""
    assert still_open.contact == "13944444444"
