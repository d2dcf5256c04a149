"""A topic beyond the town's power goes up to the next joint meeting of the units above, and the chain shows it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from xietong.conftest import client_for
from xietong.core.models import Notification
from xietong.core.timeline import history
from xietong.deliberation import actions
from xietong.deliberation.models import Topic
from xietong.meetings.models import AgendaItem, Meeting, MeetingState

from .conftest import submit

REASON = "主街改造涉及市级道路红线，镇里定不了"


@pytest.fixture(autouse=True)
def _frozen(july_2026):
    return july_2026


def _meeting(number, host, date, state=MeetingState.PLANNED, participants=()):
    meeting = Meeting.objects.create(
        number=number, title=f"第{number}次联席会议", date=date, place="太原", host_unit=host, state=state
    )
    meeting.participants.set([host, *participants])
    return meeting


@pytest.fixture
def topic(hall, categories, town_staff):
    concerns = [submit(hall, categories["roads"], text=f"主街路面太窄，早晚堵车{i}") for i in range(2)]
    for concern in concerns:
        actions.do_accept(actor=town_staff, concern=concern)
    return actions.do_create_topic(actor=town_staff, hall=hall, title="主街拓宽", concerns=concerns)


@pytest.fixture
def meetings(cluster):
    """Only the first is eligible: the others are past, held, or of another city."""
    day = datetime.date(2026, 7, 27)
    return {
        "next": _meeting(5, cluster["office"], day + datetime.timedelta(days=20), participants=[cluster["taiyuan"]]),
        "later": _meeting(6, cluster["office"], day + datetime.timedelta(days=60), participants=[cluster["taiyuan"]]),
        "past": _meeting(4, cluster["taiyuan"], day - datetime.timedelta(days=3)),
        "held": _meeting(3, cluster["taiyuan"], day + datetime.timedelta(days=1), state=MeetingState.HELD),
        "neighbour": _meeting(7, cluster["xinzhou"], day + datetime.timedelta(days=2)),
    }


def test_the_topic_becomes_a_proposed_item_of_the_next_meeting_above(topic, meetings, hall_manager, owner):
    item = actions.do_send_topic_up(actor=hall_manager, topic=topic, reason=REASON)
    assert item.meeting == meetings["next"]
    assert item.title == "主街拓宽 (proposed by 河口镇党群议事厅)"
    assert list(meetings["next"].agenda_items.all()) == [item]
    topic.refresh_from_db()
    assert topic.state == Topic.State.SENT_UP and topic.sent_up_to == item
    # Each resident behind the topic sees where it went, without the hall's internal reason.
    for concern in topic.concerns.all():
        public = [e for e in history(concern, public_only=True) if e.verb == "sent_up"]
        assert len(public) == 1 and public[0].note == "第5次联席会议, 2026-08-16" and REASON not in public[0].note
    assert [e.verb for e in history(topic)][-1] == "sent_up"
    assert [e.verb for e in history(meetings["next"])][-1] == "agenda_item_proposed"
    # The host's managers are told; the host here is the office, so 太原's manager is not.
    told = Notification.objects.filter(kind="deliberation.sent_up")
    assert not told.filter(recipient=owner).exists()


def test_the_nearest_unit_above_with_a_meeting_comes_first(topic, meetings, cluster, hall_manager):
    county = _meeting(8, cluster["gujiao"], datetime.date(2026, 9, 30))
    item = actions.do_send_topic_up(actor=hall_manager, topic=topic, reason=REASON)
    assert item.meeting == county


def test_the_host_is_told(topic, cluster, hall_manager, owner):
    meeting = _meeting(9, cluster["taiyuan"], datetime.date(2026, 8, 3))
    actions.do_send_topic_up(actor=hall_manager, topic=topic, reason=REASON)
    note = Notification.objects.get(kind="deliberation.sent_up", recipient=owner)
    assert note.url == meeting.get_absolute_url() and note.body == REASON
    assert note.params["title"] == "主街拓宽"


def test_rules_of_sending_up(topic, meetings, hall, town_staff, hall_manager, other_city_user):
    with pytest.raises(PermissionDenied):  # a decision of the hall's manager, not of its staff
        actions.do_send_topic_up(actor=town_staff, topic=topic, reason=REASON)
    with pytest.raises(PermissionDenied):
        actions.do_send_topic_up(actor=other_city_user, topic=topic, reason=REASON)
    with pytest.raises(ValidationError, match="beyond what the town can decide"):
        actions.do_send_topic_up(actor=hall_manager, topic=topic, reason="  ")
    actions.do_send_topic_up(actor=hall_manager, topic=topic, reason=REASON)
    with pytest.raises(ValidationError, match="already been sent up"):
        actions.do_send_topic_up(actor=hall_manager, topic=topic, reason=REASON)
    empty = actions.do_create_topic(actor=town_staff, hall=hall, title="空议题")
    with pytest.raises(ValidationError, match="no open concern"):
        actions.do_send_topic_up(actor=hall_manager, topic=empty, reason=REASON)
    assert AgendaItem.objects.count() == 1


def test_without_a_planned_meeting_above_nothing_is_stored(topic, cluster, hall_manager):
    _meeting(4, cluster["taiyuan"], datetime.date(2026, 7, 1))
    _meeting(7, cluster["xinzhou"], datetime.date(2026, 8, 1))
    with pytest.raises(ValidationError, match="No joint meeting of the units above"):
        actions.do_send_topic_up(actor=hall_manager, topic=topic, reason=REASON)
    topic.refresh_from_db()
    assert topic.state == Topic.State.OPEN and not AgendaItem.objects.exists()


def test_a_resolved_topic_cannot_be_sent_up(topic, meetings, hall_manager, owners):
    session = actions.do_schedule_session(
        actor=hall_manager,
        topic=topic,
        title="议事会",
        starts_at=datetime.datetime(2026, 7, 27, 15, tzinfo=datetime.UTC),
        place="议事厅",
        invitees=[("居民", ["甲"])],
    )
    actions.do_resolve(
        actor=hall_manager,
        session=session,
        text="镇里先划停车线",
        target_date=datetime.date(2026, 8, 15),
        lead_unit=owners[0],
    )
    with pytest.raises(ValidationError, match="resolved this topic"):
        actions.do_send_topic_up(actor=hall_manager, topic=topic, reason=REASON)


def test_sending_up_through_the_topic_page(topic, meetings, hall_manager, town_staff, other_city_user, office_user):
    url = reverse("deliberation:topic", args=[topic.pk])
    page = client_for(hall_manager).get(url)
    assert "第5次联席会议" in page.content.decode() and 'value="send_up"' in page.content.decode()
    # Staff do not get the form, and posting anyway is refused; another city never sees the topic.
    assert 'value="send_up"' not in client_for(town_staff).get(url).content.decode()
    assert client_for(town_staff).post(url, {"action": "send_up", "reason": REASON}).status_code == 403
    assert client_for(other_city_user).post(url, {"action": "send_up", "reason": REASON}).status_code == 404
    assert Client().post(url, {"action": "send_up", "reason": REASON}).status_code == 302  # to the log-in page
    response = client_for(hall_manager).post(url, {"action": "send_up", "reason": ""}, follow=True)
    assert "请说明该议题为何超出本镇职权范围" in response.content.decode()
    assert not AgendaItem.objects.exists()
    response = client_for(hall_manager).post(url, {"action": "send_up", "reason": REASON}, follow=True)
    body = response.content.decode()
    assert "该议题已提请列入第5次联席会议议程" in body and 'id="sent-up"' in body
    # Pages speak Chinese first: the item is titled in the language of whoever sent it up.
    # The meetings side shows the item as the hall's proposal; the resident's page shows where it went.
    meeting_page = client_for(office_user).get(meetings["next"].get_absolute_url()).content.decode()
    assert "主街拓宽（河口镇党群议事厅提请）" in meeting_page
    assert "河口镇党群议事厅根据群众反映提请" in meeting_page
    # Both histories name their events in words, not by the keys they are stored under.
    assert "党群议事厅提请议题" in meeting_page and "agenda_item_proposed" not in meeting_page
    assert "设立议题" in body and "已提请上级联席会议" in body and "<strong>created</strong>" not in body
    track = Client().get(reverse("deliberation:track", args=[topic.concerns.first().code])).content.decode()
    assert "已提请上级联席会议" in track and "第5次联席会议，2026-08-16" in track
    assert REASON not in track


def test_a_zh_reader_sees_the_proposal_in_chinese(topic, meetings, hall_manager, office_user):
    actions.do_send_topic_up(actor=hall_manager, topic=topic, reason=REASON)
    client = client_for(office_user)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(meetings["next"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "河口镇党群议事厅根据群众反映提请" in page
