"""The Celery app. The schedule lives in settings (CELERY_BEAT_SCHEDULE), every task in <app>/tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")

app = Celery("prm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
