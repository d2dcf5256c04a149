"""Background work that a broker outage cannot lose: a transactional outbox.

`enqueue(task, *args)` is the one way every app asks for background work. With a broker configured it stores
an `OutboxTask` row in the caller's transaction and sends the task once that transaction commits; when the
broker cannot take it then (Redis down, restarting, unreachable), the row stays pending and `sweep()` sends it
once the broker is back (`manage.py sendoutbox`, and celery beat every minute). A rolled-back write leaves no
row and sends nothing.

A task may therefore arrive twice (a sweep racing the web process's own send, a send whose answer was lost):
every task sent this way does nothing the second time. Without a broker (`make run`) tasks run in the
calling process after commit, as before.
"""

import datetime
import logging

from django.db import connection, transaction
from django.db.models import Count, F, Min
from django.utils import timezone

from xietong.celery import app

from .models import OutboxTask

logger = logging.getLogger(__name__)

# A row younger than this is left to the process that wrote it: it sends right after its commit.
SWEEP_MIN_AGE = datetime.timedelta(seconds=30)
SWEEP_BATCH = 500


def enqueue(task, *args):
    """Run the named task with `args` (JSON values) after the current transaction commits, surely."""
    args = list(args)
    if app.conf.task_always_eager:
        transaction.on_commit(lambda: _run_here(task, args))
        return None
    row = OutboxTask.objects.create(task=task, args=args)
    transaction.on_commit(lambda: send(row))
    return row


def _run_here(task, args):
    try:
        if task not in app.tasks:
            # Each app's tasks module is imported on first need in a web process (a worker imports them all).
            app.loader.import_default_modules()
        app.tasks[task].apply(args=args, throw=True)
    except Exception:
        # The write that asked for it is committed; the task records its own failure where it has one.
        logger.exception("task %s failed in the web process", task)


def send(row):
    """Hand one pending row to the broker; True when it took it. Never raises: the write is committed."""
    try:
        # No retry here (kombu would otherwise keep a request waiting for seconds): a broker that is down is
        # noticed at once, and the sweep sends the row later.
        with app.pool.acquire(block=True) as broker:
            broker.ensure_connection(max_retries=0)
            app.send_task(row.task, args=row.args, ignore_result=True, retry=False, connection=broker)
    except Exception as error:
        logger.warning("broker refused task %s #%s: %s", row.task, row.pk, error)
        OutboxTask.objects.filter(pk=row.pk).update(
            attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:300]
        )
        return False
    OutboxTask.objects.filter(pk=row.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    return True


def sweep(*, min_age=SWEEP_MIN_AGE, limit=SWEEP_BATCH):
    """Send pending rows older than `min_age`, oldest first; returns (sent, refused).

    The first refusal ends the sweep: the broker is still down and the next sweep tries again. Rows are locked
    while sent (skipping rows another sweep holds, on PostgreSQL) so two sweeps do not send the same row.
    """
    sent = refused = 0
    with transaction.atomic():
        rows = OutboxTask.objects.filter(sent_at__isnull=True, created_at__lte=timezone.now() - min_age)
        rows = rows.order_by("created_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        for row in rows[:limit]:
            if send(row):
                sent += 1
            else:
                refused += 1
                break
    return sent, refused


def pending(now=None):
    """What waits for the broker: the count of pending rows and the age in seconds of the oldest."""
    now = now or timezone.now()
    figures = OutboxTask.objects.filter(sent_at__isnull=True).aggregate(count=Count("id"), oldest=Min("created_at"))
    oldest = figures["oldest"]
    return {"pending": figures["count"], "oldest_age": int((now - oldest).total_seconds()) if oldest else None}
