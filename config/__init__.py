# Loaded with Django, so `shared_task`s bind to the project's Celery app (config/celery.py).
from .celery import app as celery_app

__all__ = ["celery_app"]
