"""The probes a load balancer and an operator use."""

import pytest
from django.test import override_settings


def test_liveness_answers_without_an_account(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readiness_checks_the_database_and_reports_no_broker(client, db):
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("not configured")


def test_readiness_with_the_real_redis(client, db):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/15"):
        body = client.get("/readyz").json()
    assert body == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0"])
def test_a_broker_that_is_down_degrades_but_keeps_the_process_in_rotation(client, db, url):
    with override_settings(CELERY_BROKER_URL=url):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"].startswith("unavailable")
