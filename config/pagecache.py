"""Whole public pages kept in the cache for anonymous visitors, and answered with 304 when the
visitor already has them.

Every public page shows only what the database holds, so one value says whether a kept page is
still true: the site's *generation*, which changes with every committed write to a table that a
public page can show. It moves in one place, below all the code: `watch_writes` sees every
INSERT, UPDATE and DELETE a connection runs (services, signals, bulk updates and raw SQL alike),
and the generation moves when that transaction commits, or at the latest when the request that
wrote ends. A new comment, vote, news item, adoption or acceptance therefore makes every kept page
stale at once; no view has to know which pages it changed. Only tables no public page reads
(sessions, notifications, thread visits, login attempts) are left out.

What changes with time alone (a deadline passing before `advance` writes, "3 hours left") is kept
at most `PAGE_CACHE_SECONDS` (30 s by default). The generation must be shared by every process
that writes or serves, so pages are kept by default only when the cache is Redis.

A page is kept only when it cannot belong to one visitor: a GET without a session or messages
cookie (so never for a logged-in member, whose session cookie is always sent), answered 200 with
no cookie set and no message shown, varying on nothing but the language. The key holds the full
address and the language; a kept page is served only under the generation it was rendered in,
read before rendering, so a write during rendering leaves it unused.
"""

import hashlib
import re
import secrets
import threading
import time
from datetime import UTC, datetime
from functools import partial

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connections, transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language_from_request
from django.views.decorators.http import condition

GENERATION_KEY = "pages:generation"

# Tables that no public page shows: writing them leaves every kept page true.
PRIVATE_TABLES = frozenset(
    {
        "django_session",
        "members_threadvisit",
        "news_notification",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
    }
)
WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)

# Headers a kept page may vary on: the session cookie and language are in the key already.
KEPT_VARY = frozenset({"cookie", "accept-language", "accept-encoding"})


# The generation this thread's request began in, while the request has written nothing public
# (None otherwise, and outside requests): what `for_generation` may trust.
_request = threading.local()
_memo = {}


def page_seconds():
    return settings.PAGE_CACHE_SECONDS


def current_generation():
    """The generation now (starting one if the cache lost it)."""
    generation = cache.get(GENERATION_KEY)
    return generation if generation is not None else bump_generation()


def bump_generation():
    """Every kept page is stale from now on. A generation is (when, a random token): the
    token tells two generations apart even within one clock tick."""
    generation = (time.time_ns(), secrets.token_hex(6))
    cache.set(GENERATION_KEY, generation, None)
    return generation


def _publish(connection):
    if getattr(connection, "public_change_pending", False):
        connection.public_change_pending = False
        bump_generation()


def publish_pending_changes():
    """Bump the generation if a write since the last bump is not yet published (a request's
    own writes, or writes made between requests in the same thread, as tests do)."""
    for connection in connections.all(initialized_only=True):
        _publish(connection)


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    match = WRITE.match(sql)
    if match and match.group(1) not in PRIVATE_TABLES:
        _request.generation = None
        connection = context["connection"]
        connection.public_change_pending = True
        if not connection.in_atomic_block:
            _publish(connection)
        else:
            _publish_on_commit(connection)
    return result


def _publish_on_commit(connection):
    """Once per transaction (again if a rolled-back savepoint took the first one away)."""
    callback = getattr(connection, "publish_public_change", None)
    if callback is None:
        callback = connection.publish_public_change = partial(_publish, connection)
    if not any(entry[1] is callback for entry in connection.run_on_commit):
        transaction.on_commit(callback, using=connection.alias)


def watch_writes(sender, connection, **kwargs):
    """`connection_created` receiver: put `_watch` around every statement of the connection.
    First in the list, so that a test's own `execute_wrapper` (which pops the last) is undone
    cleanly."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)


def for_generation(name, compute, still_true=None):
    """`compute()`, computed once per process for the generation the current request began in
    (site-wide values such as the editions or the procedure, read many times per page).
    Outside a request, after the request wrote, or with page caching off, always computed.
    `still_true(value)`, if given, may refuse a kept value (one that expires with time)."""
    generation = getattr(_request, "generation", None)
    if generation is None:
        return compute()
    kept = _memo.get(name)
    stamp = (generation, _window())
    if kept is not None and kept[0] == stamp and (still_true is None or still_true(kept[1])):
        return kept[1]
    value = compute()
    _memo[name] = (stamp, value)
    return value


def for_generation_shared(key, compute, seconds):
    """Like `for_generation`, kept in the shared cache (for values of one member, too many to
    keep in each process): one cache round trip instead of the queries `compute` makes."""
    generation = getattr(_request, "generation", None)
    if generation is None:
        return compute()
    kept = cache.get(key)
    stamp = (generation, _window())
    if kept is not None and kept[0] == stamp:
        return kept[1]
    value = compute()
    cache.set(key, (stamp, value), seconds)
    return value


def is_anonymous_request(request):
    """A request that carries nothing of one visitor: no session, no pending messages, no
    credentials. (The CSRF and language cookies are not a visitor's data.)"""
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _window():
    """The current time window of PAGE_CACHE_SECONDS: whatever is kept is kept within one window
    (so what changes with time alone is at most that late, whichever way a test moves the
    clock)."""
    return int(time.time() // max(page_seconds(), 1))


def _freshness(generation):
    """(ETag, Last-Modified) of any public page under `generation`: it changes with the
    generation, and also every PAGE_CACHE_SECONDS, so that what changes with time alone is not
    kept longer by the browser than by us."""
    seconds = max(page_seconds(), 1)
    window = _window()
    changed = max(generation[0] // 1_000_000_000, window * seconds)
    return f'"{generation[1]}-{window:x}"', changed


def public_etag(request, *args, **kwargs):
    if not (page_seconds() and is_anonymous_request(request)):
        return None
    etag, _changed = _freshness(current_generation())
    return f'{etag[:-1]}-{get_language_from_request(request)}"'


def public_last_modified(request, *args, **kwargs):
    if not (page_seconds() and is_anonymous_request(request)):
        return None
    _etag, changed = _freshness(current_generation())
    return datetime.fromtimestamp(changed, tz=UTC)


# Conditional GET for public pages (agreement, version, diff, history, feeds): a visitor who has
# the page gets 304 without it being rendered. Logged-in pages carry the member's own header, so
# they are always sent whole.
public_condition = condition(etag_func=public_etag, last_modified_func=public_last_modified)


def _key(request, language):
    address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"pages:{language}:{address}"


def _keepable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-store", "no-cache")):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if not vary <= KEPT_VARY:
        return False
    storage = getattr(request, "_messages", None)
    return not (storage is not None and getattr(storage, "added_new", False))


def _maybe_behind(generation):
    """Whether this request read a replica that may not hold the write that began `generation`:
    a replica in use lags at most the lag limit, as of a probe at most one check interval old.
    Kept under the new generation, such a page would hide that write until the window ends."""
    from config.db_router import current_replica_reads

    reads = current_replica_reads()
    if reads is None or reads.alias is None:
        return False
    age = time.time() - generation[0] / 1e9
    return age < settings.DATABASE_REPLICA_MAX_LAG_SECONDS + settings.DATABASE_REPLICA_CHECK_SECONDS


class AnonymousPageCacheMiddleware:
    """Serves anonymous GETs from the cache and keeps what it may (see the module docstring).
    Placed before the session, so that a kept page costs one cache round trip."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        publish_pending_changes()
        try:
            if not page_seconds():
                return self.get_response(request)
            if request.method == "GET" and is_anonymous_request(request):
                return self._anonymous(request)
            _request.generation = current_generation()
            return self.get_response(request)
        finally:
            _request.generation = None
            publish_pending_changes()

    def _anonymous(self, request):
        language = get_language_from_request(request)
        key = _key(request, language)
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            generation = bump_generation()
        kept = found.get(key)
        if kept is not None and kept[0] == (generation, _window()):
            return self._served(request, kept)
        _request.generation = generation
        response = self.get_response(request)
        _request.generation = None
        publish_pending_changes()
        if _keepable(request, response) and not _maybe_behind(generation):
            self._keep(key, generation, language, response)
        return response

    def _keep(self, key, generation, language, response):
        if not response.has_header("ETag"):
            etag, changed = _freshness(generation)
            response["ETag"] = f'{etag[:-1]}-{language}"'
            response["Last-Modified"] = http_date(changed)
        headers = [(k, v) for k, v in response.items() if k.lower() != "x-page-cache"]
        cache.set(key, ((generation, _window()), response.content, headers), page_seconds())
        response["X-Page-Cache"] = "miss"

    def _served(self, request, kept):
        _stamp, content, headers = kept
        response = HttpResponse(content, headers=dict(headers))
        response["X-Page-Cache"] = "hit"
        answer = get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
            response=response,
        )
        if answer is not response:
            # Django's 304 keeps only the validators and caching headers; a page of another
            # origin reading the API needs the CORS headers on the 304 as on the 200.
            for name, value in headers:
                if name.lower().startswith("access-control-"):
                    answer[name] = value
        return answer
