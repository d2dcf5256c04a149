"""确认办结 and issuing a bulletin ask for the password again when the login is older than the window."""

import datetime

import time_machine
from django.test import Client

from xietong.supervision.models import Bulletin, Matter, State
from xietong.supervision.tests.factories import prepare

LOGIN_AT = datetime.datetime(2022, 9, 15, 10, 0, tzinfo=datetime.UTC)


def logged_in(user, password):
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": password})
    assert response.status_code == 302
    return client


def later(minutes):
    return time_machine.travel(LOGIN_AT + datetime.timedelta(minutes=minutes), tick=False)


def submitted(matter, office_user, owner):
    prepare(matter, office_user)
    from xietong.supervision import actions

    actions.do_transition(actor=owner, matter=Matter.objects.get(pk=matter.pk), name="submit")


def test_verifying_within_the_window_needs_no_password(led_matter, office_user, owner, settings):
    settings.REAUTH_WINDOW_MINUTES = 15
    submitted(led_matter, office_user, owner)
    client = logged_in(office_user, "pw-office-supervisor")
    with later(14):
        response = client.post(f"/supervision/matters/{led_matter.pk}/transition/", {"name": "verify"})
    assert response.status_code == 302
    assert Matter.objects.get(pk=led_matter.pk).state == State.DONE


def test_verifying_after_the_window_asks_for_the_password_and_then_goes_ahead(led_matter, office_user, owner, settings):
    settings.REAUTH_WINDOW_MINUTES = 15
    submitted(led_matter, office_user, owner)
    client = logged_in(office_user, "pw-office-supervisor")
    url = f"/supervision/matters/{led_matter.pk}/transition/"
    with later(16):
        asked = client.post(url, {"name": "verify", "reason": "条件已满足"})
        page = asked.content.decode()
        assert asked.status_code == 200 and "请再次输入密码" in page
        assert 'name="name" value="verify"' in page and 'name="reason" value="条件已满足"' in page
        assert Matter.objects.get(pk=led_matter.pk).state == State.SUBMITTED

        wrong = client.post(url, {"name": "verify", "reauth_password": "guess"})
        assert wrong.status_code == 401 and "密码不正确" in wrong.content.decode()
        assert Matter.objects.get(pk=led_matter.pk).state == State.SUBMITTED

        done = client.post(url, {"name": "verify", "reauth_password": "pw-office-supervisor"})
        assert done.status_code == 302
        assert Matter.objects.get(pk=led_matter.pk).state == State.DONE
    with later(20):  # the password just entered opens a new window
        assert client.post(url, {"name": "reopen", "reason": "复核发现问题"}).status_code == 302


def test_steps_that_can_be_taken_back_never_ask(led_matter, office_user, settings):
    settings.REAUTH_WINDOW_MINUTES = 15
    client = logged_in(office_user, "pw-office-supervisor")
    with later(60):
        response = client.post(f"/supervision/matters/{led_matter.pk}/transition/", {"name": "start"})
    assert response.status_code == 302
    assert Matter.objects.get(pk=led_matter.pk).state == State.IN_PROGRESS


def test_the_api_refuses_verifying_on_an_old_browser_session(led_matter, office_user, owner, settings):
    settings.REAUTH_WINDOW_MINUTES = 15
    submitted(led_matter, office_user, owner)
    client = logged_in(office_user, "pw-office-supervisor")
    client.get("/")  # the CSRF cookie for the API's session authentication
    token = client.cookies["csrftoken"].value
    url = f"/api/v1/supervision/matters/{led_matter.pk}/transition"
    with later(16):
        refused = client.post(url, {"name": "verify"}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert refused.status_code == 403
    assert Matter.objects.get(pk=led_matter.pk).state == State.SUBMITTED


def test_issuing_a_bulletin_after_the_window_asks_for_the_password_but_a_preview_does_not(
    office_user, frozen_day, settings
):
    settings.REAUTH_WINDOW_MINUTES = 15
    client = logged_in(office_user, "pw-office-supervisor")
    period = {"period_start": "2022-08-01", "period_end": "2022-08-31"}
    with later(30):
        preview = client.post("/supervision/bulletins/new/", {**period, "preview": "1"})
        assert preview.status_code == 200 and "请再次输入密码" not in preview.content.decode()
        asked = client.post("/supervision/bulletins/new/", period)
        assert "请再次输入密码" in asked.content.decode()
        assert not Bulletin.objects.exists()
        issued = client.post("/supervision/bulletins/new/", {**period, "reauth_password": "pw-office-supervisor"})
    assert issued.status_code == 302
    assert Bulletin.objects.count() == 1
