"""Liveness and readiness for the load balancer and the operator.

`/healthz` answers as long as the process serves requests. `/readyz` checks what a request needs: the
database must answer (otherwise 503, take this process out of rotation); the broker is reported but does
not make the process unready, because pages and public forms keep working without it and the work they ask
for waits in the outbox until it is back. The answer also gives the default queue's length and the outbox's
pending count and oldest age; work pending longer than OUTBOX_STALE makes the status "degraded" too.
"""

import datetime

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

# Work still waiting this long means no sweep is sending it (no beat, no cron) even if the broker is up.
OUTBOX_STALE = datetime.timedelta(minutes=10)


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as error:  # any driver error means "not ready"; its class names the cause for the operator
        return f"unavailable: {type(error).__name__}"


def _broker():
    """(reachability, tasks waiting in the default queue or None)."""
    if not settings.CELERY_BROKER_URL:
        return "not configured (tasks run in the web process)", None
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=1) as broker:
            broker.ensure_connection(max_retries=1, timeout=1)
            # A declare is how kombu reports a queue's length on every transport; on Redis it creates nothing.
            length = broker.default_channel.queue_declare(queue=settings.CELERY_TASK_DEFAULT_QUEUE).message_count
        return "ok", length
    except Exception as error:  # kombu raises the transport's own errors
        return f"unavailable: {type(error).__name__}", None


def background_work():
    """What the operator needs to see of background work: broker, queue and the outbox's pending rows."""
    from .outbox import pending

    state, length = _broker()
    figures = pending()
    return {
        "broker": state,
        "queue": {"name": settings.CELERY_TASK_DEFAULT_QUEUE, "length": length},
        "outbox": figures,
        "stale": figures["oldest_age"] is not None and figures["oldest_age"] > OUTBOX_STALE.total_seconds(),
    }


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    checks = {"database": _database()}
    if checks["database"] != "ok":
        checks["broker"] = _broker()[0]
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    work = background_work()
    checks["broker"] = work["broker"]
    degraded = work["broker"].startswith("unavailable") or work["stale"]
    return JsonResponse(
        {
            "status": "degraded" if degraded else "ok",
            "checks": checks,
            "queue": work["queue"],
            "outbox": work["outbox"],
        }
    )
