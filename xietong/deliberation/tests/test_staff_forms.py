"""The staff forms for splitting and merging topics, moderating a concern's text and answering the resident:
each rule through the real page, and people outside the hall refused."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from xietong.conftest import client_for, make_user
from xietong.core.actions import do_create_unit
from xietong.core.models import Role, UnitKind
from xietong.core.timeline import history
from xietong.deliberation import actions
from xietong.deliberation.models import Concern, ConcernState, Hall, Topic

from .conftest import submit


@pytest.fixture(autouse=True)
def _frozen(july_2026):
    return july_2026


@pytest.fixture
def viewer(cluster):
    """Reads the hall's pages, may change nothing."""
    return make_user("hekou-viewer", cluster["hekou"], Role.VIEWER)


@pytest.fixture
def concerns(hall, categories, town_staff):
    texts = ["主街门头招牌破旧", "门头牌匾褪色", "路灯不亮", "路灯坏了一个月"]
    made = [submit(hall, categories["townscape"], text=t) for t in texts]
    for concern in made:
        actions.do_accept(actor=town_staff, concern=concern)
    return made


def _zh(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


def _topic_url(topic):
    return reverse("deliberation:topic", args=[topic.pk])


def _concern_url(concern):
    return reverse("deliberation:concern", args=[concern.pk])


def _text(response):
    return response.content.decode()


# --- split ---------------------------------------------------------------------------------------------------


def test_split_moves_the_checked_concerns_to_a_new_topic(hall, concerns, town_staff):
    topic = actions.do_create_topic(actor=town_staff, hall=hall, title="门头和路灯", concerns=concerns)
    response = _zh(town_staff).post(
        _topic_url(topic), {"action": "split", "concern": [concerns[2].pk, concerns[3].pk], "title": "路灯"}
    )
    new = Topic.objects.get(title="路灯")
    assert response.status_code == 302 and response["Location"] == _topic_url(new)
    assert set(new.concerns.all()) == {concerns[2], concerns[3]}
    assert set(topic.concerns.all()) == {concerns[0], concerns[1]}
    # Both signatures follow their concerns, so the next lamp concern is matched to the new topic.
    assert "路灯" in new.signature
    topic.refresh_from_db()
    assert "路灯" not in topic.signature


def test_split_rules_through_the_page(hall, concerns, town_staff, categories):
    topic = actions.do_create_topic(actor=town_staff, hall=hall, title="门头", concerns=concerns[:2])
    elsewhere = actions.do_create_topic(actor=town_staff, hall=hall, title="路灯", concerns=concerns[2:])
    client = _zh(town_staff)
    cases = [
        ({"action": "split", "title": "新议题"}, "请勾选要拆分出去的本议题诉求"),  # nothing checked
        ({"action": "split", "concern": [concerns[2].pk], "title": "新议题"}, "请勾选要拆分出去的本议题诉求"),
        ({"action": "split", "concern": [concerns[0].pk], "title": " "}, "请填写议题名称"),
        ({"action": "whatever"}, "未知"),
    ]
    for data, message in cases:
        assert message in _text(client.post(_topic_url(topic), data, follow=True))
    assert Topic.objects.count() == 2 and set(elsewhere.concerns.all()) == set(concerns[2:])
    assert set(topic.concerns.all()) == set(concerns[:2])


# --- merge ---------------------------------------------------------------------------------------------------


def test_merge_takes_the_other_topics_concerns_and_removes_it(hall, concerns, town_staff):
    topic = actions.do_create_topic(actor=town_staff, hall=hall, title="门头", concerns=concerns[:1])
    other = actions.do_create_topic(actor=town_staff, hall=hall, title="牌匾", concerns=concerns[1:2])
    page = _text(_zh(town_staff).get(_topic_url(topic)))
    assert f'<option value="{other.pk}">牌匾</option>' in page
    response = _zh(town_staff).post(_topic_url(topic), {"action": "merge", "other": other.pk}, follow=True)
    assert response.status_code == 200 and not Topic.objects.filter(pk=other.pk).exists()
    assert set(topic.concerns.all()) == set(concerns[:2])
    # The resident's public history says the concern was taken up in the topic it now belongs to.
    events = [e for e in history(concerns[1], public_only=True) if e.verb == "grouped"]
    assert events[-1].changes["topic"][1] == "门头"


def test_merge_rules_through_the_page(hall, concerns, town_staff, cluster, hall_manager):
    topic = actions.do_create_topic(actor=town_staff, hall=hall, title="门头", concerns=concerns[:1])
    with_session = actions.do_create_topic(actor=town_staff, hall=hall, title="路灯", concerns=concerns[2:3])
    actions.do_schedule_session(
        actor=town_staff,
        topic=with_session,
        title="路灯议事会",
        starts_at=datetime.datetime(2026, 7, 29, 2, tzinfo=datetime.UTC),
        place="议事厅",
        invitees=[("居民", ["甲"])],
    )
    # A topic with a session keeps its own record: it cannot be merged away.
    response = _zh(town_staff).post(_topic_url(topic), {"action": "merge", "other": with_session.pk}, follow=True)
    assert "只能合并同一议事厅内尚未召开议事会的议题" in _text(response)
    assert Topic.objects.filter(pk=with_session.pk).exists()
    # A county's staff see two towns' halls, but a topic never moves between halls.
    neighbour_town = do_create_unit(name="原相乡", kind=UnitKind.TOWN, parent=cluster["gujiao"], slug="yuanxiang")
    neighbour = Hall.objects.create(unit=neighbour_town, name="原相乡议事厅", slug="yuanxiang")
    county_staff = make_user("gujiao-staff", cluster["gujiao"], Role.STAFF)
    far = actions.do_create_topic(actor=county_staff, hall=neighbour, title="门头")
    response = _zh(county_staff).post(_topic_url(topic), {"action": "merge", "other": far.pk}, follow=True)
    assert "只能合并同一议事厅内尚未召开议事会的议题" in _text(response)
    assert Topic.objects.filter(pk=far.pk).exists()
    # A topic the reader cannot see is not found, and nothing is merged.
    assert _zh(hall_manager).post(_topic_url(topic), {"action": "merge", "other": far.pk}).status_code == 404
    assert _zh(town_staff).post(_topic_url(topic), {"action": "merge", "other": "x"}).status_code == 404
    assert Topic.objects.filter(pk=far.pk).exists()


# --- moderation ----------------------------------------------------------------------------------------------


def test_moderation_changes_what_the_public_reads_and_keeps_the_original(hall, categories, town_staff):
    concern = submit(hall, categories["townscape"], text="隔壁张三家的门头招牌要掉了")
    actions.do_accept(actor=town_staff, concern=concern)
    response = _zh(town_staff).post(
        _concern_url(concern), {"action": "moderate", "text": "隔壁一家的门头招牌要掉了"}, follow=True
    )
    assert "已保存" in _text(response)
    concern.refresh_from_db()
    assert concern.text == "隔壁一家的门头招牌要掉了" and concern.original_text == "隔壁张三家的门头招牌要掉了"
    assert concern.moderated
    public = _text(Client().get(reverse("deliberation:track", args=[concern.code])))
    assert "隔壁一家的门头招牌要掉了" in public and "张三" not in public
    # A second edit keeps the first original; the record of the change is for staff only.
    _zh(town_staff).post(_concern_url(concern), {"action": "moderate", "text": "邻居家的门头招牌要掉了"})
    concern.refresh_from_db()
    assert concern.original_text == "隔壁张三家的门头招牌要掉了"
    assert [e.verb for e in history(concern) if e.verb == "moderated"] == ["moderated", "moderated"]
    assert not [e for e in history(concern, public_only=True) if e.verb == "moderated"]


def test_moderation_rules_through_the_page(hall, categories, town_staff):
    concern = submit(hall, categories["townscape"], text="门头招牌要掉了")
    for text, message in [("", "请写明反映的问题"), ("长" * 2001, "内容共2001字，最多2000字")]:
        response = _zh(town_staff).post(_concern_url(concern), {"action": "moderate", "text": text}, follow=True)
        assert message in _text(response)
    concern.refresh_from_db()
    assert concern.text == "门头招牌要掉了" and not concern.moderated and not concern.original_text


# --- answer --------------------------------------------------------------------------------------------------


def test_the_answer_reaches_the_residents_page(hall, categories, town_staff):
    concern = submit(hall, categories["roads"], text="路灯不亮")
    actions.do_accept(actor=town_staff, concern=concern)
    response = _zh(town_staff).post(
        _concern_url(concern), {"action": "answer", "answer": "已报县供电公司，本周内修复"}, follow=True
    )
    assert "已保存" in _text(response)
    concern.refresh_from_db()
    assert concern.answer == "已报县供电公司，本周内修复" and concern.answered_at is not None
    public = _text(Client().get(reverse("deliberation:track", args=[concern.code])))
    assert "已报县供电公司，本周内修复" in public


def test_answer_rules_through_the_page(hall, categories, town_staff):
    waiting = submit(hall, categories["roads"], text="路灯不亮")
    response = _zh(town_staff).post(_concern_url(waiting), {"action": "answer", "answer": "好的"}, follow=True)
    assert "只有已受理的诉求才能答复" in _text(response)
    actions.do_accept(actor=town_staff, concern=waiting)
    response = _zh(town_staff).post(_concern_url(waiting), {"action": "answer", "answer": "  "}, follow=True)
    assert "请写明反映的问题" in _text(response)
    refused = submit(hall, categories["roads"], text="邻居吵")
    actions.do_refuse(actor=town_staff, concern=refused, reason="不属于本厅职责")
    response = _zh(town_staff).post(_concern_url(refused), {"action": "answer", "answer": "好的"}, follow=True)
    assert "只有已受理的诉求才能答复" in _text(response)
    assert not Concern.objects.filter(answered_at__isnull=False).exists()


# --- who may ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        {"action": "split", "title": "新"},
        {"action": "merge"},
        {"action": "moderate", "text": "改过的文字"},
        {"action": "answer", "answer": "答复"},
    ],
    ids=lambda a: a["action"],
)
def test_people_outside_the_hall_are_refused_every_form(
    action, hall, concerns, town_staff, viewer, outsider, other_city_user
):
    topic = actions.do_create_topic(actor=town_staff, hall=hall, title="门头", concerns=concerns[:2])
    other = actions.do_create_topic(actor=town_staff, hall=hall, title="路灯", concerns=concerns[2:])
    concern = concerns[0]
    on_topic = action["action"] in ("split", "merge")
    url = _topic_url(topic) if on_topic else _concern_url(concern)
    data = {**action, "concern": [concern.pk], "other": other.pk}
    assert Client().post(url, data).status_code == 302  # to the log-in page
    assert client_for(outsider).post(url, data).status_code == 404
    assert client_for(other_city_user).post(url, data).status_code == 404
    # The hall's viewer reads the page but may change nothing.
    assert client_for(viewer).get(url).status_code == 200
    assert client_for(viewer).post(url, data).status_code == 403
    assert Topic.objects.count() == 2 and set(topic.concerns.all()) == set(concerns[:2])
    concern.refresh_from_db()
    assert concern.text == "主街门头招牌破旧" and concern.answer == "" and concern.state == ConcernState.ACCEPTED
