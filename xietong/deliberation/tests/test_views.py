"""Public pages without an account, staff pages for the hall's units only."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from xietong.conftest import client_for
from xietong.core.models import PersonalDataAccess
from xietong.core.timeline import record
from xietong.deliberation import actions
from xietong.deliberation.models import Concern, ConcernState

from .conftest import submit


@pytest.fixture(autouse=True)
def _frozen(july_2026):
    return july_2026


def _post_concern(client, hall, category, **extra):
    data = {
        "hall": hall.pk,
        "category": category.pk,
        "text": "主街门头招牌又旧又破",
        "place": "",
        "address": "河口镇主街",
        "contact": "13912345678",
        "website": "",
        **extra,
    }
    return client.post(reverse("deliberation:report"), data, REMOTE_ADDR="10.9.8.7")


def test_a_resident_reports_without_an_account_and_follows_by_code(hall, categories):
    client = Client()
    response = _post_concern(client, hall, categories["townscape"])
    concern = Concern.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("deliberation:track", args=[concern.code])
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert concern.code in text and "主街门头招牌又旧又破" in text
    assert "13912345678" not in text and "139" not in text


def test_the_form_explains_bad_input_in_chinese_and_stores_nothing(hall, categories):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = _post_concern(client, hall, categories["townscape"], text="", place="火星市")
    body = response.content.decode()
    assert response.status_code == 200
    assert "火星市" in body and not Concern.objects.exists()


def test_the_honeypot_field_is_hidden_and_refuses(hall, categories):
    response = _post_concern(Client(), hall, categories["townscape"], website="http://x")
    assert response.status_code == 200 and not Concern.objects.exists()


def test_the_public_page_shows_only_public_events(hall, categories, town_staff):
    concern = submit(hall, categories["townscape"], text="门头破旧，李四家的最破")
    actions.do_moderate(actor=town_staff, concern=concern, text="门头破旧")
    record(concern, "internal_note", actor=town_staff, public=False, note="内部备注：联系了李四")
    body = Client().get(reverse("deliberation:track", args=[concern.code])).content.decode()
    assert "门头破旧" in body and "李四" not in body and "内部备注" not in body


def test_unknown_codes_get_a_clear_message(db):
    response = Client().get(reverse("deliberation:track-lookup"), {"code": "NOPE2345"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "No concern has the tracking code NOPE2345" in response.content.decode()
    assert Client().get(reverse("deliberation:track", args=["NOPE2345"])).status_code == 404


def test_rating_and_me_too_from_the_public_page(hall, categories, hall_manager, owners):
    concern = submit(hall, categories["townscape"])
    topic = actions.do_create_topic(actor=hall_manager, hall=hall, title="门头", concerns=[concern])
    client = Client()
    client.post(reverse("deliberation:me-too", args=[concern.code]), REMOTE_ADDR="10.0.0.2")
    client.post(reverse("deliberation:me-too", args=[concern.code]), REMOTE_ADDR="10.0.0.2")
    concern.refresh_from_db()
    assert concern.me_too_count == 1  # the device cookie counts the second press as the same person
    session = actions.do_schedule_session(
        actor=hall_manager,
        topic=topic,
        title="议事会",
        starts_at=datetime.datetime(2026, 7, 27, 9, tzinfo=datetime.UTC),
        place="议事厅",
        invitees=[("商店", ["甲"])],
    )
    actions.do_resolve(
        actor=hall_manager, session=session, text="改造", target_date=datetime.date(2026, 8, 15), lead_unit=owners[0]
    )
    page = client.get(reverse("deliberation:track", args=[concern.code])).content.decode()
    assert "2026-08-15" in page and 'name="value"' in page
    client.post(reverse("deliberation:rate", args=[concern.code]), {"value": "basic", "comment": "还行"})
    concern.refresh_from_db()
    assert concern.closed_at is not None and concern.ratings.get().value == "basic"


@pytest.mark.parametrize("name", ["hall", "concern", "topic", "session"])
def test_outsiders_and_other_cities_are_refused_staff_pages(
    name, hall, categories, hall_manager, outsider, other_city_user
):
    concern = submit(hall, categories["townscape"])
    topic = actions.do_create_topic(actor=hall_manager, hall=hall, title="门头", concerns=[concern])
    session = actions.do_schedule_session(
        actor=hall_manager,
        topic=topic,
        title="议事会",
        starts_at=datetime.datetime(2026, 7, 28, 9, tzinfo=datetime.UTC),
        place="议事厅",
        invitees=[("商店", ["甲"])],
    )
    pk = {"hall": hall.pk, "concern": concern.pk, "topic": topic.pk, "session": session.pk}[name]
    url = reverse(f"deliberation:{name}", args=[pk])
    assert Client().get(url).status_code == 302  # to the login page
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(other_city_user).get(url).status_code == 404
    assert client_for(hall_manager).get(url).status_code == 200


def test_staff_see_masked_contacts_and_unmasking_is_logged(hall, categories, town_staff):
    concern = submit(hall, categories["townscape"], contact="13912345678")
    client = client_for(town_staff)
    listing = client.get(reverse("deliberation:hall", args=[hall.pk])).content.decode()
    assert "139****5678" in listing and "13912345678" not in listing
    page = client.post(reverse("deliberation:concern", args=[concern.pk]), {"action": "reveal", "purpose": "电话回访"})
    assert "13912345678" in page.content.decode()
    assert PersonalDataAccess.objects.filter(actor=town_staff, purpose="电话回访").count() == 1


def test_staff_triage_through_the_page(hall, categories, town_staff):
    concern = submit(hall, categories["townscape"])
    client = client_for(town_staff)
    client.post(reverse("deliberation:concern", args=[concern.pk]), {"action": "refuse", "reason": ""})
    concern.refresh_from_db()
    assert concern.state == ConcernState.RECEIVED
    client.post(reverse("deliberation:concern", args=[concern.pk]), {"action": "accept"})
    concern.refresh_from_db()
    assert concern.state == ConcernState.ACCEPTED


def test_the_hall_page_costs_the_same_queries_with_more_concerns(
    hall, categories, town_staff, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(town_staff)
    url = reverse("deliberation:hall", args=[hall.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        submit(hall, categories["townscape"], text=f"第{i}处门头破旧")
    few = count()
    for i in range(12):
        submit(hall, categories["roads"], text=f"第{i}条路坑洼")
    assert count() == few


def test_the_scoreboard_is_public_and_shows_the_formula(hall, categories, town_staff):
    concern = submit(hall, categories["townscape"])
    actions.do_accept(actor=town_staff, concern=concern)
    body = (
        Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("deliberation:scoreboard"), {"month": "2026-07"}).content.decode()
    )
    assert "河口镇党群议事厅" in body and "100.0%" in body and "1 / 1" in body
    assert "÷" in body
