"""POST /supervision/matters/<pk>/transition/: the buttons that move a matter along."""

import pytest

from xietong.conftest import client_for
from xietong.core.timeline import history
from xietong.supervision import actions
from xietong.supervision.models import Matter, State
from xietong.supervision.tests.factories import prepare


def post(user, matter, **data):
    return client_for(user).post(f"/supervision/matters/{matter.pk}/transition/", data)


def state_of(matter):
    return Matter.objects.get(pk=matter.pk).state


def test_anonymous_is_sent_to_log_in(led_matter, client):
    response = client.post(f"/supervision/matters/{led_matter.pk}/transition/", {"name": "start"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert state_of(led_matter) == State.ASSIGNED


@pytest.mark.parametrize("who", ["outsider", "other_city_user"])
def test_those_outside_the_matter_get_a_404(led_matter, who, request):
    assert post(request.getfixturevalue(who), led_matter, name="start").status_code == 404
    assert state_of(led_matter) == State.ASSIGNED


def test_a_get_is_not_allowed(led_matter, office_user):
    assert client_for(office_user).get(f"/supervision/matters/{led_matter.pk}/transition/").status_code == 405


def test_the_lead_units_staff_start_and_its_manager_submits(led_matter, member, owner, office_user):
    response = post(member, led_matter, name="start")
    assert response.status_code == 302 and response["Location"] == f"/supervision/matters/{led_matter.pk}/"
    assert state_of(led_matter) == State.IN_PROGRESS
    assert post(member, led_matter, name="submit").status_code == 403  # staff, not manager
    assert state_of(led_matter) == State.IN_PROGRESS
    prepare(led_matter, office_user)
    assert post(owner, led_matter, name="submit").status_code == 302
    assert state_of(led_matter) == State.SUBMITTED


def test_only_the_office_verifies(led_matter, office_user, owner, jinzhong_staff):
    post(owner, led_matter, name="start")
    prepare(led_matter, office_user)
    post(owner, led_matter, name="submit")
    for user in (owner, jinzhong_staff):
        assert post(user, led_matter, name="verify").status_code == 403
    assert state_of(led_matter) == State.SUBMITTED
    response = client_for(office_user).post(
        f"/supervision/matters/{led_matter.pk}/transition/", {"name": "verify"}, follow=True
    )
    assert state_of(led_matter) == State.DONE
    assert "已确认办结。" in response.content.decode()


def test_a_transition_not_allowed_from_the_state_gets_a_clear_message(led_matter, office_user):
    response = post(office_user, led_matter, name="verify")
    assert response.status_code == 400
    assert "处于“已交办”状态的事项不能这样流转。" in response.content.decode()
    assert state_of(led_matter) == State.ASSIGNED


def test_a_reason_is_required_where_the_rules_say_so(led_matter, office_user):
    response = post(office_user, led_matter, name="suspend", reason="  ")
    assert response.status_code == 400
    assert "请说明原因。" in response.content.decode()
    assert state_of(led_matter) == State.ASSIGNED
    assert post(office_user, led_matter, name="suspend", reason="征地手续待批").status_code == 302
    matter = Matter.objects.get(pk=led_matter.pk)
    assert (matter.state, matter.state_reason) == (State.SUSPENDED, "征地手续待批")
    assert history(matter).last().note == "征地手续待批"


def test_an_unknown_action_gets_a_message(led_matter, office_user):
    response = post(office_user, led_matter, name="teleport")
    assert response.status_code == 400 and "未知的操作。" in response.content.decode()


def test_the_message_is_in_english_for_english_readers(led_matter, office_user):
    client = client_for(office_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post(f"/supervision/matters/{led_matter.pk}/transition/", {"name": "verify"})
    assert "A matter in state “Assigned” cannot be moved this way." in response.content.decode()


def test_a_co_unit_cannot_steer_the_matter(led_matter, jinzhong_staff, office_user):
    actions.do_transition(actor=office_user, matter=led_matter, name="start")
    assert post(jinzhong_staff, led_matter, name="suspend", reason="x").status_code == 403
    assert state_of(led_matter) == State.IN_PROGRESS
