"""催办 and milestones from the matter page."""

import pytest

from xietong.conftest import client_for, make_user
from xietong.core.models import Notification, Role
from xietong.supervision.models import Milestone, Reminder, ReminderKind


def urge(user, matter, message="请本周内报送进展"):
    return client_for(user).post(f"/supervision/matters/{matter.pk}/urge/", {"message": message})


def test_urge_needs_a_login(led_matter, client):
    response = client.post(f"/supervision/matters/{led_matter.pk}/urge/", {"message": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["outsider", "other_city_user"])
def test_urge_outside_the_matter_is_a_404(led_matter, who, request):
    assert urge(request.getfixturevalue(who), led_matter).status_code == 404
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("who", ["member", "owner", "jinzhong_staff"])
def test_the_units_themselves_do_not_urge(led_matter, who, request):
    assert urge(request.getfixturevalue(who), led_matter).status_code == 403
    assert not Reminder.objects.exists()


def test_the_office_urges_and_the_units_are_told(led_matter, office_user, member, jinzhong_staff):
    response = urge(office_user, led_matter)
    assert response.status_code == 302
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.message, reminder.sent_by) == (ReminderKind.MANUAL, "请本周内报送进展", office_user)
    assert set(Notification.objects.filter(kind="matter.urged").values_list("recipient", flat=True)) == {
        member.pk,
        jinzhong_staff.pk,
    }
    assert "请本周内报送进展" in client_for(member).get(f"/supervision/matters/{led_matter.pk}/").content.decode()


def test_a_city_manager_urges_its_district(cluster, office_user, owner, frozen_day):
    from xietong.supervision.tests.factories import make_matter

    matter = make_matter(office_user, cluster["gujiao"])
    assert urge(owner, matter).status_code == 302


def test_an_empty_urge_gets_a_message(led_matter, office_user):
    response = urge(office_user, led_matter, message="   ")
    assert response.status_code == 400 and "这个字段是必填项。" in response.content.decode()
    assert not Reminder.objects.exists()


# --- milestones -------------------------------------------------------------------------------------------


def add(user, matter, **data):
    return client_for(user).post(f"/supervision/matters/{matter.pk}/milestones/", data)


def complete(user, milestone):
    return client_for(user).post(f"/supervision/milestones/{milestone.pk}/complete/")


def test_adding_a_milestone_needs_a_login(led_matter, client):
    assert client.post(f"/supervision/matters/{led_matter.pk}/milestones/", {}).status_code == 302


@pytest.mark.parametrize("who", ["outsider", "other_city_user"])
def test_milestones_outside_the_matter_are_a_404(led_matter, who, request):
    user = request.getfixturevalue(who)
    assert add(user, led_matter, title="x", due_date="2022-10-01").status_code == 404
    assert complete(user, led_matter.milestones.get()).status_code == 404
    assert led_matter.milestones.get().done_on is None


@pytest.mark.parametrize("who", ["member", "jinzhong_staff"])
def test_staff_do_not_add_milestones(led_matter, who, request):
    assert add(request.getfixturevalue(who), led_matter, title="x", due_date="2022-10-01").status_code == 403
    assert led_matter.milestones.count() == 1


def test_the_lead_units_manager_adds_a_milestone(led_matter, owner):
    assert add(owner, led_matter, title="建成监测网络", due_date="2022-11-30").status_code == 302
    assert led_matter.milestones.filter(title="建成监测网络").exists()


def test_a_milestone_due_before_the_start_gets_a_message(led_matter, office_user):
    response = add(office_user, led_matter, title="太早", due_date="2022-07-01")
    assert response.status_code == 400 and "里程碑的截止日期不能早于事项开始日期。" in response.content.decode()
    assert not Milestone.objects.filter(title="太早").exists()


def test_the_lead_units_staff_complete_a_milestone_but_a_co_unit_does_not(led_matter, member, jinzhong_staff):
    milestone = led_matter.milestones.get()
    assert complete(jinzhong_staff, milestone).status_code == 403
    assert Milestone.objects.get(pk=milestone.pk).done_on is None
    assert complete(member, milestone).status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).done_on is not None
    response = client_for(member).post(f"/supervision/milestones/{milestone.pk}/complete/", follow=True)
    assert "该里程碑已完成。" in response.content.decode()


def test_a_viewer_of_the_lead_unit_cannot_complete(led_matter, cluster):
    viewer = make_user("ty-viewer", cluster["taiyuan"], Role.VIEWER)
    assert complete(viewer, led_matter.milestones.get()).status_code == 403
