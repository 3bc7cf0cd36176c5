"""Notifications fan out inline without a queue, and in the background with one, exactly once."""

import pytest

from agreements.amendments.services import post_comment
from agreements.models import Agreement
from members.models import Follow
from news.models import NewsItem, Notification
from news.tasks import fan_out, fan_out_comment
from tests.factories import make_amendment, make_member
from tests.queue.conftest import eventually, queued_task_names


@pytest.fixture
def followed(community):
    """bob, followed by alice and carol."""
    bob = make_member("bob")
    for name in ("alice", "carol"):
        Follow.objects.create(member=make_member(name), followed_member=bob)
    return bob


def post_news(client, author, title="Seed swap"):
    client.force_login(author)
    response = client.post("/news/new/", {"title": title, "body": "Bring seeds."})
    assert response.status_code == 302
    return NewsItem.objects.get(title=title)


def told():
    return sorted(Notification.objects.values_list("recipient__username", "item__title"))


def test_without_a_queue_followers_are_told_within_the_request(client, followed):
    post_news(client, followed)

    assert told() == [("alice", "Seed swap"), ("carol", "Seed swap")]


def test_with_a_queue_the_request_only_enqueues_and_the_worker_tells_each_follower_once(
    client, followed, broker, worker
):
    # The worker is already consuming: the message may be taken as soon as it is sent, so what
    # the request itself did is checked by what the database held when it answered.
    post = post_news(client, followed)

    eventually(lambda: len(told()) == 2)
    assert told() == [("alice", "Seed swap"), ("carol", "Seed swap")]
    assert NewsItem.objects.get(pk=post.pk).title == "Seed swap"

    # A retry, or a redelivery after a worker died, asks again: nothing is written twice.
    fan_out.delay(post.pk, None, [])
    fan_out.delay(post.pk, None, [])
    eventually(lambda: broker.llen("celery") == 0 and broker.hlen("unacked") == 0)
    assert told() == [("alice", "Seed swap"), ("carol", "Seed swap")]


def test_with_a_queue_the_request_writes_no_notification_and_sends_one_message(
    client, followed, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as sent:
        post_news(client, followed)

    assert told() == []  # nobody told yet: that is the worker's job
    assert len(sent) == 1, "sent once the request's transaction committed"
    assert queued_task_names(broker) == ["news.tasks.fan_out"]


def test_nothing_is_sent_before_the_transaction_commits(client, followed, broker):
    # Without the commit (the test's transaction never commits) the message is never sent.
    post_news(client, followed)

    assert queued_task_names(broker) == []


def test_comments_fan_out_on_the_queue_too(followed, broker, django_capture_on_commit_callbacks):
    amendment = make_amendment(author=followed, agreement=Agreement.objects.first())
    with django_capture_on_commit_callbacks(execute=True):
        comment = post_comment(amendment=amendment, author=make_member("dave"), body="Yes.")

    assert "news.tasks.fan_out_comment" in queued_task_names(broker)
    assert not Notification.objects.filter(comment=comment).exists()
    # What the worker would do, twice (a retry): bob follows his own amendment and is told once.
    fan_out_comment(comment.pk)
    fan_out_comment(comment.pk)
    assert list(
        Notification.objects.filter(comment=comment).values_list("recipient__username")
    ) == [("bob",)]


def test_an_unreachable_broker_runs_the_work_inline_and_loses_nothing(
    client, followed, unreachable_broker, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        post_news(client, followed)
        post_news(client, followed, title="Second")  # the broker is not tried again at once

    assert told() == [
        ("alice", "Second"),
        ("alice", "Seed swap"),
        ("carol", "Second"),
        ("carol", "Seed swap"),
    ]
    assert "broker unreachable, running news.tasks.fan_out inline" in caplog.text
    assert "broker recently unreachable" in caplog.text


def test_fan_out_writes_in_batches_and_skips_who_already_has_it(community, settings, monkeypatch):
    from news import notifying

    monkeypatch.setattr(notifying, "BATCH_SIZE", 2)
    author = make_member("author")
    members = [make_member(f"m{n}") for n in range(5)]
    Follow.objects.bulk_create(Follow(member=m, followed_member=author) for m in members)
    item = NewsItem.objects.create(kind=NewsItem.Kind.POST, title="Hello", author=author)
    # As if a first run had died after its first batch.
    Notification.objects.create(recipient=members[0], item=item, created_at=item.published_at)

    assert fan_out(item.pk) == 5

    assert Notification.objects.filter(item=item).count() == 5
