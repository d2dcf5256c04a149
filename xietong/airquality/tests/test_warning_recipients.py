"""Who is asked to acknowledge a joint warning: only the city's own staff, who can. The towns, communities,
departments and hotels below the city are told the warning is in force, and are asked for nothing."""

import datetime as dt

from xietong.airquality import actions
from xietong.conftest import make_user
from xietong.core.models import Notification, Role

from .conftest import CST


def test_only_those_who_can_acknowledge_are_asked_to(cluster, office_user, member, owner, town_staff):
    viewer = make_user("taiyuan-viewer", cluster["taiyuan"], Role.VIEWER)
    warning = actions.do_issue_joint_warning(
        actor=office_user,
        level="orange",
        cities=[cluster["taiyuan"]],
        starts_at=dt.datetime(2023, 1, 11, tzinfo=CST),
        reason="预计连续三天重度污染",
    )
    actions.do_change_level(actor=office_user, warning=warning, level="red", reason="污染加重")

    def messages(user):
        return [n.message for n in Notification.objects.filter(recipient=user, kind="airquality.warning")]

    for person in (member, owner):
        assert messages(person) == [
            "Warning %(code)s for %(city)s upgraded to %(level)s: please acknowledge",
            "%(level)s heavy-pollution warning for %(city)s: please acknowledge",
        ]
    for person in (town_staff, viewer):
        assert messages(person) == [
            "Warning %(code)s for %(city)s is now at %(level)s",
            "%(level)s heavy-pollution warning in force for %(city)s",
        ]
        assert all("acknowledge" not in n.title_text and "确认" not in n.title_text for n in person.notifications.all())
