"""Occasions and speakers: the face of the community for one appearance, chosen by a simple
public vote, who says only what the agreements in force say (the seeds, «Отсутствие лидера»)."""

from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine
from django.db import IntegrityError, transaction

from agreements.models import Agreement
from agreements.services import publish_version
from members.services import leave
from news.models import NewsItem, Notification
from occasions.models import Nomination, Occasion, OccasionVote
from occasions.services import close_occasions, create_occasion, nominate, vote
from tests.factories import found_test_community, make_member, make_user
from tests.forms import find_form, submit

NOW = datetime(2026, 5, 4, 10, 20, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(db, at_now):
    found_test_community()
    return [make_member(name) for name in ("anna", "boris", "chen", "dana", "emil")]


def announce(author, *, days=5, title="Spring fair stall", now=NOW):
    return create_occasion(
        author=author,
        title=title,
        description="A table at the **spring fair**.",
        place="Market square",
        starts_at=now + timedelta(days=days),
        nominations_close_at=now + timedelta(days=2),
        voting_closes_at=now + timedelta(days=3),
        now=now,
    )


def test_a_member_announces_an_occasion_with_the_procedures_default_deadlines(client, people):
    client.force_login(people[0])
    page = client.get("/occasions/new/").content.decode()
    form = find_form(page, url="/occasions/new/", containing="Announce the occasion")
    fields = dict(form.fields)
    # From the next full hour: nominations for 2 days, then voting for 1 day (the procedure).
    assert fields["nominations_close_at"] == "2026-05-06T11:00"
    assert fields["voting_closes_at"] == "2026-05-07T11:00"

    response = client.post(
        form.action,
        form.data(fill={"title": "Radio interview", "place": "City radio",
                        "starts_at": "2026-05-08T18:00"}),
    )  # fmt: skip

    assert response.status_code == 302
    occasion = Occasion.objects.get()
    assert (occasion.title, occasion.created_by) == ("Radio interview", people[0])
    assert occasion.nominations_close_at == datetime(2026, 5, 6, 11, 0, tzinfo=UTC)
    listing = client.get("/occasions/").content.decode()
    assert "Radio interview" in listing
    assert NewsItem.objects.filter(event=NewsItem.Event.OCCASION, occasion=occasion).count() == 1
    feed = client.get("/occasions/feed.atom")
    assert feed.status_code == 200 and b"Radio interview" in feed.content


@pytest.mark.parametrize(
    ("fill", "field", "message"),
    [
        ({"starts_at": "2026-05-01T18:00"}, "starts_at", "The occasion's date is in the past."),
        ({"nominations_close_at": "2026-05-04T09:00"}, "nominations_close_at", "in the past"),
        ({"nominations_close_at": "2026-05-04T20:00"}, "nominations_close_at", "at least one day"),
        ({"voting_closes_at": "2026-05-05T12:00"}, "voting_closes_at", "out of order"),
        ({"voting_closes_at": "2026-05-06T20:00"}, "voting_closes_at", "at least one day"),
        ({"starts_at": "2026-05-07T08:00"}, "voting_closes_at", "voting must close by its date"),
        ({"starts_at": "next Tuesday"}, "starts_at", "Enter a valid date/time."),
        ({"starts_at": "2031-05-01T10:00"}, "starts_at", "more than three years away"),
        ({"place": "  "}, "place", "This field is required."),
    ],
)
def test_dates_that_cannot_work_get_a_clear_message_and_nothing_is_lost(
    client, people, fill, field, message
):
    client.force_login(people[0])
    values = {"title": "Radio interview", "place": "City radio",
              "description": "My *careful* description.", "starts_at": "2026-05-08T18:00",
              **fill}  # fmt: skip

    response = submit(client, "/occasions/new/", containing="Announce the occasion", fill=values)

    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert "My *careful* description." in html
    assert not Occasion.objects.exists()


def test_a_visitor_or_a_member_not_in_good_standing_cannot_announce_nominate_or_vote(
    client, people
):
    occasion = announce(people[0])
    stranger = make_user("stranger")

    assert client.get("/occasions/new/").status_code == 403
    page = client.get(occasion.get_absolute_url()).content.decode()
    assert f"/occasions/{occasion.pk}/nominate/" not in page
    assert "To be nominated as the speaker" in page
    client.force_login(stranger)
    assert client.get("/occasions/new/").status_code == 403
    refused = client.post(f"/occasions/{occasion.pk}/nominate/", {"statement": "Me!"})
    assert refused.status_code == 403
    assert "Only members in good standing" in refused.content.decode()
    assert not Nomination.objects.exists()


def test_nominations_are_open_until_the_second_their_deadline_passes(people, at_now):
    occasion = announce(people[0])
    deadline = occasion.nominations_close_at

    nominate(
        occasion=occasion, member=people[1], statement="I know the fair.", now=deadline - SECOND
    )
    with pytest.raises(Exception, match="Nominations closed"):
        nominate(occasion=occasion, member=people[2], statement="Me too.", now=deadline)
    # Nominating again changes the statement; it never makes two.
    nominate(occasion=occasion, member=people[1], statement="Better words.", now=deadline - SECOND)

    assert list(occasion.nominations.values_list("member__username", "statement")) == [
        ("boris", "Better words.")
    ]


def test_voting_is_open_from_the_nomination_deadline_until_the_second_it_closes(people):
    anna, boris, chen = people[:3]
    occasion = announce(anna)
    candidate = nominate(occasion=occasion, member=boris, statement="Me.", now=NOW)

    with pytest.raises(Exception, match="Voting opens on"):
        vote(occasion=occasion, member=chen, nomination=candidate,
             now=occasion.nominations_close_at - SECOND)  # fmt: skip
    vote(occasion=occasion, member=chen, nomination=candidate, now=occasion.nominations_close_at)
    vote(occasion=occasion, member=anna, nomination=candidate,
         now=occasion.voting_closes_at - SECOND)  # fmt: skip
    with pytest.raises(Exception, match="Voting closed on"):
        vote(occasion=occasion, member=boris, nomination=candidate, now=occasion.voting_closes_at)

    candidate.refresh_from_db()
    assert candidate.vote_count == 2


def test_one_vote_per_member_changeable_and_a_double_submit_never_doubles_it(client, people):
    anna, boris, chen, dana = people[:4]
    occasion = announce(anna)
    first = nominate(occasion=occasion, member=boris, statement="Me.", now=NOW)
    second = nominate(occasion=occasion, member=chen, statement="Or me.", now=NOW)
    client.force_login(dana)
    with time_machine.travel(occasion.nominations_close_at + timedelta(hours=1), tick=False):
        url = occasion.get_absolute_url()
        page = client.get(url).content.decode()
        form = find_form(page, url=url, action=f"/occasions/{occasion.pk}/vote/")
        data = form.data(fill={"nomination": str(first.pk)})
        assert client.post(form.action, data).status_code == 302
        assert client.post(form.action, data).status_code == 302  # the same press again
        changed = submit(client, url, action=form.action, fill={"nomination": str(second.pk)})
        assert changed.status_code == 302
        page = client.get(url).content.decode()

    assert OccasionVote.objects.filter(occasion=occasion, voter=dana).count() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.vote_count, second.vote_count) == (0, 1)
    assert "Your vote: chen" in page and "dana</a>: chen" in page
    with pytest.raises(IntegrityError), transaction.atomic():
        OccasionVote.objects.create(occasion=occasion, voter=dana, nomination=first)


def test_voting_without_choosing_a_nominee_says_so(client, people):
    occasion = announce(people[0])
    nominate(occasion=occasion, member=people[1], statement="Me.", now=NOW)
    client.force_login(people[2])
    with time_machine.travel(occasion.nominations_close_at + SECOND, tick=False):
        response = submit(
            client, occasion.get_absolute_url(), action=f"/occasions/{occasion.pk}/vote/"
        )
    assert response.status_code == 400
    assert "Choose one of the nominees." in response.content.decode()


def test_most_votes_wins_and_a_tie_goes_to_the_earliest_nomination(people):
    anna, boris, chen, dana, emil = people
    tie = announce(anna, title="Tie")
    majority = announce(anna, title="Majority")
    early = nominate(occasion=tie, member=chen, statement="First.", now=NOW)
    late = nominate(occasion=tie, member=boris, statement="Second.", now=NOW + SECOND)
    behind = nominate(occasion=majority, member=chen, statement="First.", now=NOW)
    ahead = nominate(occasion=majority, member=boris, statement="Second.", now=NOW + SECOND)
    when = tie.nominations_close_at + timedelta(hours=1)
    vote(occasion=tie, member=dana, nomination=early, now=when)
    vote(occasion=tie, member=emil, nomination=late, now=when)
    vote(occasion=majority, member=dana, nomination=ahead, now=when)
    vote(occasion=majority, member=emil, nomination=ahead, now=when)
    vote(occasion=majority, member=anna, nomination=behind, now=when)

    done = close_occasions(now=tie.voting_closes_at)

    tie.refresh_from_db()
    majority.refresh_from_db()
    assert tie.speaker == chen and majority.speaker == boris
    assert tie.closed_at == tie.voting_closes_at
    assert sorted(done) == sorted(
        f"occasion {o.pk} {move}" for o in (tie, majority) for move in ("voting", "chosen")
    )


def test_with_no_nominee_there_is_no_speaker_and_every_event_is_written_once(client, people):
    occasion = announce(people[0])

    assert close_occasions(now=occasion.nominations_close_at) == [
        f"occasion {occasion.pk} no_speaker"
    ]
    assert close_occasions(now=occasion.voting_closes_at) == []

    occasion.refresh_from_db()
    assert occasion.stage == "closed" and occasion.speaker is None
    events = list(NewsItem.objects.filter(occasion=occasion).values_list("event", flat=True))
    assert sorted(events) == ["no_speaker", "occasion"]
    page = client.get(occasion.get_absolute_url()).content.decode()
    assert "No speaker: nobody was nominated." in page


def test_the_page_shows_the_speaker_before_advance_runs_and_advance_agrees(client, people):
    anna, boris, chen = people[:3]
    occasion = announce(anna)
    candidate = nominate(occasion=occasion, member=boris, statement="Me.", now=NOW)
    vote(occasion=occasion, member=chen, nomination=candidate,
         now=occasion.nominations_close_at + SECOND)  # fmt: skip

    with time_machine.travel(occasion.voting_closes_at + SECOND, tick=False):
        before = client.get(occasion.get_absolute_url()).content.decode()
        close_occasions()
        close_occasions()
        after = client.get(occasion.get_absolute_url()).content.decode()

    for page in (before, after):
        assert "boris</a> speaks for the community at this occasion" in page
    chosen = NewsItem.objects.get(event=NewsItem.Event.SPEAKER_CHOSEN)
    assert NewsItem.objects.filter(occasion=occasion).count() == 3  # announced, vote, chosen
    told = set(
        Notification.objects.filter(item=chosen).values_list("recipient__username", flat=True)
    )
    assert told == {"anna", "boris", "chen"}  # who announced, was nominated, voted


def test_a_nominee_who_left_cannot_be_voted_for_or_chosen(client, people):
    anna, boris, chen, dana = people[:4]
    occasion = announce(anna)
    gone = nominate(occasion=occasion, member=boris, statement="Me.", now=NOW)
    staying = nominate(occasion=occasion, member=chen, statement="Me too.", now=NOW + SECOND)
    when = occasion.nominations_close_at + SECOND
    vote(occasion=occasion, member=anna, nomination=gone, now=when)
    vote(occasion=occasion, member=dana, nomination=gone, now=when)
    leave(member=boris, now=when)

    client.force_login(chen)
    with time_machine.travel(when + SECOND, tick=False):
        refused = client.post(f"/occasions/{occasion.pk}/vote/", {"nomination": str(gone.pk)})
    assert refused.status_code == 400
    assert "boris has left the community and can no longer be chosen." in refused.content.decode()

    close_occasions(now=occasion.voting_closes_at)
    occasion.refresh_from_db()
    assert occasion.speaker == chen
    assert staying.pk


def test_the_brief_lists_the_versions_in_force_at_the_occasion_not_today(client, people):
    anna = people[0]
    garden = Agreement.objects.get(slug="idea")
    occasion = announce(anna, days=4)
    later = occasion.starts_at + timedelta(days=2)
    publish_version(agreement=garden, body="We share tools.", note="Shorter", when=later)

    with time_machine.travel(later + timedelta(days=1), tick=False):
        page = client.get(occasion.get_absolute_url()).content.decode()
        whole = client.get(
            "/agreements/", {"as_of": occasion.starts_at.strftime("%Y-%m-%dT%H:%M")}
        ).content.decode()

    assert f'href="/agreements/{garden.slug}/v/1/"' in page
    assert f"/agreements/{garden.slug}/v/2/" not in page
    assert "The speaker says only what these agreements say" in page
    assert "All the agreements as they stood at the occasion" in page
    assert f'href="/agreements/{garden.slug}/v/1/"' in whole
    # Before the occasion, the brief is what is in force now.
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        before = client.get(occasion.get_absolute_url()).content.decode()
    assert "If a version takes effect before the occasion" in before


def test_the_occasion_pages_speak_russian(client, people):
    occasion = announce(people[0])
    client.cookies["django_language"] = "ru"

    page = client.get(occasion.get_absolute_url()).content.decode()

    assert "Памятка спикера" in page and "Пока никто не выдвинулся." in page
    assert "Выступления и спикеры" in client.get("/occasions/").content.decode()
