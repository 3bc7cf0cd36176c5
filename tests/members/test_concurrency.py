"""Counters and acceptances under real concurrency: PostgreSQL, one connection per thread."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agreements.models import Agreement
from members.models import Acceptance
from members.selectors import role_counts
from members.services import (
    accept_agreements,
    counter_totals,
    leave,
    rebuild_counters,
    record_follow,
)
from tests.concurrency import require_postgres, run_together
from tests.factories import found_test_community, make_user, versions_in_force

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postgres():
    require_postgres()


def test_concurrent_joins_are_all_counted(postgres):
    found_test_community()
    versions = versions_in_force()
    users = [make_user(f"u{n}") for n in range(12)]

    _results, errors = run_together(
        *[
            lambda user=user: accept_agreements(member=user, versions=versions, complete=True)
            for user in users
        ]
    )

    assert errors == []
    counts = role_counts()
    assert (counts.members, counts.in_good_standing, counts.active_core) == (12, 12, 0)
    for agreement in Agreement.objects.in_force():
        assert counter_totals()[("1-acceptance", agreement.pk, 1)] == 12


def test_a_double_submit_accepts_once(postgres):
    found_test_community()
    versions = versions_in_force()
    alice = make_user("alice")

    _results, errors = run_together(
        *[lambda: accept_agreements(member=alice, versions=versions, complete=True)] * 6
    )

    assert errors == []
    assert Acceptance.objects.filter(member=alice).count() == len(versions)
    assert role_counts().members == 1


def test_concurrent_joins_leaves_and_visits_keep_counters_equal_to_a_rebuild(postgres):
    found_test_community()
    versions = versions_in_force()
    users = [make_user(f"u{n}") for n in range(16)]
    for user in users[:8]:
        accept_agreements(member=user, versions=versions, complete=True)
    later = timezone.now() + timedelta(days=2)
    acts = [
        lambda user=user: accept_agreements(member=user, versions=versions, complete=True)
        for user in users[8:]
    ]
    acts += [lambda user=user: leave(member=user) for user in users[:4]]
    acts += [lambda user=user: record_follow(member=user, now=later) for user in users[4:8]]

    _results, errors = run_together(*acts)

    assert errors == []
    kept = counter_totals()
    rebuild_counters()
    assert counter_totals() == kept
    assert role_counts().members == 12
