"""Fixtures of the meetings tests: a joint meeting hosted by 太原 with 晋中 and the office, where 忻州 was not."""

import datetime

import pytest

from xietong.conftest import make_user
from xietong.core.models import Role
from xietong.meetings import actions
from xietong.meetings.models import DocumentKind

MEETING_DAY = datetime.date(2022, 7, 27)


@pytest.fixture
def jinzhong_staff(cluster):
    return make_user("jz-staff", cluster["jinzhong"], Role.STAFF)


@pytest.fixture
def meeting(cluster, office_user):
    """Planned: 太原 hosts, 晋中 and the office take part; 忻州 does not."""
    return actions.do_create_meeting(
        actor=office_user,
        number=1,
        title="山西中部城市群第一次市际联席会议",
        date=MEETING_DAY,
        place="太原市",
        host_unit=cluster["taiyuan"],
        participants=[cluster["jinzhong"], cluster["office"]],
        agenda=["审议《山西中部城市群高质量发展市际联席会议制度》", "签署“6+1”合作协议"],
    )


@pytest.fixture
def held(meeting, office_user):
    return actions.do_hold_meeting(actor=office_user, meeting=meeting)


@pytest.fixture
def agreement(held, office_user, cluster):
    return actions.do_adopt_document(
        actor=office_user,
        meeting=held,
        kind=DocumentKind.AGREEMENT,
        title="山西中部城市群“6+1”合作协议",
        full_text="第一条 推动规划全面衔接。\n第二条 推动基础设施互联互通。",
        clauses=["推动规划全面衔接。", "推动基础设施互联互通，全力推进太榆连接线建设。"],
        signatories=[cluster["taiyuan"], cluster["jinzhong"]],
        description="条款措辞为示意。",
    )


@pytest.fixture
def decision(agreement, office_user):
    """On clause 2 of the agreement."""
    return actions.do_record_decision(
        actor=office_user,
        meeting=agreement.adopted_at,
        text="太原、晋中共同推进太榆连接线建设，年底前完成主线贯通。",
        clause=agreement.clauses.get(number=2),
    )


@pytest.fixture
def matter(decision, office_user, cluster):
    """Led by 晋中 with 太原 as co-unit, created from the decision."""
    (created,) = actions.do_create_matters_from_decision(
        actor=office_user,
        decision=decision,
        matters=[
            {
                "title": "太榆连接线建设",
                "lead_unit": cluster["jinzhong"],
                "co_units": [cluster["taiyuan"]],
                "start_date": datetime.date(2022, 8, 1),
                "due_date": datetime.date(2022, 12, 31),
                "domain": "infrastructure",
                "sub_area": "transport",
                "milestones": [("主线贯通", datetime.date(2022, 11, 30))],
            }
        ],
    )
    return created
