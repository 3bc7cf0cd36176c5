"""A journey in a real browser: a member announces an occasion, two members nominate themselves,
others vote, and the chosen speaker is shown with the brief they speak from."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from occasions.models import Occasion
from occasions.services import close_occasions
from tests.factories import PASSWORD, found_test_community, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_an_occasion_gets_its_speaker_by_vote_and_the_speaker_gets_the_brief(
    open_window, live_server, settings
):
    settings.SESSION_COOKIE_AGE = 90 * 24 * 3600  # the story spans several days
    with time_machine.travel(START, tick=True) as traveller:
        found_test_community()
        for name in ("anna", "boris", "chen", "dana", "emil"):
            make_member(name)

        anna = open_window(user="anna", password=PASSWORD)
        anna.goto(live_server.url + "/")
        anna.get_by_role("link", name="Occasions").click()
        anna.get_by_role("link", name="Announce an occasion").click()
        anna.get_by_label("Title").fill("A stall at the spring fair")
        anna.get_by_label("Place").fill("Market square")
        # The deadlines come from the procedure; the date is after them.
        expect(anna.get_by_label("Nominations close")).to_have_value("2026-06-03T10:00")
        expect(anna.get_by_label("Voting closes")).to_have_value("2026-06-04T10:00")
        anna.get_by_label("Date and time of the occasion").fill("2026-06-06T11:00")
        anna.get_by_role("button", name="Announce the occasion").click()
        expect(anna.get_by_role("heading", name="A stall at the spring fair")).to_be_visible()
        occasion = Occasion.objects.get()
        url = live_server.url + occasion.get_absolute_url()

        for name, statement in (("boris", "I know the fair."), ("chen", "I like people.")):
            nominee = open_window(user=name, password=PASSWORD)
            nominee.goto(url)
            nominee.get_by_label("Your statement").fill(statement)
            nominee.get_by_role("button", name="Nominate myself").click()
            expect(nominee.get_by_text("You are nominated.")).to_be_visible()
        expect(nominee.locator("#nominations blockquote")).to_have_count(2)

        traveller.move_to(occasion.nominations_close_at + timedelta(hours=1))
        close_occasions()
        for name, choice in (("dana", "boris"), ("emil", "boris"), ("anna", "chen")):
            voter = open_window(user=name, password=PASSWORD)
            voter.goto(url)
            voter.get_by_label(choice).check()
            voter.get_by_role("button", name="Vote").click()
            expect(voter.get_by_text("Your vote is recorded.")).to_be_visible()
            expect(voter.get_by_text(f"Your vote: {choice}.")).to_be_visible()

        traveller.move_to(occasion.voting_closes_at + timedelta(minutes=5))
        close_occasions()
        anna.goto(url)
        expect(anna.locator(".speaker-result")).to_contain_text(
            "boris speaks for the community at this occasion"
        )
        brief = anna.locator("#brief")
        expect(brief).to_contain_text("The speaker says only what these agreements say")
        expect(brief.get_by_role("link", name="Our idea")).to_have_attribute(
            "href", "/agreements/idea/v/1/"
        )
        anna.get_by_role("link", name="Notifications").click()
        expect(
            anna.get_by_role("link", name="Speaker chosen for: A stall at the spring fair")
        ).to_be_visible()
