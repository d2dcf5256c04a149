import datetime

from celery import shared_task

from .snapshot_tasks import snapshot_progress_task  # noqa: F401  (registers it with the workers)


@shared_task(name="xietong.supervision.run_reminders")
def run_reminders_task(day=None):
    """Periodic: reminders before due dates and at each reporting period, escalation when overdue."""
    from .actions import do_send_reminders

    return do_send_reminders(today=datetime.date.fromisoformat(day) if day else None)
