"""Publishing a risk-area notice asks for the password again when the login is older than the window."""

import datetime

from django.test import Client
from django.urls import reverse

from xietong.declarations import actions
from xietong.declarations.models import Notice, PreventionOffice
from xietong.declarations.tests.conftest import NOW, TAIYUAN_LIST


def test_publishing_an_old_sessions_notice_needs_the_password_again(frozen, people, decl_units, settings):
    settings.REAUTH_WINDOW_MINUTES = 15
    officer = people["ty_office"]
    notice = actions.do_create_notice(
        actor=officer,
        office=PreventionOffice.objects.get(unit=decl_units["ty_office"]),
        title="太原市疫情防控办健康提示",
        number="2022-07-27",
        window_start=datetime.date(2022, 7, 19),
        areas_text=TAIYUAN_LIST,
        default_tier="listed",
    )
    client = Client()
    assert (
        client.post("/login/", {"username": officer.username, "password": "pw-" + officer.username}).status_code == 302
    )
    url = reverse("declarations:notice-publish", args=[notice.pk])
    frozen.move_to(NOW + datetime.timedelta(minutes=16))
    asked = client.post(url)
    assert asked.status_code == 200 and "请再次输入密码" in asked.content.decode()
    assert Notice.objects.get(pk=notice.pk).state == "draft"
    published = client.post(url, {"reauth_password": "pw-" + officer.username})
    assert published.status_code == 302
    assert Notice.objects.get(pk=notice.pk).state == "published"
