"""The demo: the seed's first joint meeting and the matters it produced, loaded twice without duplicates."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from xietong.meetings.models import Decision, Document, Meeting, MeetingState
from xietong.supervision.models import Bulletin, Domain, Health, Matter, ProgressSnapshot, Source, State


@pytest.fixture
def demo(db, regions):
    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())


def counts():
    return [model.objects.count() for model in (Meeting, Document, Decision, Matter, Bulletin, ProgressSnapshot)]


def test_the_first_joint_meeting_with_its_documents_and_decisions_loaded_once(demo):
    before = counts()
    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())
    assert counts() == before

    meeting = Meeting.objects.get(number=1)
    assert (meeting.number, meeting.date.isoformat(), meeting.state) == (1, "2022-07-27", MeetingState.CLOSED)
    assert meeting.host_unit.name == "太原市人民政府"
    assert meeting.participants.count() == 6
    rules, agreement = Document.objects.order_by("kind")[1], Document.objects.order_by("kind")[0]
    assert rules.title == "山西中部城市群高质量发展市际联席会议制度" and "示意" in rules.description
    assert agreement.title == "山西中部城市群“6+1”合作协议" and agreement.clauses.count() == 7
    assert agreement.signatories.count() == 5
    assert Decision.objects.filter(meeting=meeting).count() == 8


def test_matters_cover_the_six_domains_walk_back_to_the_meeting_and_look_worked_on(demo):
    assert Matter.objects.count() >= 20
    assert set(Matter.objects.values_list("domain", flat=True)) == set(Domain.values)
    # Other workflows (water, deliberation) add matters of their own sources to the same demo.
    from_meeting = Matter.objects.filter(source__in=[Source.MEETING_DECISION, Source.AGREEMENT_CLAUSE])
    assert from_meeting.count() >= 20
    # The first meeting's of 2022, and this year's fifth meeting's of the current cycle.
    for matter in from_meeting:
        assert matter.source_object.meeting.number == (5 if matter.code.startswith("HY5-") else 1)
    clause_matter = Matter.objects.get(title="太忻大道建设")
    assert clause_matter.source == Source.AGREEMENT_CLAUSE
    assert clause_matter.source_object.clause.document.title == "山西中部城市群“6+1”合作协议"

    # a real autumn of work: some done (on time or late), some overdue, long projects on track
    health = dict(Matter.objects.with_health().values_list("health_code").annotate(n=Count("id")))
    assert health[Health.OVERDUE] >= 3 and health[Health.DONE_ON_TIME] >= 5 and health[Health.DONE_LATE] >= 1
    assert health[Health.ON_TRACK] >= 3
    assert Matter.objects.filter(state=State.SUBMITTED).exists()
    done = Matter.objects.filter(state=State.DONE)
    assert all(m.completed_on.year == 2022 for m in done)
    # Two bulletins of 2022 and last month's of the current cycle.
    assert Bulletin.objects.filter(period_end__year=2022).count() == 2
    first = Bulletin.objects.get(number=1)
    assert first.created_at.date().isoformat() == "2022-09-05"
    assert [item["title"] for item in first.data["overdue"]] == [
        "古交—娄烦—方山高速公路前期工作",
        "建立重点工程项目审批联席会议机制",
    ]
    assert ProgressSnapshot.objects.filter(date__year=2022).values("date").distinct().count() >= 20


def test_residents_can_follow_some_demo_matters_without_an_account(demo, client):
    public = Matter.objects.filter(public=True)
    assert public.count() >= 2
    response = client.get(f"/supervision/public/{public.first().code}/")
    assert response.status_code == 200
    assert public.first().title in response.content.decode()
