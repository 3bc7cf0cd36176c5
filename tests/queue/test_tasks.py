"""The scheduled tasks: registered under the names the scheduler uses, retried on failure."""

import pytest
from django.conf import settings
from django.core import mail

from agreements.tasks import advance
from config import celery_app
from news.tasks import fan_out, send_digests
from tests.queue.conftest import eventually

RUNS = []


def fail_the_first_time(now):
    """An ADVANCE_TASKS entry whose first run fails, as a busy database would make it."""
    RUNS.append(now)
    if len(RUNS) == 1:
        raise RuntimeError("the database was busy")
    return ["done"]


def test_the_schedule_runs_advance_every_minute_and_digests_daily():
    celery_app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["advance"]["task"] == advance.name == "agreements.tasks.advance"
    assert schedule["advance"]["schedule"] == 60
    assert schedule["send-digests"]["task"] == send_digests.name == "news.tasks.send_digests"
    assert {entry["task"] for entry in schedule.values()} <= set(celery_app.tasks)


def test_tasks_are_acknowledged_when_done_and_retried_with_backoff():
    for task in (advance, fan_out, send_digests):
        assert task.acks_late and task.reject_on_worker_lost
        assert task.autoretry_for == (Exception,) and task.max_retries == 5
        assert task.retry_backoff


def test_a_failed_advance_is_retried_by_the_worker(community, settings, broker, worker):
    settings.ADVANCE_TASKS = ["tests.queue.test_tasks.fail_the_first_time"]
    RUNS.clear()

    advance.delay()

    eventually(lambda: len(RUNS) == 2)
    eventually(lambda: broker.llen("celery") == 0 and broker.hlen("unacked") == 0)
    assert len(RUNS) == 2


def test_the_worker_sends_the_digests(community, broker, worker):
    from members.models import Follow
    from news.models import NewsItem
    from news.notifying import notify_followers
    from tests.factories import make_member

    alice, bob = make_member("alice"), make_member("bob")
    alice.email, alice.email_digest = "alice@example.org", True
    alice.save()
    Follow.objects.create(member=alice, followed_member=bob)
    post = NewsItem.objects.create(kind=NewsItem.Kind.POST, title="Seed swap", author=bob)
    notify_followers(post.pk)

    send_digests.delay()

    eventually(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["alice@example.org"]


@pytest.mark.parametrize("broker_configured", [False, True])
def test_advance_runs_inline_without_a_queue(community, settings, broker_configured):
    # The command is what `make run` and cron use; it never needs the queue.
    from django.core.management import call_command

    settings.ADVANCE_TASKS = ["tests.queue.test_tasks.fail_the_first_time"]
    RUNS[:] = ["an earlier failure"]
    if broker_configured:
        settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    call_command("advance")

    assert len(RUNS) == 2
