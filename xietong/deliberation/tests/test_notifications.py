"""Triage outcomes, reopenings and resolutions reach the hall's staff through the one notify path."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from xietong.conftest import client_for, make_user
from xietong.core.models import Notification, Role
from xietong.deliberation import actions

from .conftest import submit


@pytest.fixture(autouse=True)
def _frozen(july_2026):
    return july_2026


@pytest.fixture
def colleague(cluster):
    return make_user("hekou-colleague", cluster["hekou"], Role.STAFF)


def _told(kind):
    return list(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_triage_outcomes_reach_the_colleagues_not_the_one_who_decided(hall, categories, town_staff, colleague):
    texts = ("路灯不亮", "邻居吵", "路灯坏了")
    accepted, refused, duplicate = (submit(hall, categories["roads"], text=t) for t in texts)
    actions.do_accept(actor=town_staff, concern=accepted)
    actions.do_refuse(actor=town_staff, concern=refused, reason="属于派出所职责")
    actions.do_mark_duplicate(actor=town_staff, concern=duplicate, original=accepted)
    assert _told("deliberation.accepted") == ["hekou-colleague"]
    assert _told("deliberation.refused") == ["hekou-colleague"]
    assert _told("deliberation.duplicate") == ["hekou-colleague"]
    note = Notification.objects.get(kind="deliberation.refused")
    assert note.body == "属于派出所职责" and note.url == reverse("deliberation:concern", args=[refused.pk])
    with translation.override("zh-hans"):
        assert Notification.objects.get(kind="deliberation.duplicate").title_text == (
            f"{duplicate.code}号诉求已标记为{accepted.code}号的重复件：路灯坏了"
        )


def test_a_new_concern_reaches_the_hall_staff(hall, categories, town_staff, colleague):
    concern = submit(hall, categories["roads"], text="路灯不亮")
    assert sorted(_told("deliberation.received")) == ["hekou-colleague", "hekou-staff"]
    note = Notification.objects.filter(kind="deliberation.received").first()
    assert note.url == reverse("deliberation:concern", args=[concern.pk])
    with translation.override("zh-hans"):
        assert note.title_text == f"收到{concern.code}号诉求：路灯不亮"


def test_a_failed_triage_tells_nobody(hall, categories, town_staff, colleague):
    concern = submit(hall, categories["roads"])
    Notification.objects.all().delete()
    with pytest.raises(Exception):  # noqa: B017 - the refusal without a reason is refused, whatever its type
        actions.do_refuse(actor=town_staff, concern=concern, reason="")
    assert not Notification.objects.exists()


def _resolved(hall, categories, manager, owners):
    concern = submit(hall, categories["townscape"], contact="13912345678")
    actions.do_accept(actor=manager, concern=concern)
    topic = actions.do_create_topic(actor=manager, hall=hall, title="门头改造", concerns=[concern])
    session = actions.do_schedule_session(
        actor=manager,
        topic=topic,
        title="门头改造议事会",
        starts_at=datetime.datetime(2026, 7, 27, 7, tzinfo=datetime.UTC),
        place="议事厅",
        invitees=[("理发店", ["甲"])],
    )
    resolution = actions.do_resolve(
        actor=manager,
        session=session,
        text="统一更换门头，8月中旬完成",
        target_date=datetime.date(2026, 8, 15),
        lead_unit=owners[0],
    )
    return concern, resolution


def test_a_resolution_reaches_the_hall_and_its_owners(hall, categories, hall_manager, owners, town_staff):
    lead = make_user("dqfw-staff", owners[0], Role.STAFF)
    concern, resolution = _resolved(hall, categories, hall_manager, owners)
    note = Notification.objects.get(kind="deliberation.resolved", recipient=town_staff)
    assert note.url == resolution.matter.get_absolute_url() and note.body == "统一更换门头，8月中旬完成"
    assert note.params == {"title": "门头改造", "date": "2026-08-15", "code": resolution.matter.code}
    assert not Notification.objects.filter(kind="deliberation.resolved", recipient=hall_manager).exists()
    # The owner unit hears of it as a matter assigned to it (supervision's notification, not a second one).
    assert Notification.objects.filter(recipient=lead, kind="matter.assign").count() == 1
    # The resident has no account: the page of the code is where progress shows.
    track = Client().get(reverse("deliberation:track", args=[concern.code])).content.decode()
    assert "统一更换门头，8月中旬完成" in track and "2026-08-15" in track


def test_an_unsatisfied_resident_reopens_and_the_hall_is_told(hall, categories, hall_manager, owners, town_staff):
    concern, _resolution = _resolved(hall, categories, hall_manager, owners)
    response = Client().post(
        reverse("deliberation:rate", args=[concern.code]), {"value": "unsatisfied", "comment": "颜色太艳"}
    )
    assert response.status_code == 302
    told = Notification.objects.filter(kind="deliberation.reopened")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["hekou-manager", "hekou-staff"]
    assert told.first().body == "颜色太艳"
    inbox = client_for(town_staff).get(reverse("inbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Concern {concern.code} reopened" in inbox
