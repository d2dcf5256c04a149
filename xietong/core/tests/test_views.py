import io

import pytest
from django.core.management import call_command

from xietong.conftest import client_for
from xietong.core import demo as core_demo
from xietong.core.models import Notification


@pytest.fixture
def demo(db, regions):
    """The demo cluster's units and accounts (the workflows' demo data is not needed here)."""
    core_demo.load()


def test_home_shows_the_cluster_in_chinese(demo, client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-Hans"' in html
    for name in [
        "山西中部城市群建设领导小组办公室",
        "太原市人民政府",
        "忻州市人民政府",
        "吕梁市人民政府",
        "晋中市人民政府",
        "阳泉市人民政府",
    ]:
        assert name in html


def test_home_in_english_after_switching(demo, client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Taiyuan Municipal Government" in html
    assert "Shanxi Central City Cluster" in html


def test_login_with_wrong_password_says_so(demo, client):
    response = client.post("/login/", {"username": "taiyuan", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_demo_login_works(demo, client):
    response = client.post("/login/", {"username": "taiyuan", "password": "xietong-demo"})
    assert response.status_code == 302


def test_inbox_needs_login(db, client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_inbox_shows_only_ones_own(cluster, member, outsider):
    Notification.objects.create(recipient=member, kind="t", title="给太原的催办")
    assert "给太原的催办" in client_for(member).get("/inbox/").content.decode()
    assert "给太原的催办" not in client_for(outsider).get("/inbox/").content.decode()


def test_marking_read_touches_only_ones_own(cluster, member, outsider):
    mine = Notification.objects.create(recipient=member, kind="t", title="a")
    client_for(outsider).post("/inbox/read/", {"id": [mine.pk]})
    mine.refresh_from_db()
    assert mine.read_at is None
    client_for(member).post("/inbox/read/", {"id": [mine.pk]})
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_unknown_page_is_a_404_not_a_500(db, client):
    assert client.get("/no-such-page/").status_code == 404


def test_loaddemo_is_idempotent(db, regions):
    """Every workflow's demo loader, run twice, adds nothing the second time."""
    from django.apps import apps

    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())
    counts = {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label != "sessions"}
    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())
    again = {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label != "sessions"}
    assert again == counts


def test_a_refusal_explains_itself_in_chinese(cluster, member):
    from xietong.conftest import client_for as _client

    response = _client(member).get("/supervision/matters/new/")
    assert response.status_code == 403
    assert "无权" in response.content.decode() or "不允许" in response.content.decode()


def test_a_missing_page_says_so_in_chinese(db, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()
