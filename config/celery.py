"""The queue for background work: Celery, with Redis as the broker (docs/deploy.md says why).

Used only when CELERY_BROKER_URL is set; without it every task runs inline, in the request or
command that asks for it, as it always did (config/tasks.py). Worker and scheduler:

    celery -A config worker --loglevel INFO
    celery -A config beat
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("soglasie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
