"""One error shape for the whole API: 401 / 403 / 404 / 409 / 413 / 422 with the documented body."""

import datetime
import json

import pytest

from xietong.conftest import client_for
from xietong.supervision.actions import do_create_matter
from xietong.supervision.models import Domain


def _is_single(body):
    return isinstance(body, dict) and set(body) == {"detail"} and isinstance(body["detail"], str)


def _is_field_list(body):
    return (
        set(body) == {"detail"}
        and isinstance(body["detail"], list)
        and all(set(item) == {"loc", "msg", "type"} for item in body["detail"])
    )


def test_an_anonymous_write_is_a_401_not_a_csrf_failure(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/supervision/matters", "{}", content_type="application/json")
    assert response.status_code == 401 and _is_single(response.json())
    assert "CSRF" not in response.json()["detail"]


def test_a_logged_in_browser_write_still_needs_its_csrf_token(office_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(office_user)
    response = client.post("/api/v1/supervision/matters", "{}", content_type="application/json")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/supervision/matters?page=99999999999999999999",
        "/api/v1/supervision/matters?page_size=99999999999999999999",
        "/api/v1/meetings/meetings?limit=99999999999999999999",
        "/api/v1/meetings/meetings?offset=99999999999999999999",
        "/api/v1/regions/search?q=山&limit=99999999999999999999",
    ],
)
def test_numbers_beyond_any_page_are_a_422_in_the_documented_shape(office_user, url):
    response = client_for(office_user).get(url)
    assert response.status_code == 422 and _is_field_list(response.json())


def test_missing_fields_are_named_in_the_readers_language(office_user):
    response = client_for(office_user).post(
        "/api/v1/supervision/matters", "{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    body = response.json()
    assert response.status_code == 422 and _is_field_list(body)
    assert {"loc": ["body", "payload", "code"], "msg": "This field is required.", "type": "missing"} in body["detail"]
    chinese = client_for(office_user).post("/api/v1/supervision/matters", "{}", content_type="application/json")
    assert chinese.json()["detail"][0]["msg"] == "这个字段是必填项。"


def test_a_refusal_is_a_403_and_a_hidden_object_a_404(cluster, office_user, other_city_user, outsider):
    matter = do_create_matter(
        actor=office_user,
        code="DB-E-1",
        title="太原的事项",
        lead_unit=cluster["taiyuan"],
        start_date=datetime.date(2026, 1, 1),
        due_date=datetime.date(2026, 6, 30),
        domain=Domain.INFRASTRUCTURE,
    )
    hidden = client_for(other_city_user).get(f"/api/v1/supervision/matters/{matter.pk}")
    assert hidden.status_code == 404 and _is_single(hidden.json())
    refused = client_for(outsider).get("/api/v1/meetings/meetings")
    assert refused.status_code == 403 and _is_single(refused.json())


def test_a_body_over_the_limit_is_a_413(office_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"code": "X", "title": "x" * 5000})
    response = client_for(office_user).post("/api/v1/supervision/matters", body, content_type="application/json")
    assert response.status_code == 413 and _is_single(response.json())


def test_a_lone_surrogate_is_refused_not_a_server_error(cluster, office_user):
    body = (
        '{"code": "DB-S-1", "title": "\\ud800", "domain": "infrastructure", "lead_unit_id": %d,'
        ' "start_date": "2026-01-01", "due_date": "2026-02-01"}' % cluster["taiyuan"].pk
    )
    response = client_for(office_user).post("/api/v1/supervision/matters", body, content_type="application/json")
    assert response.status_code == 422 and _is_field_list(response.json())


def test_the_openapi_document_lists_each_operations_errors_beside_its_success(client):
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = {int(status) for status in operation["responses"]}
            assert {413, 422} <= statuses, (method, path)
            assert any(200 <= status < 300 for status in statuses), (method, path)
            if operation.get("security"):
                assert {401, 403} <= statuses, (method, path)
            if "{" in path:
                assert 404 in statuses, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert 409 in statuses, (method, path)
            invalid = operation["responses"].get("422") or operation["responses"].get(422)
            assert invalid["content"]["application/json"]["schema"]["$ref"].startswith("#/components/schemas/")
    assert {"ErrorOut", "ValidationErrorOut", "FieldError"} <= set(document["components"]["schemas"])
