from xietong.core.actions import do_create_api_token, do_set_membership
from xietong.core.models import Role


def test_openapi_is_published(db, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "xietong API"


def test_me_refuses_anonymous(db, client):
    assert client.get("/api/v1/me").status_code == 401


def test_me_with_a_bearer_token(cluster, member, client):
    _, key = do_create_api_token(user=member, name="script")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.json()["memberships"][0]["unit"] == "太原市人民政府"


def test_a_revoked_or_wrong_token_is_refused(cluster, member, client):
    from django.utils import timezone

    token, key = do_create_api_token(user=member, name="script")
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_me_with_the_browser_session(cluster, member, client):
    client.force_login(member)
    assert client.get("/api/v1/me").json()["username"] == "taiyuan-staff"


def test_notifications_endpoint_lists_only_ones_own(cluster, member, outsider, client):
    from xietong.core.notify import notify

    notify([member], kind="t", message="仅限本人")
    do_set_membership(user=outsider, unit=cluster["xinzhou"], role=Role.VIEWER)
    client.force_login(outsider)
    assert client.get("/api/v1/notifications").json() == []
    client.force_login(member)
    assert client.get("/api/v1/notifications").json()[0]["title"] == "仅限本人"
