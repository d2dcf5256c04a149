from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task(name="xietong.core.ping")
def ping():
    """Answers from whichever worker takes it; `manage.py checkworkers` uses it to see workers are alive."""
    return {"pong": True, "at": timezone.now().isoformat()}


@shared_task(name="xietong.core.purge_access_log")
def purge_access_log():
    """Drop personal-data access records older than the audit retention period."""
    from .models import PersonalDataAccess

    cutoff = timezone.now() - timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    deleted, _ = PersonalDataAccess.objects.filter(at__lt=cutoff).delete()
    return deleted
