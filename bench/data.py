"""The bench's data: its own database (guarded by name), the grown community, the key pages'
paths, and accounts prepared in bulk for the write paths. Shared by bench/pages.py and bench/run.

Everything here is done in the bench's process, with Django set up against the bench database;
nothing here sends a request.
"""

import os
import random
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# bench/run drops and recreates the database it is given: only a database named for it.
BENCH_DATABASE_PREFIX = "soglasie_bench"
BUSY_AMENDMENT_COMMENTS = 1000
BENCH_PASSWORD = "bench-password-2026"
MARKER_TABLE = "bench_marker"


class NotABenchDatabase(Exception):
    pass


def bench_database_name(url):
    """The name of the PostgreSQL database `url` points at, if it is one of the bench's own
    (named `soglasie_bench…`); anything else is refused, before any connection is made."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise NotABenchDatabase(
            f"the bench needs PostgreSQL (postgres://…/{BENCH_DATABASE_PREFIX}…), not {url!r}"
        )
    name = parts.path.lstrip("/")
    if not name.startswith(BENCH_DATABASE_PREFIX):
        raise NotABenchDatabase(
            f"refusing database {name!r}: the bench drops and recreates its database, so it only "
            f"uses one whose name starts with {BENCH_DATABASE_PREFIX!r}"
        )
    return name


def configure(database, settings_module="config.settings"):
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.conf import settings

    # Production settings otherwise (DEBUG off: no query log slowing every query down), but
    # static files are not collected for the test client.
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
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def loaded_scale(database):
    """The scale the bench database was last loaded at (its marker table), or None."""
    import psycopg2

    try:
        connection = psycopg2.connect(database)
    except psycopg2.OperationalError:
        return None  # no such database yet
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute(f"SELECT scale FROM {MARKER_TABLE} ORDER BY loaded_at DESC LIMIT 1")  # noqa: S608
            row = cursor.fetchone()
            return row[0] if row else None
    finally:
        connection.close()


def mark_loaded(scale):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} "
            "(scale double precision NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(f"INSERT INTO {MARKER_TABLE} (scale) VALUES (%s)", [scale])  # noqa: S608


def build(scale):
    """The demo community, grown to `scale` (Django set up on an empty database)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    grow(scale)


def page_paths():
    """The key pages, by name: every page bench/pages.py and bench/run measure."""
    from agreements.models import Agreement
    from news.models import NewsItem
    from news.selectors import PAGE_SIZE, make_cursor
    from occasions.models import Occasion

    agreement = Agreement.objects.filter(slug="tool-library").first()
    amendment = busy_amendment()
    versions = agreement.version
    news = NewsItem.objects.order_by("-published_at", "-id")
    depth = max(news.count() - PAGE_SIZE - 1, 0)
    anchor = news[depth]
    occasion = Occasion.objects.filter(speaker__isnull=False).first()
    paths = {
        "home": "/",
        "agreements": "/agreements/",
        "agreement": agreement.get_absolute_url(),
        "version": f"/agreements/{agreement.slug}/v/{max(versions // 2, 1)}/",
        "history": f"/agreements/{agreement.slug}/history/",
        "diff": f"/agreements/{agreement.slug}/diff/1..{versions}/",
        "community": "/community/",
        "amendments": "/amendments/",
        "amendment": amendment.get_absolute_url(),
        "news": "/news/",
        "news deep": f"/news/?before={make_cursor(anchor, 'published_at')}",
        "news feed": "/news/feed.atom",
        "members": "/members/",
        "profile": amendment.author.get_absolute_url(),
        "search": "/search/?q=members",
        "agreements as of": f"/agreements/?as_of={agreement.effective_at:%Y-%m-%d}",
        "occasions": "/occasions/",
    }
    if occasion is not None:
        paths["occasion"] = occasion.get_absolute_url()
    return paths


def busy_amendment():
    """The amendment in voting with the longest discussion: grown to 1,000 comments."""
    from django.db.models import Count

    from agreements.models import Amendment

    return (
        Amendment.objects.filter(phase="voting")
        .annotate(comments_n=Count("comments"))
        .order_by("-comments_n", "id")
        .first()
    )


def discussed_amendment():
    """An amendment open for comments, for the comment write path."""
    from agreements.models import Amendment

    for amendment in Amendment.objects.filter(phase__in=Amendment.OPEN_PHASES).order_by("id"):
        if amendment.is_open_for_comments():
            return amendment
    return None


def grow(scale, seed=7):
    """Add the large community's data in bulk, then rebuild the counters from it."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from agreements.models import Agreement, Amendment, Comment
    from agreements.services import create_agreement, publish_version
    from members.models import Acceptance, User
    from members.services import rebuild_counters
    from news.models import NewsItem

    rng = random.Random(seed)
    now = timezone.now()
    members = int(1_000_000 * scale)
    agreements = max(int(100 * scale), 1)
    versions = 50
    comments = max(int(200_000 * scale), BUSY_AMENDMENT_COMMENTS)
    print(f"growing: {members:,} members, {agreements} agreements x {versions} versions, "
          f"{int(10_000 * scale):,} amendments, {comments:,} comments, "
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
    password = make_password(BENCH_PASSWORD)
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
    ) or list(User.objects.values_list("id", flat=True)[:1000])
    agreement_ids = list(Agreement.objects.values_list("id", "version"))
    amendment_objects = []
    for n in range(max(int(10_000 * scale), 1)):
        agreement_id, version = rng.choice(agreement_ids)
        proposed = now - timedelta(days=rng.randint(20, 700))
        phase = rng.choice(["adopted", "rejected", "withdrawn"])
        # Closed long ago: an adopted one took effect (else every page announcing changes to
        # come would list hundreds), a withdrawn one was withdrawn during its discussion.
        effective = proposed + timedelta(days=17) if phase == "adopted" else None
        withdrawn = proposed + timedelta(days=3) if phase == "withdrawn" else None
        amendment_objects.append(
            Amendment(
                kind="change", agreement_id=agreement_id, base_version=version,
                title=f"Bench amendment {n}", proposed_title="Bench", body="Text.\n",
                body_html="<p>Text.</p>", rationale="Because.", rationale_html="<p>Because.</p>",
                author_id=rng.choice(authors),
                phase=phase, effective_at=effective, applied_at=effective,
                withdrawn_at=withdrawn,
                proposed_at=proposed, discussion_ends_at=proposed + timedelta(days=7),
                voting_ends_at=proposed + timedelta(days=14),
                decided_at=proposed + timedelta(days=14),
                discussion_days=7, voting_days=7, quorum_percent=5, quorum_minimum=3,
                threshold_percent=50, effect_delay_days=3,
            )
        )  # fmt: skip
    Amendment.objects.bulk_create(amendment_objects, batch_size=2000)
    # One amendment in voting gets 1,000 top-level comments at any scale: its first thread
    # page is a key page of the bench.
    busy = busy_amendment()
    stride = comments // BUSY_AMENDMENT_COMMENTS
    Comment.objects.bulk_create(
        (
            Comment(
                amendment=busy if n % stride == 0 else rng.choice(amendment_objects),
                author_id=rng.choice(authors),
                revision=1,
                body=f"Bench comment {n}.",
                body_html=f"<p>Bench comment {n}.</p>",
                created_at=now - timedelta(minutes=n),
            )
            for n in range(comments)
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
    analyze()
    print(f"  amendments, comments, news: {time.perf_counter() - started:.0f} s", flush=True)


def analyze():
    from django.db import connection

    if connection.vendor == "postgresql":  # as autovacuum would after a bulk load
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# -- accounts for the write paths and the logged-in pages --------------------------------------


def prepare_members(prefix, count, *, in_good_standing):
    """`count` new accounts named `<prefix><n>`, in bulk. In good standing: members who accepted
    every agreement in force (voters, commenters, the logged-in reader); otherwise people with
    an account who have not joined yet (each accepts the agreements once)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from agreements.models import Agreement, Edition
    from members.models import Acceptance, User

    now = timezone.now()
    password = make_password(BENCH_PASSWORD)
    edition = Edition.current_number() if in_good_standing else 0
    users = User.objects.bulk_create(
        (
            User(
                username=f"{prefix}{n}",
                password=password,
                joined_at=now if in_good_standing else None,
                standing_edition=edition,
                followed_at=now if in_good_standing else None,
            )
            for n in range(count)
        ),
        batch_size=5000,
    )
    if in_good_standing:
        in_force = list(Agreement.objects.in_force().values_list("id", "version"))
        Acceptance.objects.bulk_create(
            (
                Acceptance(member=user, agreement_id=agreement, version=version)
                for user in users
                for agreement, version in in_force
            ),
            batch_size=10_000,
        )
    return users


def recount():
    """The counters rebuilt from the rows, after accounts were added in bulk."""
    from members.services import rebuild_counters

    rebuild_counters()
    analyze()


def open_sessions(users):
    """A logged-in session for each user, written to the session store in bulk as a login
    would write it; the cookie values, in order. (Logging in thousands of accounts through the
    form would spend minutes hashing passwords, which is not the write being measured.)"""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    def data(user):
        return {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }

    engine = import_module(settings.SESSION_ENGINE)
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        keys = []
        for user in users:  # another store: one session at a time, as a login would
            session = engine.SessionStore()
            session.update(data(user))
            session.create()
            keys.append(session.session_key)
        return keys
    store = engine.SessionStore()
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    keys = [secrets.token_hex(16) for _ in users]
    Session.objects.bulk_create(
        (
            Session(
                session_key=key,
                session_data=store.encode(data(user)),
                expire_date=expires,
            )
            for key, user in zip(keys, users, strict=True)
        ),
        batch_size=5000,
    )
    return keys
