"""/supervision/matters/new/: the office creates a matter, with co-units and milestones."""

import datetime

import pytest

from xietong.conftest import client_for
from xietong.core.timeline import history
from xietong.supervision.models import Matter, State

URL = "/supervision/matters/new/"


def form_data(cluster, **overrides):
    data = {
        "code": "2022-DQ-01",
        "title": "重污染天气同步预警",
        "description": "五市同步启动重污染天气预警。",
        "domain": "ecology",
        "sub_area": "air",
        "lead_unit": cluster["taiyuan"].pk,
        "co_units": [cluster["xinzhou"].pk, cluster["jinzhong"].pk],
        "start_date": "2022-08-01",
        "due_date": "2022-12-31",
        "priority": "2",
        "reporting_frequency": "monthly",
        "public": "on",
        "assign": "on",
        "ms-TOTAL_FORMS": "3",
        "ms-INITIAL_FORMS": "0",
        "ms-0-title": "制定预警方案",
        "ms-0-due_date": "2022-09-30",
        "ms-1-title": "",
        "ms-1-due_date": "",
        "ms-2-title": "",
        "ms-2-due_date": "",
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_log_in(db, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["outsider", "other_city_user", "owner", "member"])
def test_only_the_office_creates(cluster, who, request):
    client = client_for(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data(cluster)).status_code == 403
    assert not Matter.objects.exists()


def test_the_office_creates_a_matter_with_co_units_and_milestones(cluster, office_user, frozen_day):
    page = client_for(office_user).get(URL)
    assert page.status_code == 200 and 'id="sub-areas"' in page.content.decode()
    response = client_for(office_user).post(URL, form_data(cluster))
    matter = Matter.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/supervision/matters/{matter.pk}/"
    assert matter.state == State.ASSIGNED and matter.public and matter.priority == 2
    assert sorted(c.unit.slug for c in matter.co_units.all()) == ["jinzhong", "xinzhou"]
    assert [(m.title, m.due_date) for m in matter.milestones.all()] == [("制定预警方案", datetime.date(2022, 9, 30))]
    assert [e.verb for e in history(matter)] == ["created", "assign"]


def test_without_assign_it_stays_a_draft(cluster, office_user):
    data = form_data(cluster)
    del data["assign"]
    client_for(office_user).post(URL, data)
    assert Matter.objects.get().state == State.DRAFT


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"due_date": "2022-07-01"}, "截止日期不能早于开始日期。"),
        ({"sub_area": "transport"}, "该子领域不属于所选领域。"),
        ({"co_units": ["TAIYUAN"]}, "牵头单位不能同时是协办单位。"),
        ({"ms-0-due_date": "2022-07-15"}, "里程碑的截止日期不能早于事项开始日期。"),
        ({"due_date": "2022-13-01"}, "输入一个有效的日期。"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_stored(cluster, office_user, overrides, message):
    if overrides.get("co_units") == ["TAIYUAN"]:
        overrides = {"co_units": [cluster["taiyuan"].pk]}
    response = client_for(office_user).post(URL, form_data(cluster, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Matter.objects.exists()


def test_a_code_in_use_gets_a_message(cluster, office_user):
    client_for(office_user).post(URL, form_data(cluster))
    response = client_for(office_user).post(URL, form_data(cluster, title="另一个"))
    assert response.status_code == 400 and "已存在使用该编号的事项。" in response.content.decode()
    assert Matter.objects.count() == 1
