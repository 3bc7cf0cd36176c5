"""`advance` as a task of the queue (config/tasks.py), and what it runs.

The scheduler (`celery -A config beat`) starts it every minute, as cron started `manage.py
advance`; both run `do_what_is_due`. It is idempotent and safe to run concurrently (row locks),
so a retried or doubly delivered run does nothing twice.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils.module_loading import import_string

from config.tasks import PrimaryTask

log = logging.getLogger(__name__)


def do_what_is_due():
    """Run every task of settings.ADVANCE_TASKS; one that fails does not stop the others.

    Each app that has work due with time names a function taking `now` (None: the present) and
    returning lines saying what it did; agreements import nothing of the other apps. Returns
    (lines, failures).
    """
    done, failed = [], []
    for task in [import_string(path) for path in settings.ADVANCE_TASKS]:
        try:
            lines = task(None)
        except OperationalError as error:
            # A busy database (the demo's SQLite file); the next round will do the work.
            log.warning("advance: %s: %s", task.__name__, error)
            failed.append(f"{task.__name__}: {error}")
            continue
        except Exception as error:
            lines = getattr(error, "done", [])
            log.exception("advance: %s failed", task.__name__)
            failed += getattr(error, "failed", None) or [f"{task.__name__}: {error}"]
        done += lines
    return done, failed


class AdvanceFailed(Exception):
    pass


@shared_task(base=PrimaryTask, name="agreements.tasks.advance")
def advance():
    """Do what time has made due; a failure is retried (the moves already made stay made)."""
    done, failed = do_what_is_due()
    for line in done:
        log.info("advance: %s", line)
    if failed:
        raise AdvanceFailed("; ".join(failed))
    return len(done)
