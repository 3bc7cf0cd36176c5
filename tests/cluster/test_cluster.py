"""The site on several nodes (tests/cluster/nodes.py): a PostgreSQL primary and its streaming
replica, Redis, two gunicorn app servers behind nginx and a Celery worker, all on loopback.

A community's whole amendment journey runs through nginx over real HTTP while app server 1 and
then the worker (in the middle of a task) are killed (SIGKILL) and restarted. Afterwards: every
write the site acknowledged is on the primary, anonymous reads were answered by the replica, a
member saw their own writes at once (even with the replica's replay paused), every notification
arrived exactly once, a dump restores with every row, and `/healthz` told the truth when the
replica and then the primary went away.

Deadlines are days long; the test moves them into the past in the primary database (the one
thing done behind the site's back) and runs `manage.py advance` as the scheduler would, because
a clock cannot be moved for processes the test does not run in itself.

Needs root (PostgreSQL runs as the postgres user), PostgreSQL's server binaries, nginx, Redis,
gunicorn and celery; skipped without them unless REQUIRE_CLUSTER=1 (CI), which fails instead.
"""

import os
import re
import time

import pytest

from tests.cluster.browser import Browser
from tests.cluster.nodes import Cluster, missing_prerequisites, wait_until

pytestmark = pytest.mark.cluster

PASSWORD = "correct-horse-battery-9"
PEOPLE = ("alice", "bob", "carol")


@pytest.fixture(scope="module")
def cluster():
    missing = missing_prerequisites()
    if missing:
        reason = "multi-node test needs: " + "; ".join(missing)
        if os.environ.get("REQUIRE_CLUSTER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    nodes = Cluster(
        app_servers=2,
        env={
            # Short windows, so the lag fallback shows within the test's patience.
            "DATABASE_REPLICA_MAX_LAG_SECONDS": "2",
            "DATABASE_REPLICA_CHECK_SECONDS": "1",
            "READ_YOUR_WRITES_SECONDS": "10",
            # A task of the killed worker is given to the next one after this long.
            "CELERY_VISIBILITY_TIMEOUT": "5",
        },
    )
    try:
        nodes.start(people_to_form=len(PEOPLE))
        yield nodes
    except BaseException:
        print(nodes.logs())
        raise
    finally:
        nodes.stop()


def one(cluster, query, params=None, node="primary"):
    return cluster.sql(node, query, params)[0][0]


def count(cluster, table, where, params=None):
    return one(cluster, f"SELECT count(*) FROM {table} WHERE {where}", params)  # noqa: S608


def health(cluster):
    page = Browser(cluster.url).request("GET", "/healthz")
    return page.status, page.json


def replica_reads(cluster, node):
    """Statements that read the site's own tables on `node` since the counters were reset."""
    return one(
        cluster,
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
        "WHERE query ILIKE 'SELECT%%' AND query LIKE '%%agreements_%%'",
        node=node,
    )


def reset_statements(cluster):
    for node in ("primary", "replica"):
        cluster.sql(node, "SELECT pg_stat_statements_reset()")


def advance(cluster):
    """What the scheduler runs every minute."""
    return cluster.manage("advance")


def pass_deadline(cluster, amendment_id, column):
    cluster.sql(
        "primary",
        f"UPDATE agreements_amendment SET {column} = now() - interval '1 second' WHERE id = %s",  # noqa: S608 - fixed column names
        [amendment_id],
    )


def sign_up_and_join(cluster, username):
    person = Browser(cluster.url)
    response, join = person.submit(
        "/accounts/signup/",
        containing="username",
        username=username,
        password1=PASSWORD,
        password2=PASSWORD,
    )
    assert response.status == 302 and join.url == "/join/", (response.status, join.url)
    response, _ = person.submit("/join/", action="/join/", containing="complete")
    assert response.status == 302, response.text[:500]
    return person


def notified(cluster, *, item=None, comment=None):
    """Usernames notified of the news item or comment, with how many times each."""
    column, value = ("item_id", item) if item else ("comment_id", comment)
    return dict(
        cluster.sql(
            "primary",
            f"SELECT u.username, count(*) FROM news_notification n "  # noqa: S608 - fixed column
            f"JOIN members_user u ON u.id = n.recipient_id WHERE n.{column} = %s "
            "GROUP BY u.username",
            [value],
        )
    )


def test_a_journey_survives_killed_nodes_and_loses_nothing(cluster):
    all_ok = {"status": "ok", "database": "ok", "replica": "ok", "cache": "ok", "queue": "ok"}
    wait_until(lambda: health(cluster) == (200, all_ok), seconds=20, what="/healthz ok")
    slug = one(
        cluster,
        "SELECT slug FROM agreements_agreement WHERE NOT is_idea AND slug <> 'amendments' "
        "AND status = 'in_force' ORDER BY id LIMIT 1",
    )
    alice, bob, carol = people = [sign_up_and_join(cluster, name) for name in PEOPLE]
    for follower in (bob, carol):
        response, _ = follower.submit(
            f"/agreements/{slug}/", action="/follow/", containing="agreement"
        )
        assert response.status == 302

    # Alice proposes; the page she is sent to shows her proposal (read from the primary).
    form = alice.form(f"/amendments/new/?kind=change&agreement={slug}", containing="rationale")
    data = form.data(
        button="Publish the proposal",
        title="Say it twice",
        body=form.fields["body"] + "\n\nEverything we agree on is said twice.\n",
        rationale="Repetition helps.",
    )
    response, page = alice.post(form.action, data)
    assert response.status == 302, response.text[:800]
    amendment = int(re.search(r"/amendments/(\d+)/", response.headers["Location"])[1])
    assert "Say it twice" in page.text
    proposed = one(
        cluster,
        "SELECT id FROM news_newsitem WHERE event_key = %s",
        [f"amendment:{amendment}:proposed"],
    )
    wait_until(
        lambda: notified(cluster, item=proposed) == {"bob": 1, "carol": 1},
        seconds=30,
        what="the worker telling the agreement's followers",
    )

    # App server 1 dies: nginx passes requests to server 2, nobody notices.
    cluster.kill_app(0)
    amendment_url = f"/amendments/{amendment}/"
    response, page = bob.submit(
        amendment_url, containing="paragraph", body="Twice is **right**, from bob."
    )
    assert response.status == 302 and "Twice is <strong>right</strong>, from bob." in page.text

    # Anonymous reads are answered by the replica.
    cluster.wait_for_replica()
    reset_statements(cluster)
    visitor = Browser(cluster.url)
    for path in ("/", amendment_url, f"/agreements/{slug}/", "/amendments/", "/agreements/") * 2:
        assert visitor.get(path).status == 200, path
    on_replica, on_primary = replica_reads(cluster, "replica"), replica_reads(cluster, "primary")
    assert on_replica >= 10 and on_primary == 0, (on_replica, on_primary)

    # The worker dies in the middle of a task: carol's comment's fan-out, held up by a lock on
    # the notifications table (taken here) while it inserts. What it was doing, and what is
    # asked while no worker runs, waits in Redis.
    lock = cluster.connect("primary")
    try:
        lock.autocommit = False
        lock.cursor().execute("LOCK TABLE news_notification IN EXCLUSIVE MODE")
        response, page = carol.submit(amendment_url, containing="paragraph", body="Agreed, carol.")
        assert response.status == 302 and "Agreed, carol." in page.text
        wait_until(
            lambda: one(
                cluster,
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                """AND query ILIKE 'INSERT INTO "news_notification"%%'""",
            ),
            seconds=20,
            what="the worker's fan-out waiting on the lock",
        )
        cluster.kill_worker()
    finally:
        lock.rollback()
        lock.close()
    carols = one(cluster, "SELECT max(id) FROM agreements_comment WHERE body = 'Agreed, carol.'")
    time.sleep(1)
    assert notified(cluster, comment=carols) == {}, "fan-out ran without a worker"

    pass_deadline(cluster, amendment, "discussion_ends_at")
    assert f"#{amendment} voting" in advance(cluster)
    cluster.start_app(0)
    for person in people:
        response, page = person.submit(
            amendment_url, action=f"{amendment_url}vote/", button="Support"
        )
        assert response.status == 302 and "Your vote is recorded." in page.text
    cluster.start_worker()

    # A member reads their own write at once although the replica has stopped replaying; others
    # get it from the primary once the replica is known to lag.
    cluster.sql("replica", "SELECT pg_wal_replay_pause()")
    try:
        response, page = bob.submit(amendment_url, containing="paragraph", body="Still twice.")
        assert response.status == 302 and "Still twice." in page.text
        assert one(cluster, "SELECT count(*) FROM agreements_comment", node="replica") == 2
        wait_until(
            lambda: "Still twice." in Browser(cluster.url).get(amendment_url).text,
            seconds=20,
            what="a lagging replica left for the primary",
        )
    finally:
        cluster.sql("replica", "SELECT pg_wal_replay_resume()")

    pass_deadline(cluster, amendment, "voting_ends_at")
    assert f"#{amendment} adopted" in advance(cluster)
    pass_deadline(cluster, amendment, "effective_at")
    advance(cluster)
    version = one(cluster, "SELECT version FROM agreements_agreement WHERE slug = %s", [slug])
    assert version == 2
    cluster.wait_for_replica()
    assert "Everything we agree on is said twice." in visitor.get(f"/agreements/{slug}/").text

    for person in people:
        response, page = person.submit("/join/", action="/join/", button="Accept")
        assert response.status == 302, response.text[:500]

    # Every acknowledged write is on the primary.
    assert count(cluster, "members_user", "username = ANY(%s)", [list(PEOPLE)]) == 3
    assert count(cluster, "members_follow", "agreement_id IS NOT NULL") == 2
    assert count(cluster, "agreements_comment", "amendment_id = %s", [amendment]) == 3
    supported = "amendment_id = %s AND choice = 'support'"
    assert count(cluster, "agreements_vote", supported, [amendment]) == 3
    in_force = one(cluster, "SELECT count(*) FROM agreements_agreement WHERE status = 'in_force'")
    for name in PEOPLE:
        accepted = cluster.sql(
            "primary",
            "SELECT a.slug, c.version FROM members_acceptance c "
            "JOIN agreements_agreement a ON a.id = c.agreement_id "
            "JOIN members_user u ON u.id = c.member_id "
            "WHERE u.username = %s AND c.withdrawn_at IS NULL AND c.superseded_at IS NULL",
            [name],
        )
        assert len(accepted) == in_force and (slug, 2) in accepted, (name, accepted)

    # Every notification arrived, once, including those queued while the worker was dead.
    comments = dict(
        cluster.sql(
            "primary",
            "SELECT body, id FROM agreements_comment WHERE amendment_id = %s",
            [amendment],
        )
    )
    items = dict(
        cluster.sql(
            "primary",
            "SELECT event, id FROM news_newsitem WHERE amendment_id = %s AND event <> 'proposed'",
            [amendment],
        )
    )
    assert {"voting", "adopted"} <= set(items), items
    expected = {
        ("item", proposed): {"bob", "carol"},
        ("comment", comments["Twice is **right**, from bob."]): {"alice"},
        ("comment", comments["Agreed, carol."]): {"alice", "bob"},
        ("comment", comments["Still twice."]): {"alice", "carol"},
        **{("item", pk): set(PEOPLE) for pk in items.values()},
    }

    def delivered():
        got = {(kind, pk): notified(cluster, **{kind: pk}) for kind, pk in expected}
        return (
            all(
                who <= set(got[key]) and set(got[key].values()) == {1}
                for key, who in expected.items()
            )
            and got
        )

    got = wait_until(delivered, seconds=60, what="notifications after the worker's restart")
    assert all(set(counts.values()) == {1} for counts in got.values()), got
    duplicates = one(
        cluster,
        "SELECT count(*) FROM (SELECT 1 FROM news_notification "
        "GROUP BY recipient_id, item_id, comment_id HAVING count(*) > 1) d",
    )
    assert duplicates == 0

    # Both app servers answered, nginx passed requests from the dead one to the other, and no
    # request failed.
    browsers = [*people, visitor]
    assert len(set().union(*(b.upstreams for b in browsers))) == 2
    assert sum(b.passed_on for b in browsers) >= 1
    assert [failure for b in browsers for failure in b.failures] == []


def test_a_dump_restores_into_an_empty_database_with_every_row(cluster):
    """The backup procedure of docs/deploy.md, run: pg_dump the live primary, restore it into
    a new database, and find the same rows in every table."""
    dump = cluster.folder / "soglasie.dump"
    cluster.pg_dump(dump)
    cluster.sql("primary", "DROP DATABASE IF EXISTS restored", database="postgres")
    cluster.sql("primary", "CREATE DATABASE restored", database="postgres")
    cluster.pg_restore(dump, "restored")

    tables = [
        row[0]
        for row in cluster.sql(
            "primary",
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
        )
    ]
    assert "agreements_agreement" in tables and "members_user" in tables
    counts = {}
    for database in ("soglasie", "restored"):
        connection = cluster.connect("primary", database)
        try:
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - catalog names
                    counts.setdefault(table, []).append(cursor.fetchone()[0])
        finally:
            connection.close()
    assert counts["agreements_agreement"][0] > 0
    assert {table: pair for table, pair in counts.items() if pair[0] != pair[1]} == {}


def test_healthz_tells_the_balancer_the_truth_and_the_site_recovers(cluster):
    """Without the replica the site is degraded and still serves every page (from the primary);
    without the primary it is down (503), and it comes back with it."""
    wait_until(lambda: health(cluster)[1]["status"] == "ok", seconds=20, what="healthy")
    visitor = Browser(cluster.url)

    cluster.stop_postgres("replica")
    try:
        status, report = health(cluster)
        assert (status, report["status"], report["replica"]) == (200, "degraded", "down")
        for path in ("/", "/agreements/", "/amendments/", "/news/"):
            assert visitor.get(path).status == 200, path

        cluster.stop_postgres("primary", kill=True)
        status, report = health(cluster)
        assert (status, report["status"], report["database"]) == (503, "down", "down")
        assert set(report) == {"status", "database", "replica", "cache", "queue"}
    finally:
        cluster.start_postgres("primary")
        cluster.start_replica()
    wait_until(lambda: health(cluster)[0] == 200, seconds=30, what="the site back")
    assert visitor.get("/").status == 200
