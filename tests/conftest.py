import pytest
from django.core.cache import cache

from tests.factories import found_test_community


@pytest.fixture(autouse=True)
def _isolated(settings):
    # The local-memory cache outlives a test's rolled-back database; ids are reused across tests.
    cache.clear()
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
