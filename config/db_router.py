"""Reads on the read replicas, writes on the primary, and a member reads their own writes.

With DATABASE_REPLICA_URLS set, settings.py defines the aliases `replica1`, `replica2`… and
installs `ReplicaRouter`. A read goes to a replica only inside a safe request (GET, HEAD…) that
`config.middleware.ReplicaMiddleware` has not pinned to the primary; everything else — every
write, every migration, non-safe requests, the browser that wrote within the last
READ_YOUR_WRITES_SECONDS, a transaction already open on the primary, tasks and management
commands — uses the primary. Outside a request nothing has opted in, so a task or a command can
never read stale rows by accident. Which replicas may be used is `config.health` 's decision: a
replica that is down or lags more than DATABASE_REPLICA_MAX_LAG_SECONDS is skipped.
"""

import contextvars
import random
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections

from config import health


@dataclass
class ReplicaReads:
    """One safe request's permission to read from a replica, and which one it chose.

    The choice is made at the first read and kept for the whole request, so two queries of one
    page never see two replicas at different points of the past.
    """

    alias: str | None = None
    chosen: bool = False
    failed: bool = False

    def replica(self):
        if not self.chosen:
            usable = health.usable_replicas()
            self.alias = random.choice(usable) if usable else None  # noqa: S311 - spreading load
            self.chosen = True
        return self.alias


# None: every read goes to the primary (the default, outside requests and when pinned).
_replica_reads = contextvars.ContextVar("replica_reads", default=None)


@contextmanager
def reads_from_replicas(reads):
    token = _replica_reads.set(reads)
    try:
        yield reads
    finally:
        _replica_reads.reset(token)


@contextmanager
def use_primary():
    """Everything inside reads from the primary (tasks, commands, requests that write)."""
    token = _replica_reads.set(None)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def current_replica_reads():
    return _replica_reads.get()


def _in_primary_transaction():
    """A transaction open on the primary reads what it writes, so its reads stay there too.
    (A test's own wrapping transaction is not one the code opened.)"""
    return any(not block._from_testcase for block in connections["default"].atomic_blocks)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        reads = _replica_reads.get()
        if reads is None or _in_primary_transaction():
            return "default"
        return reads.replica() or "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias holds the same data: a row read from a replica relates to one on the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
