import datetime

from celery import shared_task


@shared_task(name="xietong.supervision.snapshot_progress")
def snapshot_progress_task(day=None):
    """Daily: store each city's completion figures for the dashboard's trend chart."""
    from .actions import do_write_snapshots

    return len(do_write_snapshots(day=datetime.date.fromisoformat(day) if day else None))
