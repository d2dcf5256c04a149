"""A reply deadline counted in working days of a year whose official holidays are not published yet
(the installed calendar ends with 2026) is shown as an estimate, on the matter page and in the work queue."""

import datetime

import pytest
import time_machine

from xietong.conftest import client_for, make_user
from xietong.core import workdays
from xietong.core.models import Role
from xietong.supervision import actions
from xietong.supervision.tests.factories import make_matter

NOTE = "(estimated: the official holidays of that year are not published yet)"


def urge_on(day, office_user, matter):
    moment = datetime.datetime.combine(day, datetime.time(2), tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        return actions.do_urge(actor=office_user, matter=matter, message="请加快进度。")


@pytest.fixture
def setting(cluster, office_user):
    staff = make_user("jz-staff", cluster["jinzhong"], Role.STAFF)
    matter = make_matter(
        office_user, cluster["jinzhong"], start=datetime.date(2026, 6, 1), due=datetime.date(2027, 3, 31)
    )
    return staff, matter


def pages(user, matter, day):
    moment = datetime.datetime.combine(day, datetime.time(2), tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        client = client_for(user)
        return (
            client.get(matter.get_absolute_url(), headers={"accept-language": "en"}).content.decode(),
            client.get("/work/", headers={"accept-language": "en"}).content.decode(),
        )


def test_a_deadline_in_an_unpublished_year_is_an_estimate(setting, office_user):
    assert workdays.known_range()[1] == datetime.date(2026, 12, 31)
    staff, matter = setting
    urging = urge_on(datetime.date(2026, 12, 30), office_user, matter)
    # Three working days from Wednesday 12-30: 12-31, then 2027-01-01 and 01-04 as plain weekdays.
    assert urging.reply_due == datetime.date(2027, 1, 4)
    matter_page, work_page = pages(staff, matter, datetime.date(2026, 12, 30))
    assert matter_page.count(NOTE) == 2  # among the open 催办单 at the top and in the 催办单 section
    assert NOTE in work_page


def test_a_deadline_in_a_published_year_is_not(setting, office_user):
    staff, matter = setting
    urging = urge_on(datetime.date(2026, 12, 1), office_user, matter)
    assert urging.reply_due == datetime.date(2026, 12, 4)
    matter_page, work_page = pages(staff, matter, datetime.date(2026, 12, 1))
    assert urging.label in work_page
    assert NOTE not in matter_page and NOTE not in work_page
