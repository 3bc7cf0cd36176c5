"""Background work: on the queue when one is configured, inline otherwise.

`enqueue(task, *args)` is how the code asks for a task. Without CELERY_BROKER_URL the task runs
at once, inline, inside the caller's transaction, exactly as the work was always done (`make
run` and the tests need nothing more). With a broker the task is sent only once the caller's
transaction has committed, so a worker never looks for a row that is not there yet and a request
never waits for the work itself (fan-out to 100 000 followers costs the request one message).

If the broker cannot be reached the work is not lost and the visitor sees no error: the task
runs inline after the commit and a warning is logged; for BROKER_REST_SECONDS afterwards the
broker is not tried again, so an outage does not cost every request a connection timeout.

Every task derives from `PrimaryTask`: it reads and writes the primary database, retries with
a growing delay when it fails, and is acknowledged only when it has finished (a worker killed
half-way leaves it on the queue for another). Tasks must therefore be idempotent.
"""

import logging
import time

from celery import Task
from django.conf import settings
from django.db import transaction

from config.db_router import use_primary

log = logging.getLogger(__name__)

BROKER_REST_SECONDS = 15

# When the broker last failed us, on the monotonic clock (per process).
_broker_failed_at = None


class PrimaryTask(Task):
    autoretry_for = (Exception,)
    retry_backoff = True
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 5
    acks_late = True
    # A worker process that dies (killed, out of memory) gives its task back to the queue.
    reject_on_worker_lost = True

    def __call__(self, *args, **kwargs):
        with use_primary():
            return super().__call__(*args, **kwargs)


def enqueue(task, *args):
    """Run `task(*args)` in the background if there is a queue, else now, inline."""
    if not settings.CELERY_BROKER_URL:
        task(*args)
        return
    transaction.on_commit(lambda: _send(task, args), robust=True)


def _broker_resting():
    return _broker_failed_at is not None and time.monotonic() - _broker_failed_at < (
        BROKER_REST_SECONDS
    )


def _send(task, args):
    global _broker_failed_at
    if not _broker_resting():
        try:
            task.apply_async(args, retry=False)
        except Exception as error:
            _broker_failed_at = time.monotonic()
            log.warning("queue: broker unreachable, running %s inline: %s", task.name, error)
        else:
            _broker_failed_at = None
            return
    else:
        log.warning("queue: broker recently unreachable, running %s inline", task.name)
    with transaction.atomic():
        task(*args)


def broker_reachable(timeout):
    """Whether the broker answers within `timeout` seconds."""
    from config.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.connect_timeout = timeout
            connection.ensure_connection(max_retries=0, timeout=timeout)
    except Exception as error:
        log.warning("health: the queue's broker is unreachable: %s", error)
        return False
    return True
