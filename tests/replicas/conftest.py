"""Read replicas for the tests: two more database aliases, `replica_up` and `replica_down`.

Both are test mirrors of the default database (Django creates nothing for them): `replica_up`
is a second connection to the test database itself, so it sees exactly what has been
committed, as a real standby does once it has caught up (the tests therefore commit:
`transaction=True`). `replica_down` points at a server that is not there — a closed port on
PostgreSQL, a file in a directory that does not exist on SQLite — while a test uses it.
"""

import copy

import pytest
from django.db import connections

from config import health

UP, DOWN = "replica_up", "replica_down"

for _alias in (UP, DOWN):
    _settings = copy.deepcopy(connections.settings["default"])
    _settings["TEST"] = {**_settings["TEST"], "MIRROR": "default"}
    connections.settings.setdefault(_alias, _settings)

# Tests that use them say so; they commit, so the replica connection sees their rows.
replica_db = pytest.mark.django_db(transaction=True, databases=["default", UP, DOWN])


def unreachable(settings_dict):
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        return {**settings_dict, "HOST": "127.0.0.1", "PORT": "1"}  # nothing listens on port 1
    return {**settings_dict, "NAME": "/nonexistent-directory/replica.sqlite3"}


def make_unreachable(alias):
    """The replica's server goes away (while the site may still believe it is there)."""
    connection = connections[alias]
    connection.close()
    connection.settings_dict = unreachable(connection.settings_dict)


@pytest.fixture
def replicas(settings):
    """`replicas(up=True, down=False)` configures the replicas and installs the router; returns
    the aliases configured."""
    saved = {alias: connections[alias].settings_dict for alias in (UP, DOWN)}

    def configure(up=True, down=False):
        if down:
            make_unreachable(DOWN)
        settings.DATABASE_REPLICAS = [alias for alias, on in ((UP, up), (DOWN, down)) if on]
        return settings.DATABASE_REPLICAS

    settings.DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
    # Every visit must reach the database to show where its reads went; a kept page reads nothing.
    settings.PAGE_CACHE_SECONDS = 0
    health.forget_replica_states()
    yield configure
    health.forget_replica_states()
    for alias, settings_dict in saved.items():
        connections[alias].close()
        connections[alias].settings_dict = settings_dict
