from celery import shared_task
from django.utils import timezone


@shared_task(name="xietong.core.ping")
def ping():
    """Answers from whichever worker takes it; `manage.py checkworkers` uses it to see workers are alive."""
    return {"pong": True, "at": timezone.now().isoformat()}


@shared_task(name="xietong.core.purge_personal_data")
def purge_personal_data():
    """Every workflow's retention purge (see `xietong.core.personal.register_purge`)."""
    from .personal import purge_personal_data as run

    return run()


@shared_task(name="xietong.core.deliver_notifications")
def deliver_notifications(ids):
    """E-mail (and the other back-ends) for stored notifications; a second run sends nothing again."""
    from .notify import deliver

    return deliver(ids)


@shared_task(name="xietong.core.send_outbox")
def send_outbox():
    """Periodic: send the background work stored while the broker was unreachable."""
    from .outbox import sweep

    sent, refused = sweep()
    return {"sent": sent, "refused": refused}
