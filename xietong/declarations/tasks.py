from celery import shared_task


@shared_task(
    name="xietong.declarations.rescreen_notice",
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def rescreen_notice(self, notice_id, version):
    """Re-screen the stored declarations after a notice was published, amended or lifted.

    One transaction: a failure keeps nothing of the run, is retried, and after the last retry the
    notice says that its re-screen failed (the pages show it).
    """
    from .actions import record_rescreen_failure, run_rescreen

    try:
        return run_rescreen(notice_id, version)
    except Exception as error:
        if self.request.retries >= self.max_retries or self.request.is_eager:
            record_rescreen_failure(notice_id, error)
        raise


@shared_task(
    name="xietong.declarations.tell_receiving_units",
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def tell_receiving_units(news, reason, key=None):
    """Tell the receiving units what a submission's screening found (`tell.screening_news`), after its commit.

    A submission's few messages are stored by one insert, keyed by `key`: a retry after a failure, or the same
    task delivered twice, never tells anyone twice.
    """
    from .tell import receiving_units

    receiving_units(news, reason, key=key)


@shared_task(name="xietong.declarations.mark_missed")
def mark_missed(day=None):
    """Measures whose day passed without a record become missed and are escalated."""
    import datetime

    from django.utils import timezone

    from .actions import mark_missed as run

    return run(datetime.date.fromisoformat(day) if day else timezone.localdate())


@shared_task(name="xietong.declarations.create_partitions")
def create_partitions():
    """The coming months' partitions exist before the first declaration of the month arrives."""
    from .partitions import ensure_partitions

    return ensure_partitions()
