"""Joint warnings: issued by the office, fanned out to cities, acknowledged, changed and lifted."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from xietong.airquality import actions
from xietong.airquality.models import CityWarning, Forecast, JointWarning, WarningRuleSet
from xietong.airquality.warning_rules import seed
from xietong.core.models import Notification, TimelineEvent
from xietong.core.timeline import history

from .conftest import CST

NOW = dt.datetime(2023, 1, 10, 16, 0, tzinfo=CST)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def rule_sets(db):
    seed(WarningRuleSet)


def issue(actor, cluster, level="orange", cities=("taiyuan", "xinzhou", "jinzhong"), **extra):
    return actions.do_issue_joint_warning(
        actor=actor,
        level=level,
        cities=[cluster[c] for c in cities],
        starts_at=NOW + dt.timedelta(hours=8),
        reason="受不利气象条件影响，预计11日至13日区域AQI日均值超过200。",
        **extra,
    )


def city_warning(warning, cluster, city="taiyuan"):
    return CityWarning.objects.get(joint=warning, city=cluster[city])


def test_a_joint_warning_fans_out_to_each_city(
    cluster, office_user, member, owner, town_staff, other_city_user, outsider, rule_sets
):
    warning = issue(office_user, cluster)
    assert warning.code == "2023-001" and warning.is_active and warning.rule_set.code == "shanxi-2020"
    assert [(cw.city.slug, cw.level, cw.needs_acknowledgement) for cw in warning.city_warnings.all()] == [
        ("taiyuan", "orange", True),
        ("xinzhou", "orange", True),
        ("jinzhong", "orange", True),
    ]
    assert [e.verb for e in history(warning)] == ["issued"]
    assert all([e.verb for e in history(cw)] == ["issued"] for cw in warning.city_warnings.all())
    # The cities' members are told, down to the towns; nobody else.
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"taiyuan-staff", "taiyuan-manager", "hekou-staff", "xinzhou-staff"}
    title = Notification.objects.get(recipient=member).title_text
    assert "橙色" in title and "太原市人民政府" in title
    assert issue_again_is_refused(office_user, cluster)


def issue_again_is_refused(office_user, cluster):
    with pytest.raises(ValidationError, match="2023-001"):
        issue(office_user, cluster, cities=("taiyuan",))
    return True


def test_numbers_count_up_within_the_year(cluster, office_user):
    first = issue(office_user, cluster, cities=("taiyuan",))
    actions.do_lift(actor=office_user, warning=first, reason="好转")
    assert issue(office_user, cluster, cities=("taiyuan",)).code == "2023-002"


@pytest.mark.parametrize("who", ["member", "owner", "other_city_user", "town_staff", "outsider"])
def test_only_the_office_issues(cluster, request, who):
    with pytest.raises(PermissionDenied):
        issue(request.getfixturevalue(who), cluster)
    assert not JointWarning.objects.exists()


def test_a_city_acknowledges_its_own_warning(cluster, office_user, member):
    warning = issue(office_user, cluster)
    assert actions.do_acknowledge(actor=member, city_warning=city_warning(warning, cluster)) is True
    mine = city_warning(warning, cluster)
    assert (mine.acknowledged_by, mine.acknowledged_level, mine.needs_acknowledgement) == (member, "orange", False)
    assert mine.acknowledged_at == NOW
    assert city_warning(warning, cluster, "xinzhou").needs_acknowledgement
    assert [e.verb for e in history(mine)] == ["issued", "acknowledged"]
    assert history(warning).last().changes["city"] == [None, "太原市人民政府"]
    assert Notification.objects.filter(recipient=office_user, kind="airquality.acknowledged").count() == 1
    # Twice is once.
    assert actions.do_acknowledge(actor=member, city_warning=mine) is False
    assert TimelineEvent.objects.filter(verb="acknowledged").count() == 2


@pytest.mark.parametrize("who", ["other_city_user", "office_user", "town_staff", "outsider"])
def test_nobody_else_acknowledges_a_citys_warning(cluster, office_user, request, who):
    warning = issue(office_user, cluster)
    with pytest.raises(PermissionDenied):
        actions.do_acknowledge(actor=request.getfixturevalue(who), city_warning=city_warning(warning, cluster))
    assert city_warning(warning, cluster).needs_acknowledgement


def test_an_upgrade_is_recorded_notified_and_needs_a_new_acknowledgement(cluster, office_user, member):
    warning = issue(office_user, cluster)
    actions.do_acknowledge(actor=member, city_warning=city_warning(warning, cluster))
    Notification.objects.all().delete()
    actions.do_change_level(actor=office_user, warning=warning, level="red", reason="12日AQI预计超过300")
    mine = city_warning(warning, cluster)
    assert (mine.level, mine.acknowledged_level, mine.needs_acknowledgement) == ("red", "orange", True)
    event = history(warning).last()
    assert (event.verb, event.changes, event.note) == ("upgraded", {"level": ["orange", "red"]}, "12日AQI预计超过300")
    assert history(mine).last().verb == "upgraded"
    assert "红色" in Notification.objects.get(recipient=member).title_text
    # Acknowledging what one read before the change is refused with a clear message.
    with pytest.raises(ValidationError, match="红色"):
        actions.do_acknowledge(actor=member, city_warning=mine, level_seen="orange")
    assert actions.do_acknowledge(actor=member, city_warning=mine, level_seen="red")


def test_a_downgrade_is_recorded_as_such(cluster, office_user):
    warning = issue(office_user, cluster)
    actions.do_change_level(actor=office_user, warning=warning, level="yellow", reason="扩散条件改善")
    assert history(warning).last().verb == "downgraded"
    with pytest.raises(ValidationError):
        actions.do_change_level(actor=office_user, warning=warning, level="yellow", reason="again")


def test_only_the_office_changes_or_lifts(cluster, office_user, owner):
    warning = issue(office_user, cluster)
    with pytest.raises(PermissionDenied):
        actions.do_change_level(actor=owner, warning=warning, level="red", reason="x")
    with pytest.raises(PermissionDenied):
        actions.do_lift(actor=owner, warning=warning, reason="x")
    assert JointWarning.objects.get().level == "orange" and JointWarning.objects.get().is_active


def test_lifting_ends_every_city_warning(cluster, office_user, member):
    warning = issue(office_user, cluster)
    Notification.objects.all().delete()
    actions.do_lift(actor=office_user, warning=warning, reason="预计未来48小时AQI低于150")
    warning.refresh_from_db()
    assert (warning.state, warning.lifted_by, warning.lifted_at) == ("lifted", office_user, NOW)
    assert set(warning.city_warnings.values_list("state", flat=True)) == {"lifted"}
    assert [e.verb for e in history(city_warning(warning, cluster))] == ["issued", "lifted"]
    assert "解除" in Notification.objects.get(recipient=member).title_text
    with pytest.raises(ValidationError):
        actions.do_acknowledge(actor=member, city_warning=city_warning(warning, cluster))
    with pytest.raises(ValidationError):
        actions.do_change_level(actor=office_user, warning=warning, level="red", reason="x")
    with pytest.raises(ValidationError):
        actions.do_lift(actor=office_user, warning=warning, reason="x")


def test_a_refused_change_sends_nothing(cluster, office_user):
    warning = issue(office_user, cluster)
    count = Notification.objects.count()
    with pytest.raises(ValidationError):
        actions.do_change_level(actor=office_user, warning=warning, level="orange", reason="same")
    assert Notification.objects.count() == count


# --- forecasts ----------------------------------------------------------------------------------------------


def test_city_staff_enter_and_correct_their_citys_forecast(cluster, member):
    day = dt.date(2023, 1, 11)
    forecast = actions.do_set_forecast(actor=member, city=cluster["taiyuan"], day=day, aqi=220, primary="pm25")
    actions.do_set_forecast(actor=member, city=cluster["taiyuan"], day=day, aqi=260, primary="pm25")
    forecast.refresh_from_db()
    assert forecast.aqi == 260 and Forecast.objects.count() == 1
    assert [e.verb for e in history(forecast)] == ["forecast_entered", "forecast_corrected"]
    assert history(forecast).last().changes == {"aqi": [220, 260]}


@pytest.mark.parametrize("who", ["other_city_user", "town_staff", "outsider"])
def test_others_cannot_forecast_for_taiyuan(cluster, request, who):
    with pytest.raises(PermissionDenied):
        actions.do_set_forecast(actor=request.getfixturevalue(who), city=cluster["taiyuan"], day=NOW.date(), aqi=1)
