"""Page latency and queries per page, on a small community and on a large one, in one run.

    .venv/bin/python bench/pages.py                       # SQLite file, scale 0.05
    .venv/bin/python bench/pages.py --scale 1 \\
        --database postgres://postgres@127.0.0.1:5432/soglasie_bench

Scale 1 is the design's target data (docs/performance.md): 1,000,000 members and acceptances,
100 agreements x 50 versions, 10,000 amendments, 200,000 comments, 50,000 news items. The small
community (the demo) is the baseline: the ratio large/small shows whether a page's cost grows
with the data. It also compares keyset pagination of the news with OFFSET pagination at the
same depth. The database given is dropped and recreated: never point it at real data.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure(database):
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.conf import settings

    # Production settings otherwise (DEBUG off: no query log slowing every query down), but
    # static files are not collected for a bench run.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def fresh_database(database):
    if database.startswith("sqlite:///"):
        path = Path(database.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg2

    base, name = database.rsplit("/", 1)
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def measure(client, path, repeats):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm caches, as a real server would be
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    timings.sort()
    return {
        "p50": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
        "queries": len(queries),
    }


def pages():
    from django.db.models import Count

    from agreements.models import Agreement, Amendment
    from occasions.models import Occasion

    agreement = Agreement.objects.filter(slug="tool-library").first()
    amendment = (
        Amendment.objects.filter(phase="voting")
        .annotate(comments_n=Count("comments"))
        .order_by("-comments_n")
        .first()
    )
    versions = agreement.version
    return {
        "home": "/",
        "agreements": "/agreements/",
        "agreement": agreement.get_absolute_url(),
        "history": f"/agreements/{agreement.slug}/history/",
        "diff": f"/agreements/{agreement.slug}/diff/1..{versions}/",
        "community": "/community/",
        "amendments": "/amendments/",
        "amendment": amendment.get_absolute_url(),
        "news": "/news/",
        "news feed": "/news/feed.atom",
        "agreements as of": f"/agreements/?as_of={agreement.effective_at:%Y-%m-%d}",
        "occasions": "/occasions/",
        "occasion": Occasion.objects.filter(speaker__isnull=False).first().get_absolute_url(),
    }


def grow(scale, seed=7):
    """Add the large community's data in bulk, then rebuild the counters from it."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from agreements.models import Agreement, Amendment, Comment
    from agreements.services import create_agreement, publish_version
    from members.models import Acceptance, User
    from members.services import rebuild_counters
    from news.models import NewsItem

    rng = random.Random(seed)
    now = timezone.now()
    members = int(1_000_000 * scale)
    agreements = max(int(100 * scale), 5)
    versions = 50
    print(f"growing: {members:,} members, {agreements} agreements x {versions} versions, "
          f"{int(10_000 * scale):,} amendments, {int(200_000 * scale):,} comments, "
          f"{int(50_000 * scale):,} news items", flush=True)  # fmt: skip

    started = time.perf_counter()
    paragraphs = [f"Clause {n}: members agree to point {n} of this text." for n in range(40)]
    tools = Agreement.objects.get(slug="tool-library")
    for number in range(versions - tools.version):
        with transaction.atomic():
            body = "\n\n".join(paragraphs[: 20 + number % 20]) + f"\n\nRevision {number}."
            publish_version(agreement=tools, body=body, note=f"Bench change {number}.")
    for n in range(agreements):
        with transaction.atomic():
            agreement = create_agreement(
                title=f"Bench agreement {n}", body="\n\n".join(paragraphs[:10]), origin="own"
            )
            for number in range(versions - 1):
                publish_version(
                    agreement=agreement,
                    body="\n\n".join(paragraphs[: 10 + number % 30]),
                    note=f"Change {number}.",
                )
    print(f"  agreements and versions: {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    password = make_password("bench-password-2026")
    in_force = list(Agreement.objects.in_force().values_list("id", "version"))
    batch = 10_000
    for first in range(0, members, batch):
        users = User.objects.bulk_create(
            User(
                username=f"bench{n}",
                password=password,
                joined_at=now - timedelta(days=rng.randint(0, 700)),
                followed_at=now - timedelta(days=rng.randint(0, 400)),
                last_action_at=now - timedelta(days=rng.randint(0, 400)),
            )
            for n in range(first, min(first + batch, members))
        )
        # One acceptance per member (of the idea), as the design's million acceptances.
        Acceptance.objects.bulk_create(
            Acceptance(member=user, agreement_id=in_force[0][0], version=in_force[0][1])
            for user in users
        )
    print(f"  members and acceptances: {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    authors = list(
        User.objects.filter(username__startswith="bench").values_list("id", flat=True)[:1000]
    )
    agreement_ids = list(Agreement.objects.values_list("id", "version"))
    amendment_objects = []
    for n in range(int(10_000 * scale)):
        agreement_id, version = rng.choice(agreement_ids)
        proposed = now - timedelta(days=rng.randint(20, 700))
        amendment_objects.append(
            Amendment(
                kind="change", agreement_id=agreement_id, base_version=version,
                title=f"Bench amendment {n}", proposed_title="Bench", body="Text.\n",
                body_html="<p>Text.</p>", rationale="Because.", rationale_html="<p>Because.</p>",
                author_id=rng.choice(authors),
                phase=rng.choice(["adopted", "rejected", "withdrawn"]),
                proposed_at=proposed, discussion_ends_at=proposed + timedelta(days=7),
                voting_ends_at=proposed + timedelta(days=14),
                decided_at=proposed + timedelta(days=14),
                discussion_days=7, voting_days=7, quorum_percent=5, quorum_minimum=3,
                threshold_percent=50, effect_delay_days=3,
            )
        )  # fmt: skip
    Amendment.objects.bulk_create(amendment_objects, batch_size=2000)
    busy = (
        Amendment.objects.filter(phase="voting")
        .annotate(comments_n=Count("comments"))
        .order_by("-comments_n")
        .first()
    )
    Comment.objects.bulk_create(
        (
            Comment(
                amendment=busy if n % 200 == 0 else amendment_objects[n % len(amendment_objects)],
                author_id=rng.choice(authors),
                revision=1,
                body=f"Bench comment {n}.",
                body_html=f"<p>Bench comment {n}.</p>",
                created_at=now - timedelta(minutes=n),
            )
            for n in range(int(200_000 * scale))
        ),
        batch_size=5000,
    )
    NewsItem.objects.bulk_create(
        (
            NewsItem(
                kind="post", title=f"Bench post {n}", body="Text.", body_html="<p>Text.</p>",
                author_id=rng.choice(authors),
                published_at=now - timedelta(seconds=n * 30 // 7),  # ties on purpose
            )
            for n in range(int(50_000 * scale))
        ),
        batch_size=5000,
    )  # fmt: skip
    rebuild_counters()
    from django.db import connection

    if connection.vendor == "postgresql":  # as autovacuum would after such a load
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  amendments, comments, news: {time.perf_counter() - started:.0f} s", flush=True)


def news_pagination(repeats):
    """Keyset page at the end of the news against OFFSET at the same depth."""
    from django.test import Client

    from news.models import NewsItem
    from news.selectors import PAGE_SIZE, make_cursor

    total = NewsItem.objects.count()
    depth = max(total - PAGE_SIZE - 1, 0)
    anchor = NewsItem.objects.order_by("-published_at", "-id")[depth]
    client = Client()
    keyset = measure(client, f"/news/?before={make_cursor(anchor, 'published_at')}", repeats)

    def offset_page():
        return list(NewsItem.objects.order_by("-published_at", "-id")[depth : depth + PAGE_SIZE])

    offset_page()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        offset_page()
        timings.append((time.perf_counter() - start) * 1000)
    keyset_query = []
    for _ in range(repeats):
        start = time.perf_counter()
        list(
            NewsItem.objects.filter(published_at__lt=anchor.published_at).order_by(
                "-published_at", "-id"
            )[:PAGE_SIZE]
        )
        keyset_query.append((time.perf_counter() - start) * 1000)
    return total, depth, keyset, statistics.median(keyset_query), statistics.median(timings)


def report(title, small, large):
    print(f"\n{title}")
    print(f"{'page':<12} {'small p50':>10} {'large p50':>10} {'large p95':>10} {'ratio':>6} "
          f"{'queries':>9}")  # fmt: skip
    for name in small:
        s, b = small[name], large[name]
        queries = f"{s['queries']}→{b['queries']}"
        print(f"{name:<12} {s['p50']:>8.1f}ms {b['p50']:>8.1f}ms {b['p95']:>8.1f}ms "
              f"{b['p50'] / s['p50']:>6.2f} {queries:>9}")  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    fresh_database(args.database)
    configure(args.database)
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    client = Client()
    paths = pages()
    small = {name: measure(client, path, args.repeats) for name, path in paths.items()}
    grow(args.scale)
    paths = pages()
    large = {name: measure(client, path, args.repeats) for name, path in paths.items()}
    report(
        f"Pages, demo community → scale {args.scale} ({args.database.split(':')[0]})", small, large
    )

    total, depth, keyset, keyset_query, offset = news_pagination(args.repeats)
    print(f"\nNews pagination at depth {depth:,} of {total:,} items:")
    print(f"  /news/?before=… (keyset, whole page)  p50 {keyset['p50']:.1f} ms, "
          f"{keyset['queries']} queries")  # fmt: skip
    print(f"  keyset query alone                    p50 {keyset_query:.2f} ms")
    print(f"  OFFSET query at the same depth        p50 {offset:.2f} ms "
          f"(ratio OFFSET/keyset {offset / keyset_query:.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
