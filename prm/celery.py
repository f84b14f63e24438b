"""The Celery app. The schedule lives in settings (CELERY_BEAT_SCHEDULE), every task in <app>/tasks.py."""

import os

from celery import Celery

# Importing the ``prm`` package imports this module first, so this default also decides what
# ``prm.wsgi`` gets when nothing is set: it must be production, never the DEBUG-on dev settings.
# manage.py and Procfile.dev choose prm.settings.dev explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.production")

app = Celery("prm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
