"""A real queue for the tests that need one: Redis as the broker (TEST_BROKER_URL, by default
database 4 of the local Redis, emptied before and after each test) and, when asked for, a real
Celery worker consuming it in a thread of the test process."""

import os
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker

import config.tasks
from config import celery_app

BROKER_URL = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/4")


def use_broker(url):
    """Point the project's Celery app at `url`, dropping connections to the previous one."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(settings, monkeypatch):
    queue = redis.Redis.from_url(BROKER_URL)
    try:
        queue.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {BROKER_URL}")
    settings.CELERY_BROKER_URL = BROKER_URL
    monkeypatch.setattr(config.tasks, "_broker_failed_at", None)
    previous = celery_app.conf.broker_url
    use_broker(BROKER_URL)
    yield queue
    use_broker(previous)
    queue.flushdb()


@pytest.fixture
def unreachable_broker(settings, monkeypatch):
    url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_URL = url
    monkeypatch.setattr(config.tasks, "_broker_failed_at", None)
    previous = celery_app.conf.broker_url
    use_broker(url)
    yield url
    use_broker(previous)


@pytest.fixture
def worker(broker, transactional_db):
    """A Celery worker on the test database: it sees only what the test has committed."""
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


def eventually(condition, timeout=20):
    """Wait until `condition()` is true (the worker is another thread); fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the worker did not do it in time"
        time.sleep(0.1)


def queued_task_names(queue):
    """The names of the tasks waiting in Celery's default queue."""
    import json

    return [json.loads(message)["headers"]["task"] for message in queue.lrange("celery", 0, -1)]
