"""Every rule of a matter holds on every path: the API, the pages and the callers of the actions (a meeting
decision, the water app). Each case here was stored, or ended in a server error, while the rules lived in
the callers."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from xietong.conftest import client_for
from xietong.supervision import actions
from xietong.supervision.models import Matter, Milestone

API = "/api/v1/supervision"


def payload(cluster, **change):
    body = {
        "code": "DB-R-1",
        "title": "太忻大道建设",
        "domain": "infrastructure",
        "lead_unit_id": cluster["taiyuan"].pk,
        "start_date": "2026-01-01",
        "due_date": "2026-12-31",
    }
    body.update(change)
    return body


@pytest.mark.parametrize(
    "change,field",
    [
        ({"priority": 999}, "priority"),
        ({"priority": -1}, "priority"),
        ({"reporting_frequency": "hourly"}, "reporting_frequency"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"code": "X" * 200}, "code"),
        ({"code": "DB/2026/1"}, "code"),
        ({"code": "   "}, "code"),
        ({"domain": "space"}, "domain"),
        ({"milestones": [{"title": "早于开始", "due_date": "2025-12-01"}]}, "milestones"),
    ],
)
def test_the_api_refuses_what_the_action_refuses(cluster, office_user, change, field):
    response = client_for(office_user).post(
        f"{API}/matters", payload(cluster, **change), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert any(field in error["loc"] for error in response.json()["detail"])
    assert not Matter.objects.exists()


def test_a_ten_megabyte_title_is_refused(cluster, office_user):
    response = client_for(office_user).post(
        f"{API}/matters", payload(cluster, title="长" * 10_000_000), content_type="application/json"
    )
    assert response.status_code in (413, 422)
    assert not Matter.objects.exists()


@pytest.mark.parametrize(
    "change,field",
    [
        ({"priority": 999}, "priority"),
        ({"reporting_frequency": "hourly"}, "reporting_frequency"),
        ({"title": ""}, "title"),
        ({"code": "a b"}, "code"),
        ({"domain": "space"}, "domain"),
        ({"milestones": [("早于开始", datetime.date(2025, 12, 1))]}, "milestones"),
        ({"weight": 0}, "weight"),
    ],
)
def test_the_action_refuses_for_every_caller(cluster, office_user, change, field):
    arguments = {
        "actor": office_user,
        "code": "DB-R-2",
        "title": "太忻大道建设",
        "lead_unit": cluster["taiyuan"],
        "start_date": datetime.date(2026, 1, 1),
        "due_date": datetime.date(2026, 12, 31),
        "domain": "infrastructure",
        **change,
    }
    with pytest.raises(ValidationError) as refused:
        actions.do_create_matter(**arguments)
    assert field in refused.value.message_dict
    assert not Matter.objects.exists()


def test_a_meeting_decision_cannot_store_a_milestone_before_the_start(cluster, office_user):
    from xietong.meetings import actions as meetings

    meeting = meetings.do_create_meeting(
        actor=office_user,
        number=1,
        title="联席会议",
        date=datetime.date(2026, 1, 5),
        place="太原市",
        host_unit=cluster["taiyuan"],
        participants=[cluster["jinzhong"]],
        agenda=["议题"],
    )
    meetings.do_hold_meeting(actor=office_user, meeting=meeting)
    decision = meetings.do_record_decision(
        actor=office_user, meeting=meeting, text="决定", agenda_item=meeting.agenda_items.first()
    )
    with pytest.raises(ValidationError):
        meetings.do_create_matters_from_decision(
            actor=office_user,
            decision=decision,
            matters=[
                {
                    "title": "太榆连接线",
                    "lead_unit": cluster["jinzhong"],
                    "start_date": datetime.date(2026, 3, 1),
                    "due_date": datetime.date(2026, 12, 31),
                    "domain": "infrastructure",
                    "milestones": [("早于开始", datetime.date(2026, 2, 1))],
                }
            ],
        )
    assert not Milestone.objects.exists()


def test_a_milestone_is_completed_once(cluster, office_user, owner):
    matter = actions.do_create_matter(
        actor=office_user,
        code="DB-R-3",
        title="太忻大道建设",
        lead_unit=cluster["taiyuan"],
        start_date=datetime.date(2026, 1, 1),
        due_date=datetime.date(2026, 12, 31),
        domain="infrastructure",
        milestones=[("主线贯通", datetime.date(2026, 6, 30))],
        assign=True,
    )
    milestone = matter.milestones.get()
    actions.do_complete_milestone(actor=owner, milestone=milestone, done_on=datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError):
        actions.do_complete_milestone(actor=office_user, milestone=milestone, done_on=datetime.date(2026, 6, 2))
    milestone.refresh_from_db()
    assert milestone.done_on == datetime.date(2026, 6, 1)


@pytest.mark.django_db(transaction=True)
def test_two_people_completing_a_milestone_at_once_record_it_once(cluster, office_user, owner):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers; the race needs concurrent transactions")
    matter = actions.do_create_matter(
        actor=office_user,
        code="DB-R-4",
        title="太忻大道建设",
        lead_unit=cluster["taiyuan"],
        start_date=datetime.date(2026, 1, 1),
        due_date=datetime.date(2026, 12, 31),
        domain="infrastructure",
        milestones=[("主线贯通", datetime.date(2026, 6, 30))],
        assign=True,
    )
    milestone = matter.milestones.get()
    outcomes = []
    barrier = threading.Barrier(2)

    def complete(actor):
        barrier.wait()
        try:
            actions.do_complete_milestone(actor=actor, milestone=milestone)
            outcomes.append("done")
        except ValidationError:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=complete, args=(who,)) for who in (office_user, owner)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["done", "refused"]
    from xietong.core.timeline import history

    assert [e.verb for e in history(matter)].count("milestone_done") == 1
