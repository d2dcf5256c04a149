import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from xietong.core import personal, timeline
from xietong.core.models import Notification, PersonalDataAccess, TimelineEvent
from xietong.core.notify import notify


def test_timeline_records_who_what_old_and_new(cluster, member):
    unit = cluster["hekou"]
    timeline.record(
        unit, "renamed", actor=member, changes=timeline.changes_between({"name": "河口镇"}, {"name": "河口"})
    )
    (event,) = timeline.history(unit)
    assert event.actor == member
    assert event.changes == {"name": ["河口镇", "河口"]}


def test_timeline_is_append_only(cluster):
    event = timeline.record(cluster["hekou"], "created")
    event.note = "rewritten"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert TimelineEvent.objects.get(pk=event.pk).note == ""


def test_timeline_public_only_leaves_internal_events_out(cluster):
    timeline.record(cluster["hekou"], "created", public=True)
    timeline.record(cluster["hekou"], "internal", public=False)
    assert [e.verb for e in timeline.history(cluster["hekou"], public_only=True)] == ["created"]


def test_an_event_is_private_unless_its_action_says_otherwise(cluster):
    timeline.record(cluster["hekou"], "renamed")
    assert list(timeline.history(cluster["hekou"], public_only=True)) == []


@pytest.mark.django_db(transaction=True)
def test_notify_fills_the_inbox_and_sends_mail(cluster, member):
    member.email = "staff@example.org"
    member.save()
    notify(
        [member],
        kind="test",
        message="Urged: %(title)s",
        params={"title": "太忻大道"},
        body="请于本周报送进展",
        url="/x/",
    )
    assert Notification.objects.get(recipient=member).title_text == "催办：太忻大道"
    assert mail.outbox[-1].subject == "催办：太忻大道"
    assert "/x/" in mail.outbox[-1].body


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_sends_nothing(cluster, member):
    member.email = "staff@example.org"
    member.save()
    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([member], kind="test", message="t")
        raise RuntimeError
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_dedupe_key_sends_once(cluster, member):
    first = notify([member], kind="reminder", message="t", dedupe_key="matter-1:due:2022-08-01")
    second = notify([member], kind="reminder", message="t", dedupe_key="matter-1:due:2022-08-01")
    assert len(first) == 1 and second == []
    assert Notification.objects.filter(recipient=member).count() == 1


def test_personal_data_is_encrypted_at_rest(settings):
    token = personal.encrypt("140181199001011234")
    assert "1401811990" not in token
    assert personal.decrypt(token) == "140181199001011234"


def test_key_rotation_keeps_old_data_readable(settings):
    settings.PERSONAL_DATA_KEYS = ["old-key"]
    token = personal.encrypt("13800138000")
    settings.PERSONAL_DATA_KEYS = ["new-key", "old-key"]
    assert personal.decrypt(token) == "13800138000"
    settings.PERSONAL_DATA_KEYS = ["other"]
    with pytest.raises(ValueError):
        personal.decrypt(token)


@pytest.mark.parametrize(
    "value,masked",
    [("110101199003074258", "1101**********4258"), ("", ""), ("1234", "****")],
)
def test_mask_id_number(value, masked):
    assert personal.mask_id_number(value) == masked


def test_masks_for_phone_and_name():
    assert personal.mask_phone("13800138000") == "138****8000"
    assert personal.mask_name("张三丰") == "张**"


def test_blind_index_ignores_case_and_space():
    assert personal.blind_index(" 11010119900307425x") == personal.blind_index("11010119900307425X")


def test_access_is_logged(cluster, member):
    personal.log_access(member, cluster["hekou"], ["id_number"], purpose="screening")
    log = PersonalDataAccess.objects.get()
    assert log.actor == member and log.fields == "id_number"


def test_encrypted_field_round_trips_through_the_database(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert personal.EncryptedTextField().get_prep_value("abc") != "abc"


def test_an_inbox_entry_can_carry_the_time_of_the_event_it_reports(cluster, member):
    import datetime

    issued = datetime.datetime(2022, 12, 16, 18, 0, tzinfo=datetime.UTC)
    (entry,) = notify([member], kind="airquality.warning", message="橙色预警", at=issued)
    assert Notification.objects.get(pk=entry.pk).created_at == issued
