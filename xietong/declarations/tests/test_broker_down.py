"""With the broker unreachable, travellers' declarations and residents' concerns are still taken, and the
readiness probe tells the operator."""

import json
import socket

import pytest
from django.test import Client

from xietong.celery import app
from xietong.core.models import Notification
from xietong.declarations.models import Declaration
from xietong.declarations.tests.test_idempotency import URL, payload


@pytest.fixture
def broker_down(settings):
    with socket.socket() as sock:  # a loopback port that nothing listens on: connections are refused at once
        sock.bind(("127.0.0.1", 0))
        closed = f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
    saved = app.conf.broker_url, app.conf.task_always_eager
    settings.CELERY_BROKER_URL = closed
    # A producer pool made by an earlier test (even an eager task takes a producer) points at the old broker.
    app.amqp._producer_pool = None
    app.conf.broker_url, app.conf.task_always_eager = closed, False
    yield closed
    app.amqp._producer_pool = None
    app.conf.broker_url, app.conf.task_always_eager = saved


def test_declarations_are_taken_and_readyz_says_degraded(
    broker_down, notice, people, decl_units, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(URL, json.dumps(payload(decl_units)), content_type="application/json")
    assert response.status_code == 200 and response.json()["tier"] == "listed"
    assert Declaration.objects.count() == 1
    # The task that tells the community could not be queued: the web process told it instead.
    receipt = response.json()["receipt"]
    assert Notification.objects.filter(recipient=people["community"], params__receipt=receipt).count() == 1
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded" and ready.json()["checks"]["broker"].startswith("unavailable")
