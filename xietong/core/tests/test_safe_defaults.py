"""Safe defaults: DEBUG off unless set, no console mail by accident, no notification text in logs, login and
API tokens throttled."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command
from django.test import Client

from xietong.conftest import make_user
from xietong.core.checks import check_settings
from xietong.core.notify import notify

ROOT = Path(__file__).resolve().parents[3]


def test_debug_is_off_unless_set():
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env["DJANGO_SETTINGS_MODULE"] = "xietong.settings"
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_console_mail_outside_debug_is_refused_unless_chosen(settings, monkeypatch):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    assert "xietong.E004" in [problem.id for problem in check_settings(None)]
    monkeypatch.setenv("EMAIL_BACKEND", settings.EMAIL_BACKEND)
    assert "xietong.E004" not in [problem.id for problem in check_settings(None)]


def test_the_console_back_end_writes_no_notification_text(
    cluster, member, settings, capsys, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_BACKENDS = ["console"]
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            [member],
            kind="matter.urged",
            message="Urged: %(title)s",
            params={"title": "太忻大道"},
            body="电话13800138000",
        )
    printed = capsys.readouterr().out
    assert "matter.urged" in printed
    assert "13800138000" not in printed and "太忻大道" not in printed


def _login(client, username, password, **headers):
    return client.post("/login/", {"username": username, "password": password}, **headers)


def test_repeated_wrong_passwords_lock_the_account_until_an_operator_unlocks_it(cluster, member, settings):
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, member.username, "wrong").status_code == 200  # the form again, with its message
    assert _login(client, member.username, "wrong").status_code == 429
    locked = _login(client, member.username, "pw-" + member.username, HTTP_ACCEPT_LANGUAGE="en")
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    # Another address does not help: the account itself is locked.
    assert _login(Client(REMOTE_ADDR="10.0.0.2"), member.username, "pw-" + member.username).status_code == 429
    call_command("axes_reset_username", member.username)
    assert _login(Client(REMOTE_ADDR="10.0.0.3"), member.username, "pw-" + member.username).status_code == 302


def test_the_lockout_page_is_chinese_by_default(cluster, member, settings):
    client = Client(REMOTE_ADDR="10.0.0.9")
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        response = _login(client, member.username, "wrong")
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()


def test_repeated_wrong_api_tokens_are_throttled(cluster, settings):
    make_user("scripted", cluster["taiyuan"])
    client = Client(REMOTE_ADDR="10.0.0.5")
    statuses = [
        client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer xt_wrongtoken").status_code
        for _attempt in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    # As on the login form, the attempt that reaches the limit is already answered with the lock-out.
    assert statuses == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [429, 429]


def test_an_operator_issues_and_revokes_a_token_from_the_command_line(cluster, member, capsys):
    call_command("apitoken", "issue", member.username, "太原市报送脚本")
    key = capsys.readouterr().out.strip()
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    call_command("apitoken", "revoke", key[:8])
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_an_operator_issues_a_token_in_the_admin_and_sees_the_key_once(cluster, member):
    from xietong.core.models import ApiToken

    admin_user = make_user("root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    response = client.post("/admin/core/apitoken/add/", {"user": member.pk, "name": "脚本"}, follow=True)
    token = ApiToken.objects.get()
    assert token.prefix in response.content.decode() and token.user == member
    client.post("/admin/core/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
