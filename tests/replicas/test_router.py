"""Reads on the replicas, writes on the primary, a member reads their own writes, and a replica
that is down, lagging or failing is left for the primary: the reader never sees an error."""

import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements.models import Agreement
from config import health
from config.db_router import ReplicaReads, ReplicaRouter, reads_from_replicas
from news.models import NewsItem, Notification
from news.tasks import fan_out
from tests.factories import found_test_community, make_member
from tests.replicas.conftest import make_unreachable, replica_db

pytestmark = replica_db


@pytest.fixture
def idea():
    return found_test_community()


def selects(queries):
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith("SELECT")]


def visit(client, url, alias):
    """GET `url`; which database answered its reads: (status, reads on `alias`, on primary)."""
    with (
        CaptureQueriesContext(connections[alias]) as replica,
        CaptureQueriesContext(connection) as primary,
    ):
        response = client.get(url)
    return response.status_code, len(selects(replica)), len(selects(primary))


def test_a_safe_request_reads_from_the_replica(client, idea, replicas):
    [replica] = replicas()

    status, on_replica, on_primary = visit(client, idea.get_absolute_url(), replica)

    assert status == 200
    assert on_replica > 0 and on_primary == 0


def test_a_browser_that_wrote_reads_from_the_primary_for_a_while(idea, replicas):
    [replica] = replicas()
    alice = make_member("alice")
    writer, other = Client(), Client()
    writer.force_login(alice)
    other.force_login(make_member("bob"))

    garden = Agreement.objects.filter(is_idea=False).first()

    response = writer.post("/follow/", {"agreement": garden.slug})
    assert response.status_code == 302 and "wrote" in response.cookies

    # Its own write is read back at once, from the primary; other browsers read the replica.
    status, on_replica, on_primary = visit(writer, garden.get_absolute_url(), replica)
    assert (status, on_replica) == (200, 0) and on_primary > 0
    assert (
        'class="toggle" aria-pressed="true"'
        in writer.get(garden.get_absolute_url()).content.decode()
    )
    assert visit(other, idea.get_absolute_url(), replica)[1] > 0
    with time_machine.travel(timezone.now() + timedelta(seconds=11)):
        assert visit(writer, idea.get_absolute_url(), replica)[1] > 0


def test_a_forged_pin_cookie_is_ignored(client, idea, replicas):
    [replica] = replicas()
    client.cookies["wrote"] = "1"

    assert visit(client, idea.get_absolute_url(), replica)[1] > 0


def test_a_replica_that_is_down_is_skipped_and_pages_still_answer(client, idea, replicas):
    [down] = replicas(up=False, down=True)

    for url in ("/", idea.get_absolute_url(), "/news/", "/agreements/"):
        assert client.get(url).status_code == 200

    assert health.usable_replicas() == []
    assert health.replicas_state() == "down"


def test_reads_go_to_the_replica_that_is_up(client, idea, replicas):
    up, down = replicas(down=True)

    for _ in range(5):  # whichever the random choice, never the one that is down
        status, on_up, _on_primary = visit(client, idea.get_absolute_url(), up)
        assert status == 200 and on_up > 0


def test_a_replica_lagging_beyond_the_limit_is_skipped(client, idea, replicas, settings):
    # The test's replica is the primary itself, never behind: a limit below zero makes even
    # that too far behind, which exercises the comparison for real.
    [replica] = replicas()
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = -1

    status, on_replica, on_primary = visit(client, idea.get_absolute_url(), replica)

    assert status == 200 and on_replica == 0 and on_primary > 0
    assert health.replicas_state() == "lagging"


def test_a_replica_failing_during_a_request_is_left_and_the_page_comes_from_the_primary(
    idea, replicas, caplog
):
    [replica] = replicas()
    assert health.usable_replicas() == [replica]  # probed: it was there
    make_unreachable(replica)  # and then it went away
    client = Client(raise_request_exception=False)

    response = client.get(idea.get_absolute_url())

    assert response.status_code == 200
    assert "Our idea" in response.content.decode()
    assert health.usable_replicas() == []  # not tried again until its next probe
    assert client.get("/news/").status_code == 200


def test_writes_migrations_transactions_tasks_and_commands_use_the_primary(idea, replicas):
    [replica] = replicas()
    router = ReplicaRouter()
    assert router.db_for_write(Agreement) == "default"
    assert router.allow_migrate(replica, "agreements") is False
    assert router.allow_migrate("default", "agreements") is True

    with reads_from_replicas(ReplicaReads()):
        assert router.db_for_read(Agreement) == replica
        with transaction.atomic():
            assert router.db_for_read(Agreement) == "default"
        bob = make_member("bob")
        post = NewsItem.objects.create(kind=NewsItem.Kind.POST, title="Hi", author=bob)
        with CaptureQueriesContext(connections[replica]) as on_replica:
            fan_out(post.pk)
        assert on_replica.captured_queries == []
    # Outside a request nothing reads from a replica.
    assert router.db_for_read(Notification) == "default"


def test_replica_urls_become_aliases_with_short_timeouts():
    script = (
        "from django.conf import settings; "
        "print(settings.DATABASE_REPLICAS, settings.DATABASE_ROUTERS, "
        "settings.DATABASES['replica2']['PORT'], "
        "settings.DATABASES['replica1']['OPTIONS']['connect_timeout'], "
        "settings.DATABASES['replica1']['TEST']['MIRROR'])"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://app@primary:5432/soglasie",
        "DATABASE_REPLICA_URLS": "postgres://app@r1:5432/soglasie, postgres://app@r2:5433/soglasie",
        "PATH": "/usr/bin:/bin",
    }

    output = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", "import django; django.setup(); " + script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert output.strip() == (
        "['replica1', 'replica2'] ['config.db_router.ReplicaRouter'] 5433 2 default"
    )
