"""The Celery application; with no broker configured, tasks run inline."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xietong.settings")

app = Celery("xietong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
