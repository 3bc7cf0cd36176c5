from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from tests.factories import found_test_community


def pytest_sessionstart(session):
    """A test database file left by an interrupted run, with its WAL files, makes SQLite fail
    with "disk I/O error" when Django recreates the file: start from nothing."""
    name = django_settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if name:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _isolated(settings):
    # The local-memory cache outlives a test's rolled-back database; ids are reused across tests.
    cache.clear()
    # Anonymous pages are kept as in production with Redis: every test that writes and reads
    # again through the client also proves that the write made the kept pages stale.
    settings.PAGE_CACHE_SECONDS = 30
    # Tests don't run collectstatic; serve static files as plain files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Real hashing costs a quarter second per password; tests need many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    cache.clear()


@pytest.fixture
def community(db):
    """A founded community with the idea and every standard agreement, in English."""
    return found_test_community()


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(
        username="installer", password="install-it-2026", email="root@example.org"
    )


@pytest.fixture(scope="session")
def hillside(tmp_path_factory):
    """Another community's live site (tests/instances.py), shared by the session's tests."""
    from tests.instances import Instance

    instance = Instance(tmp_path_factory.mktemp("hillside"))
    instance.found()
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def loopback_allowed(settings):
    """Borrowing may reach the test's own servers on 127.0.0.0/8 (and nothing else private)."""
    settings.BORROW_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    return settings
