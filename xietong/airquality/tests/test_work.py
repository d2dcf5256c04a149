"""City staff find the warnings to acknowledge in their work queue."""

import datetime as dt

import time_machine
from django.urls import reverse

from xietong.airquality import actions
from xietong.conftest import client_for
from xietong.core import workqueue

from .conftest import CST

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST)


def buckets(user):
    return {kind.key: bucket for kind, bucket in workqueue.queue_for(user)}


def test_a_warning_to_acknowledge_is_in_the_citys_queue_until_acknowledged(
    cluster, office_user, member, other_city_user
):
    with time_machine.travel(NOW, tick=False):
        warning = actions.do_issue_joint_warning(
            actor=office_user, level="orange", cities=[cluster["taiyuan"]], starts_at=NOW, reason="区域重污染"
        )
        mine = buckets(member)["airquality.acknowledge"]
        assert mine.count == 1 and mine.items[0].url == reverse("airquality:warning", args=[warning.pk])
        assert "airquality.acknowledge" not in buckets(other_city_user)  # 忻州 has no warning
        assert "airquality.acknowledge" not in buckets(office_user)  # the office does not acknowledge
        page = client_for(member).get(reverse("work")).content.decode()
        assert warning.code in page
        actions.do_acknowledge(actor=member, city_warning=warning.city_warnings.get())
        assert "airquality.acknowledge" not in buckets(member)
        # an upgrade needs a new acknowledgement
        actions.do_change_level(actor=office_user, warning=warning, level="red", reason="加重")
        assert buckets(member)["airquality.acknowledge"].count == 1


def test_the_kind_costs_a_fixed_number_of_queries(cluster, member, office_user, django_assert_num_queries):
    with time_machine.travel(NOW, tick=False):
        actions.do_issue_joint_warning(
            actor=office_user, level="yellow", cities=[cluster["taiyuan"]], starts_at=NOW, reason="x"
        )
        kinds = {kind.key: kind for kind in workqueue.kinds()}
        kinds["airquality.acknowledge"].applies(member)  # loads the memberships once, as a request does
        with django_assert_num_queries(2):  # one count, one limited select
            assert kinds["airquality.acknowledge"].collect(member, NOW.date(), 20).count == 1


def test_the_badge_count_is_cached_until_a_city_warning_changes(cluster, office_user, member):
    with time_machine.travel(NOW, tick=False):
        assert workqueue.count_for(member) == 0
        warning = actions.do_issue_joint_warning(
            actor=office_user, level="orange", cities=[cluster["taiyuan"]], starts_at=NOW, reason="区域重污染"
        )
        assert workqueue.count_for(member) == 1  # the write dropped the cached 0
        actions.do_acknowledge(actor=member, city_warning=warning.city_warnings.get())
        assert workqueue.count_for(member) == 0
