"""System checks that name a misconfiguration before it bites."""

import os

from django.conf import settings
from django.core.checks import Error, Warning, register


@register("xietong")
def check_settings(app_configs, **kwargs):
    problems = []
    if not settings.DEBUG and not (os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE")):
        problems.append(
            Error(
                "SECRET_KEY is not set while DEBUG is off.",
                hint="Set SECRET_KEY (or SECRET_KEY_FILE) in the environment of every web and worker process.",
                id="xietong.E001",
            )
        )
    if not settings.DEBUG and settings.ALLOWED_HOSTS == ["127.0.0.1", "localhost", "testserver"]:
        problems.append(
            Warning(
                "ALLOWED_HOSTS still holds only the development defaults.",
                hint="Set ALLOWED_HOSTS to the host names the platform is served under.",
                id="xietong.W001",
            )
        )
    broker = settings.CELERY_BROKER_URL
    if broker and broker.split("://", 1)[0] not in ("redis", "rediss", "amqp", "amqps", "sqs", "memory"):
        problems.append(
            Error(
                f"CELERY_BROKER_URL has an unknown scheme: {broker.split('://', 1)[0]!r}.",
                hint="Use redis://host:6379/0 or amqp://user:pass@host:5672//, or leave it empty to run tasks inline.",
                id="xietong.E002",
            )
        )
    if settings.PERSONAL_DATA_RETENTION_DAYS < 1:
        problems.append(
            Error(
                "PERSONAL_DATA_RETENTION_DAYS must be at least 1.",
                hint="Personal data is purged this many days after its case is closed.",
                id="xietong.E003",
            )
        )
    console_mail = settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    if not settings.DEBUG and console_mail and "EMAIL_BACKEND" not in os.environ:
        problems.append(
            Error(
                "Mail would be printed to the console (and its personal data to the logs) while DEBUG is off.",
                hint="Set the EMAIL_* settings, or EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend "
                "if printing is really wanted.",
                id="xietong.E004",
            )
        )
    if not settings.DEBUG and "console" in settings.NOTIFICATION_BACKENDS:
        problems.append(
            Warning(
                "Notifications are printed to the console in production.",
                hint="Set NOTIFICATION_BACKENDS=email (and the EMAIL_* settings).",
                id="xietong.W002",
            )
        )
    return problems
