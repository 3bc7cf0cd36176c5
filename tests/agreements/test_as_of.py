"""The agreements as they stood on any date: exact at version boundaries, clearly a past view,
and a clear message for what cannot be shown."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from agreements.as_of import AsOfError, agreements_in_force_at, parse_as_of
from agreements.services import publish_version, repeal_agreement
from members.services import accept_agreements, leave
from tests.factories import found_test_community, make_agreement, make_user, versions_in_force
from tests.forms import forms_on

FOUNDED = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
# Version 2 of the garden takes effect at 14:30:15 on 1 March; it is repealed on 20 March.
V2 = datetime(2026, 3, 1, 14, 30, 15, tzinfo=UTC)
REPEALED = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
TODAY = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.fixture
def history(db):
    """Founded on 10 January; anna joins on 1 February; the garden's version 2 takes effect on
    1 March and anna accepts it on 10 March; the tools are repealed on 20 March; anna leaves on
    30 March. Today is 2 April."""
    with time_machine.travel(FOUNDED, tick=False):
        found_test_community()
        garden = make_agreement(title="Garden", body="Water on Mondays.\n\nShare the beds.")
        tools = make_agreement(title="Tools", body="Lend for a week.")
        anna = make_user("anna")
    accept_agreements(
        member=anna,
        versions=versions_in_force(),
        complete=True,
        now=datetime(2026, 2, 1, tzinfo=UTC),
    )
    publish_version(
        agreement=garden, body="Water on Tuesdays.\n\nShare the beds.", note="Tue", when=V2
    )
    accept_agreements(member=anna, versions={garden.pk: 2}, now=datetime(2026, 3, 10, tzinfo=UTC))
    repeal_agreement(agreement=tools, note="No more tools.", when=REPEALED)
    leave(member=anna, now=datetime(2026, 3, 30, tzinfo=UTC))
    garden.refresh_from_db()
    with time_machine.travel(TODAY, tick=False):
        yield garden, tools


def versions(moment):
    return {past.slug: past.version for past in agreements_in_force_at(moment)}


def test_a_version_is_in_force_from_the_second_it_takes_effect(history):
    garden, tools = history

    assert versions(V2 - SECOND)["garden"] == 1
    assert versions(V2)["garden"] == 2
    assert versions(V2 + SECOND)["garden"] == 2
    assert "tools" in versions(REPEALED - SECOND)
    assert "tools" not in versions(REPEALED)
    assert "idea" in versions(FOUNDED + SECOND)


def test_a_date_means_the_end_of_that_day_in_the_site_time_zone(history, settings):
    assert parse_as_of("2026-03-01").moment == datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)
    assert versions(parse_as_of("2026-02-28").moment)["garden"] == 1
    assert versions(parse_as_of("2026-03-01").moment)["garden"] == 2
    # A time is that very moment.
    assert versions(parse_as_of("2026-03-01T14:30:14").moment)["garden"] == 1
    assert versions(parse_as_of("2026-03-01T14:30:15").moment)["garden"] == 2

    settings.TIME_ZONE = "Asia/Vladivostok"  # UTC+10: 1 March ends at 13:59:59 UTC
    with time_machine.travel(TODAY, tick=False):
        end = parse_as_of("2026-03-01").moment
    assert end == datetime(2026, 3, 1, 13, 59, 59, 999999, tzinfo=UTC)
    assert versions(end)["garden"] == 1


def test_the_list_as_of_a_date_links_the_exact_versions_and_says_it_is_the_past(client, history):
    garden, _tools = history

    page = client.get("/agreements/?as_of=2026-02-15")

    assert page.status_code == 200
    html = page.content.decode()
    assert "A past view." in html
    assert "The agreements as they stood at the end of Feb. 15, 2026" in html
    assert f'href="/agreements/{garden.slug}/v/1/"' in html
    assert f'href="/agreements/{garden.slug}/diff/1..2/"' in html
    assert '/agreements/tools/v/1/"' in html and "repealed since" in html
    later = client.get("/agreements/?as_of=2026-03-25").content.decode()
    assert f'href="/agreements/{garden.slug}/v/2/"' in later
    assert "/agreements/tools/v/" not in later


def test_one_agreement_as_of_a_date_shows_that_version_and_its_span(client, history):
    garden, tools = history

    before = client.get(f"/agreements/{garden.slug}/?as_of=2026-02-01").content.decode()
    after = client.get(f"/agreements/{garden.slug}/?as_of=2026-03-02").content.decode()
    repealed = client.get("/agreements/tools/?as_of=2026-03-21")
    too_early = client.get(f"/agreements/{garden.slug}/?as_of=2026-01-09")

    assert "Water on Mondays." in before and "It stopped being in force on" in before
    assert "At the end of Feb. 1, 2026, " in before and "version 1</a> was in force" in before
    assert "Water on Tuesdays." in after and "It is still the version in force." in after
    assert repealed.status_code == 404
    assert "it was repealed on" in repealed.content.decode()
    assert too_early.status_code == 400


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "is not a date"),
        ("2026-02-30", "is not a date"),
        ("2026-13-01", "is not a date"),
        ("99999-01-01", "is not a date"),
        ("", "Choose a date."),
        ("2026-01-09", "there were no agreements before"),
        ("1900-01-01", "there were no agreements before"),
        ("2026-04-03", "has not come yet"),
        ("2026-04-02T13:00", "has not come yet"),
        ("<script>alert(1)</script>", "is not a date"),
    ],
)
def test_an_as_of_that_cannot_be_shown_gets_a_clear_message_next_to_the_date(
    client, history, value, message
):
    garden, _tools = history
    for url in ("/agreements/", f"/agreements/{garden.slug}/"):
        page = client.get(url, {"as_of": value})

        assert page.status_code == 400
        html = page.content.decode()
        assert message in html
        assert "<script>alert(1)" not in html
        form = [f for f in forms_on(html, url) if f.method == "get" and "as_of" in dict(f.fields)]
        assert form and dict(form[0].fields)["as_of"] == value


def test_today_means_now_and_the_founding_day_is_allowed(history):
    assert parse_as_of("2026-04-02").moment == TODAY
    assert parse_as_of("2026-01-10").moment > FOUNDED
    with pytest.raises(AsOfError):
        parse_as_of("2026-01-10T08:59")


def test_the_history_page_has_a_date_picker_and_links_to_the_whole_past_view(client, history):
    garden, _tools = history
    html = client.get(f"/agreements/{garden.slug}/history/").content.decode()

    picker = [
        f for f in forms_on(html) if f.method == "get" and f.action.endswith(f"/{garden.slug}/")
    ]
    assert picker and "as_of" in dict(picker[0].fields)
    assert "/agreements/?as_of=2026-03-01" in html
    page = client.get(picker[0].action, {"as_of": "2026-02-20"})
    assert page.status_code == 200 and "Water on Mondays." in page.content.decode()


def test_the_profile_shows_what_a_member_accepted_on_a_date(client, history):
    garden, _tools = history

    def record(day):
        page = client.get("/members/anna/", {"as_of": day})
        assert page.status_code == 200
        return page.content.decode()

    before_joining = record("2026-01-20")
    member = record("2026-02-15")
    behind = record("2026-03-05")
    again = record("2026-03-15")
    gone = record("2026-03-31")

    assert "accepted none of the agreements" in before_joining
    assert "At the end of Feb. 15, 2026, @anna had accepted every agreement in force." in member
    assert f'/agreements/{garden.slug}/v/1/"' in member
    assert "had not accepted version 2" in behind
    assert "accepted every agreement in force" in again
    assert "accepted none of the agreements" in gone
    assert client.get("/members/anna/", {"as_of": "someday"}).status_code == 400
