"""How each part of the site's machinery is: the primary database, the replicas, the cache and
the queue, for `/healthz` and for the replica router.

Every probe gives up after PROBE_TIMEOUT_SECONDS and answers with a word only ("ok", "lagging",
"down", "off"): what went wrong goes to the log, never to whoever asked. Databases are probed on
a connection of the probe's own, opened with short timeouts and closed at once, so a probe never
waits as long as a request may and never disturbs a request's connection or transaction.
"""

import logging
import os
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.utils import load_backend

log = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2

# How far behind the primary a PostgreSQL standby is, in seconds. A standby that has replayed all
# the WAL it received is not behind, however long ago the last write was; NULL (it is replaying
# but has never replayed a transaction) counts as lagging. A server that is not a standby at all
# is as current as can be.
REPLICA_LAG_SQL = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
    END
"""


def _probe_connection(alias):
    settings_dict = {**connections[alias].settings_dict}
    options = {**settings_dict.get("OPTIONS", {})}
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        options["connect_timeout"] = PROBE_TIMEOUT_SECONDS
        options["options"] = f"-c statement_timeout={PROBE_TIMEOUT_SECONDS * 1000}"
    elif settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        options["timeout"] = PROBE_TIMEOUT_SECONDS
    settings_dict["OPTIONS"] = options
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)


def _ask(alias, sql):
    connection = _probe_connection(alias)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]
    finally:
        connection.close()


def database_state():
    try:
        _ask("default", "SELECT 1")
    except Exception as error:
        log.warning("health: the primary database is unreachable: %s", error)
        return "down"
    return "ok"


def replica_state(alias):
    """Probe one replica now: "ok", "lagging" or "down". A change is logged (once, not at every
    probe), with what went wrong."""
    sql = REPLICA_LAG_SQL if connections[alias].vendor == "postgresql" else "SELECT 0"
    try:
        lag = _ask(alias, sql)
    except Exception as error:
        state, detail = "down", f"unreachable: {error}"
    else:
        if lag is None or float(lag) > settings.DATABASE_REPLICA_MAX_LAG_SECONDS:
            state, detail = "lagging", f"{lag} s behind the primary"
        else:
            state, detail = "ok", "back in use"
    previous = _known_replica_states.get(alias, (0, "ok"))[1]
    if state != previous:
        log.warning("health: replica %s is %s: %s", alias, state, detail)
    _known_replica_states[alias] = (
        time.monotonic() + settings.DATABASE_REPLICA_CHECK_SECONDS,
        state,
    )
    return state


# alias → (until when the state is trusted, on the monotonic clock; state), for this process.
_known_replica_states = {}


def _recent_replica_state(alias):
    known = _known_replica_states.get(alias)
    if known is not None and known[0] > time.monotonic():
        return known[1]
    return replica_state(alias)


def usable_replicas():
    """The replicas a read may use now: reachable and not lagging, as probed within the last
    DATABASE_REPLICA_CHECK_SECONDS by this process."""
    return [alias for alias in settings.DATABASE_REPLICAS if _recent_replica_state(alias) == "ok"]


def mark_replica_down(alias):
    """A query on `alias` just failed: leave it alone until the next probe is due."""
    log.warning("health: replica %s failed during a request; reading from the primary", alias)
    _known_replica_states[alias] = (
        time.monotonic() + settings.DATABASE_REPLICA_CHECK_SECONDS,
        "down",
    )


def forget_replica_states():
    _known_replica_states.clear()


def replicas_state():
    """The worst state among the configured replicas, probed now; "off" without replicas."""
    states = {replica_state(alias) for alias in settings.DATABASE_REPLICAS}
    for state in ("down", "lagging", "ok"):
        if state in states:
            return state
    return "off"


def cache_state():
    # A key of this process and thread alone, so concurrent probes cannot disturb each other.
    key = f"healthz:{os.getpid()}:{threading.get_ident()}"
    value = str(time.monotonic())
    try:
        cache.set(key, value, 30)
        answered = cache.get(key)
    except Exception as error:
        log.warning("health: the cache is unreachable: %s", error)
        return "down"
    return "ok" if answered == value else "down"


def queue_state():
    if not settings.CELERY_BROKER_URL:
        return "off"
    from config.tasks import broker_reachable

    return "ok" if broker_reachable(timeout=PROBE_TIMEOUT_SECONDS) else "down"


def report():
    """What `/healthz` says: one word per part and an overall status. Only the primary
    database being down makes the site "down"; anything else configured and not well makes it
    "degraded" (the site still answers, from the primary, without cache, inline)."""
    parts = {
        "database": database_state(),
        "replica": replicas_state(),
        "cache": cache_state(),
        "queue": queue_state(),
    }
    if parts["database"] == "down":
        status = "down"
    elif any(state in ("down", "lagging") for state in parts.values()):
        status = "degraded"
    else:
        status = "ok"
    return {"status": status, **parts}
