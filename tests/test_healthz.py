"""/healthz: one word per part of the machinery, 503 only when the primary database is down, and
nothing in it that would help an attacker. Also: the site keeps answering without its cache."""

import json
import os
import subprocess
import sys

import pytest

import config.cache
from tests.factories import make_member
from tests.queue.conftest import broker, unreachable_broker  # noqa: F401 - fixtures
from tests.replicas.conftest import replica_db, replicas  # noqa: F401 - fixture

WORDS = {"ok", "degraded", "down", "lagging", "off"}


def health(client):
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert set(body) == {"status", "database", "replica", "cache", "queue"}
    assert set(body.values()) <= WORDS, "words only: no hosts, versions, lags or errors"
    return response.status_code, body


@pytest.mark.django_db
def test_all_well_without_replicas_or_queue_even_before_founding(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "replica": "off",
        "cache": "ok",
        "queue": "off",
    }
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert not response.cookies, "no session, no CSRF cookie"


@pytest.mark.django_db
def test_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
    assert client.get("/healthz/").status_code == 404


def test_a_signed_in_member_gets_the_same_answer_and_no_cookie(client, community):
    client.force_login(make_member("alice"))

    assert health(client)[1]["status"] == "ok"
    assert not client.get("/healthz").cookies


@pytest.mark.django_db
def test_a_reachable_queue(client, broker):  # noqa: F811
    assert health(client) == (
        200,
        {"status": "ok", "database": "ok", "replica": "off", "cache": "ok", "queue": "ok"},
    )


@pytest.mark.django_db
def test_an_unreachable_queue_degrades(client, unreachable_broker):  # noqa: F811
    assert health(client) == (
        200,
        {"status": "degraded", "database": "ok", "replica": "off", "cache": "ok", "queue": "down"},
    )


@replica_db
def test_replicas_up_down_and_lagging(client, replicas, settings):  # noqa: F811
    replicas()
    assert health(client)[1]["replica"] == "ok"

    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = -1  # the test's replica is never behind
    assert health(client) == (
        200,
        {
            "status": "degraded",
            "database": "ok",
            "replica": "lagging",
            "cache": "ok",
            "queue": "off",
        },
    )

    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 10
    replicas(down=True)
    assert health(client)[1] == {
        "status": "degraded",
        "database": "ok",
        "replica": "down",
        "cache": "ok",
        "queue": "off",
    }


@pytest.fixture
def redis_down(settings, monkeypatch):
    monkeypatch.setattr(config.cache, "_failed_at", None)
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_without_its_cache_the_site_still_answers_and_says_so(client, community, redis_down):
    alice = make_member("alice")

    assert health(client) == (
        200,
        {"status": "degraded", "database": "ok", "replica": "off", "cache": "down", "queue": "off"},
    )
    for url in ("/", community.get_absolute_url(), "/news/", "/agreements/"):
        assert client.get(url).status_code == 200
    client.force_login(alice)
    response = client.post("/news/new/", {"title": "Still here", "body": "Without a cache."})
    assert response.status_code == 302


def test_an_unreachable_primary_database_is_503_and_says_nothing_more():
    # In a process of its own, whose primary database is a closed port.
    script = (
        "import django, json, time; django.setup(); from django.test import Client; "
        "started = time.monotonic(); response = Client().get('/healthz'); "
        "print(json.dumps([response.status_code, response.content.decode(), "
        "time.monotonic() - started]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://soglasie@127.0.0.1:1/soglasie",
        "DATABASE_REPLICA_URLS": "postgres://soglasie@127.0.0.1:1/soglasie",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "CRITICAL",
    }
    env.pop("CELERY_BROKER_URL", None)

    status, body, seconds = json.loads(
        subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        ).stdout
    )

    assert status == 503
    assert json.loads(body) == {
        "status": "down",
        "database": "down",
        "replica": "down",
        "cache": "ok",
        "queue": "off",
    }
    assert "127.0.0.1" not in body and "Error" not in body
    assert seconds < 5
