"""Two presses at once never make two votes, and two `advance` runs at once choose once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from news.models import NewsItem
from occasions.models import OccasionVote
from occasions.services import close_occasions, create_occasion, nominate, vote
from tests.concurrency import require_postgres, run_together
from tests.factories import found_test_community, make_member


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_double_submit_of_a_vote_and_concurrent_closing_each_happen_once():
    require_postgres()
    found_test_community()
    anna, boris, chen = (make_member(name) for name in ("anna", "boris", "chen"))
    now = timezone.now()
    occasion = create_occasion(
        author=anna,
        title="Fair",
        description="",
        place="Square",
        starts_at=now + timedelta(days=4),
        nominations_close_at=now + timedelta(days=2),
        voting_closes_at=now + timedelta(days=3),
    )
    nomination = nominate(occasion=occasion, member=boris, statement="Me.", now=now)
    when = occasion.nominations_close_at + timedelta(minutes=1)

    _results, errors = run_together(
        *[lambda: vote(occasion=occasion, member=chen, nomination=nomination, now=when)] * 4
    )

    assert errors == []
    assert OccasionVote.objects.filter(occasion=occasion).count() == 1
    nomination.refresh_from_db()
    assert nomination.vote_count == 1

    later = occasion.voting_closes_at
    results, errors = run_together(*[lambda: close_occasions(now=later)] * 4)
    assert errors == []
    chosen = [line for lines in results for line in lines if line.endswith("chosen")]
    assert chosen == [f"occasion {occasion.pk} chosen"]
    assert NewsItem.objects.filter(occasion=occasion, event="speaker_chosen").count() == 1
