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
