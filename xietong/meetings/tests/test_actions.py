import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from xietong.core.models import Notification
from xietong.core.timeline import history
from xietong.meetings import actions
from xietong.meetings.models import Decision, Document, Meeting, MeetingState
from xietong.supervision.models import Matter, Source, State


def test_only_the_office_staff_plan_meetings(cluster, owner):
    with pytest.raises(PermissionDenied):
        actions.do_create_meeting(
            actor=owner,
            number=1,
            title="联席会议",
            date=datetime.date(2022, 7, 27),
            place="太原",
            host_unit=cluster["taiyuan"],
            participants=[cluster["jinzhong"]],
        )
    assert not Meeting.objects.exists()


def test_a_meeting_includes_its_host_and_tells_the_participants(member, jinzhong_staff, meeting, cluster):
    assert set(meeting.participants.all()) == {cluster["taiyuan"], cluster["jinzhong"], cluster["office"]}
    assert [item.order for item in meeting.agenda_items.all()] == [1, 2]
    told = set(Notification.objects.filter(kind="meeting.planned").values_list("recipient__username", flat=True))
    assert {"taiyuan-staff", "jz-staff"} <= told


@pytest.mark.parametrize(
    "field,changes",
    [
        ("title", {"title": "  "}),
        ("place", {"place": ""}),
        ("participants", {"participants": []}),
        ("number", {"number": 0}),
        ("date", {"date": None}),
    ],
)
def test_bad_meeting_input_is_refused_with_the_field_named(cluster, office_user, field, changes):
    arguments = {
        "number": 1,
        "title": "联席会议",
        "date": datetime.date(2022, 7, 27),
        "place": "太原",
        "host_unit": cluster["taiyuan"],
        "participants": [cluster["jinzhong"]],
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        actions.do_create_meeting(actor=office_user, **arguments)
    assert field in error.value.message_dict
    assert not Meeting.objects.exists()


def test_a_meeting_number_is_used_once(meeting, office_user, cluster):
    with pytest.raises(ValidationError) as error:
        actions.do_create_meeting(
            actor=office_user,
            number=1,
            title="另一次会议",
            date=datetime.date(2022, 9, 1),
            place="晋中",
            host_unit=cluster["jinzhong"],
            participants=[cluster["taiyuan"]],
        )
    assert "number" in error.value.message_dict
    assert Meeting.objects.count() == 1


def test_states_move_planned_held_closed_and_only_in_that_order(meeting, office_user):
    with pytest.raises(ValidationError):
        actions.do_close_meeting(actor=office_user, meeting=meeting)
    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.PLANNED

    actions.do_hold_meeting(actor=office_user, meeting=meeting)
    with pytest.raises(ValidationError):
        actions.do_hold_meeting(actor=office_user, meeting=meeting)
    with pytest.raises(ValidationError) as error:  # no minutes yet
        actions.do_close_meeting(actor=office_user, meeting=meeting)
    assert "minutes" in error.value.message_dict
    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.HELD

    actions.do_update_meeting(actor=office_user, meeting=meeting, minutes="会议审议通过《制度》，签署“6+1”合作协议。")
    closed = actions.do_close_meeting(actor=office_user, meeting=meeting)
    assert closed.state == MeetingState.CLOSED
    for action in (actions.do_hold_meeting, actions.do_close_meeting):
        with pytest.raises(ValidationError):
            action(actor=office_user, meeting=meeting)
    with pytest.raises(ValidationError):
        actions.do_update_meeting(actor=office_user, meeting=meeting, minutes="改写")

    states = [e.changes.get("state") for e in history(meeting) if "state" in e.changes]
    assert states == [[None, "planned"], ["planned", "held"], ["held", "closed"]]
    assert [e.actor for e in history(meeting) if e.verb in ("held", "closed")] == [office_user, office_user]


def test_a_meeting_cannot_be_held_before_its_date(meeting, office_user):
    with time_machine.travel(datetime.datetime(2022, 7, 26, 9, tzinfo=datetime.UTC)), pytest.raises(ValidationError):
        actions.do_hold_meeting(actor=office_user, meeting=meeting)
    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.PLANNED


def test_staff_of_a_city_cannot_move_a_meeting(meeting, owner):
    with pytest.raises(PermissionDenied):
        actions.do_hold_meeting(actor=owner, meeting=meeting)


def test_documents_and_decisions_wait_until_the_meeting_is_held(meeting, office_user, cluster):
    with pytest.raises(ValidationError):
        actions.do_adopt_document(
            actor=office_user,
            meeting=meeting,
            kind="rule",
            title="制度",
            full_text="全文",
            clauses=["第一条"],
            signatories=[cluster["taiyuan"]],
        )
    with pytest.raises(ValidationError):
        actions.do_record_decision(
            actor=office_user, meeting=meeting, text="决定", agenda_item=meeting.agenda_items.first()
        )
    assert not Document.objects.exists() and not Decision.objects.exists()


def test_a_document_is_signed_by_participants_only(held, office_user, cluster):
    with pytest.raises(ValidationError) as error:
        actions.do_adopt_document(
            actor=office_user,
            meeting=held,
            kind="agreement",
            title="合作协议",
            full_text="全文",
            clauses=["第一条"],
            signatories=[cluster["taiyuan"], cluster["xinzhou"]],
        )
    assert "忻州市人民政府" in error.value.message_dict["signatories"][0]
    assert not Document.objects.exists()


def test_a_document_needs_text_and_clauses(held, office_user, cluster):
    with pytest.raises(ValidationError) as error:
        actions.do_adopt_document(
            actor=office_user,
            meeting=held,
            kind="treaty",
            title=" ",
            full_text="",
            clauses=["  "],
            signatories=[cluster["taiyuan"]],
        )
    assert set(error.value.message_dict) == {"kind", "title", "full_text", "clauses"}


def test_clauses_are_numbered_in_order(agreement):
    assert [(c.number, c.text[:4]) for c in agreement.clauses.all()] == [(1, "推动规划"), (2, "推动基础")]


def test_a_decision_needs_text_and_a_basis_of_this_meeting(held, agreement, office_user, cluster):
    with pytest.raises(ValidationError) as error:
        actions.do_record_decision(actor=office_user, meeting=held, text="  ")
    assert set(error.value.message_dict) == {"text", "basis"}

    other = actions.do_create_meeting(
        actor=office_user,
        number=2,
        title="第二次联席会议",
        date=datetime.date(2022, 9, 1),
        place="晋中",
        host_unit=cluster["jinzhong"],
        participants=[cluster["taiyuan"]],
        agenda=["其他议题"],
    )
    actions.do_hold_meeting(actor=office_user, meeting=other)
    with pytest.raises(ValidationError):
        actions.do_record_decision(actor=office_user, meeting=other, text="决定", clause=agreement.clauses.first())
    with pytest.raises(ValidationError):
        actions.do_record_decision(actor=office_user, meeting=other, text="决定", agenda_item=held.agenda_items.first())
    assert not Decision.objects.exists()


def test_decisions_are_numbered_per_meeting(held, office_user):
    items = list(held.agenda_items.all())
    first = actions.do_record_decision(actor=office_user, meeting=held, text="审议通过", agenda_item=items[0])
    second = actions.do_record_decision(actor=office_user, meeting=held, text="签署协议", agenda_item=items[1])
    assert (first.number, second.number) == (1, 2)


def test_matters_from_a_clause_point_back_to_the_decision(matter, decision, cluster):
    assert matter.source == Source.AGREEMENT_CLAUSE
    assert matter.state == State.ASSIGNED
    assert matter.code == "HY1-1-1"
    assert matter.source_object == decision
    assert list(decision.matters.all()) == [matter]
    assert [c.unit for c in matter.co_units.all()] == [cluster["taiyuan"]]
    assert [e.verb for e in history(decision)] == ["recorded", "matters_created"]


def test_walk_back_from_a_matter_to_decision_clause_and_meeting(matter):
    found = Matter.objects.get(pk=matter.pk)
    decision = found.source_object
    assert isinstance(decision, Decision)
    assert decision.clause.number == 2
    assert decision.clause.document.title == "山西中部城市群“6+1”合作协议"
    assert decision.meeting.title == "山西中部城市群第一次市际联席会议"
    assert decision.clause.document.adopted_at == decision.meeting


def test_an_agenda_decision_makes_meeting_decision_matters(held, office_user, cluster):
    decision = actions.do_record_decision(
        actor=office_user, meeting=held, text="建立工作专班", agenda_item=held.agenda_items.first()
    )
    created = actions.do_create_matters_from_decision(
        actor=office_user,
        decision=decision,
        matters=[
            {
                "title": title,
                "lead_unit": unit,
                "start_date": datetime.date(2022, 8, 1),
                "due_date": datetime.date(2022, 8, 31),
                "domain": "planning",
            }
            for title, unit in [("太原组建工作专班", cluster["taiyuan"]), ("晋中组建工作专班", cluster["jinzhong"])]
        ],
    )
    assert [m.code for m in created] == ["HY1-1-1", "HY1-1-2"]
    assert {m.source for m in created} == {Source.MEETING_DECISION}
    assert decision.matters.count() == 2


def test_a_unit_that_did_not_take_part_cannot_lead_or_co_deliver(decision, office_user, cluster):
    base = {
        "title": "太榆连接线建设",
        "start_date": datetime.date(2022, 8, 1),
        "due_date": datetime.date(2022, 12, 31),
        "domain": "infrastructure",
    }
    with pytest.raises(ValidationError) as error:
        actions.do_create_matters_from_decision(
            actor=office_user, decision=decision, matters=[{**base, "lead_unit": cluster["xinzhou"]}]
        )
    assert "忻州市人民政府" in error.value.message_dict["lead_unit"][0]
    with pytest.raises(ValidationError) as error:
        actions.do_create_matters_from_decision(
            actor=office_user,
            decision=decision,
            matters=[{**base, "lead_unit": cluster["jinzhong"], "co_units": [cluster["xinzhou"]]}],
        )
    assert "co_units" in error.value.message_dict
    assert not Matter.objects.exists()


def test_a_district_of_a_participating_city_may_lead(decision, office_user, cluster):
    (created,) = actions.do_create_matters_from_decision(
        actor=office_user,
        decision=decision,
        matters=[
            {
                "title": "古交段征地拆迁",
                "lead_unit": cluster["gujiao"],
                "start_date": datetime.date(2022, 8, 1),
                "due_date": datetime.date(2022, 10, 31),
                "domain": "infrastructure",
            }
        ],
    )
    assert created.lead_unit == cluster["gujiao"]


def test_one_bad_matter_stores_none_of_the_batch(decision, office_user, cluster):
    good = {
        "title": "太榆连接线建设",
        "lead_unit": cluster["jinzhong"],
        "start_date": datetime.date(2022, 8, 1),
        "due_date": datetime.date(2022, 12, 31),
        "domain": "infrastructure",
    }
    bad = {**good, "title": "倒置日期", "due_date": datetime.date(2022, 7, 1)}
    with pytest.raises(ValidationError):
        actions.do_create_matters_from_decision(actor=office_user, decision=decision, matters=[good, bad])
    assert not Matter.objects.exists()


def test_a_city_cannot_create_matters_from_a_decision(decision, owner, cluster):
    with pytest.raises(PermissionDenied):
        actions.do_create_matters_from_decision(
            actor=owner,
            decision=decision,
            matters=[
                {
                    "title": "x",
                    "lead_unit": cluster["taiyuan"],
                    "start_date": datetime.date(2022, 8, 1),
                    "due_date": datetime.date(2022, 12, 31),
                    "domain": "planning",
                }
            ],
        )


def test_a_signatory_cannot_be_dropped_from_the_participants(agreement, office_user, cluster):
    meeting = agreement.adopted_at
    with pytest.raises(ValidationError):
        actions.do_update_meeting(actor=office_user, meeting=meeting, participants=[cluster["office"]])
    assert cluster["jinzhong"] in meeting.participants.all()


def test_a_decision_that_became_matters_cannot_be_deleted_with_them(matter, decision):
    from django.db import transaction
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError), transaction.atomic():
        decision.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).delete()
    assert Matter.objects.filter(pk=matter.pk).exists() and Decision.objects.filter(pk=decision.pk).exists()
