"""Liveness and readiness for the load balancer and the operator.

`/healthz` answers as long as the process serves requests. `/readyz` checks what a request needs: the
database must answer (otherwise 503, take this process out of rotation); the broker is reported but does
not make the process unready, because pages and public forms keep working without it and queued work is
sent again once it is back.
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as error:  # any driver error means "not ready"; its class names the cause for the operator
        return f"unavailable: {type(error).__name__}"


def _broker():
    if not settings.CELERY_BROKER_URL:
        return "not configured (tasks run in the web process)"
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=1) as broker:
            broker.ensure_connection(max_retries=1, timeout=1)
        return "ok"
    except Exception as error:  # kombu raises the transport's own errors
        return f"unavailable: {type(error).__name__}"


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    checks = {"database": _database(), "broker": _broker()}
    if checks["database"] != "ok":
        status, code = "unavailable", 503
    elif checks["broker"].startswith("unavailable"):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, "checks": checks}, status=code)
