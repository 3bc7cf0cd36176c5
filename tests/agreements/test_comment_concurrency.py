"""Members commenting on one amendment at once: no counter row to queue on, and none of them
blocked (or deadlocked) by the notifications they send each other."""

import pytest

from agreements.amendments.services import post_comment
from agreements.models import Amendment
from tests.concurrency import require_postgres, run_together
from tests.factories import found_test_community, make_agreement, make_amendment, make_member

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_members_commenting_at_once_are_all_counted():
    require_postgres()
    found_test_community()
    garden = make_agreement(title="Garden", body="Beds are shared.\n")
    members = [make_member(f"m{n}") for n in range(10)]
    amendment = make_amendment(author=members[0], agreement=garden)
    for member in members:  # each follows the thread, so each comment notifies all the others
        post_comment(amendment=amendment, author=member, body="First.")

    _results, errors = run_together(
        *[
            lambda member=member: post_comment(amendment=amendment, author=member, body="Again.")
            for member in members
        ]
    )

    assert errors == []
    assert Amendment.objects.get(pk=amendment.pk).comment_count == 20
