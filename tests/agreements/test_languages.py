"""What a reader sees in the other language: durations, quorum, notes, and the `lang` of texts."""

import importlib
from datetime import timedelta

import time_machine
from django.apps import apps
from django.conf import settings
from django.utils import translation

from agreements.amendments.services import cast_vote
from agreements.models import Agreement
from agreements.services import create_agreement
from agreements.templatetags.soglasie import duration
from tests.factories import make_agreement, make_amendment, make_member

DAY, HOUR, MINUTE = 86400, 3600, 60


def russian(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    return client


def test_durations_agree_with_their_numbers_in_russian():
    with translation.override("ru"):
        assert duration(7 * DAY) == "7 дней"
        assert duration(DAY + 2 * HOUR) == "1 день, 2 часа"
        assert duration(2 * DAY + 5 * HOUR + 59) == "2 дня, 5 часов"
        assert duration(21 * HOUR + 1 * MINUTE) == "21 час, 1 минуту"
        assert duration(22 * MINUTE) == "22 минуты"
        assert duration(30) == "меньше минуты"
    with translation.override("en"):
        assert duration(7 * DAY) == "7 days"
        assert duration(DAY + HOUR) == "1 day, 1 hour"
        assert duration(-5) == "less than a minute"


def test_the_amendment_list_says_when_discussion_ends_in_good_russian(client, community):
    garden = make_agreement(title="Garden", body="Beds are shared.")
    alice = make_member("alice")
    amendment = make_amendment(author=alice, agreement=garden)

    with time_machine.travel(amendment.proposed_at + timedelta(minutes=1), tick=False):
        page = russian(client).get("/amendments/").content.decode()

    assert "обсуждение закончится через 6 дней, 23 часа" in page
    assert "недел" not in page


def test_the_quorum_line_says_what_was_cast_and_what_is_needed(client, community):
    garden = make_agreement(title="Garden", body="Beds are shared.")
    alice, bob = make_member("alice"), make_member("bob")
    amendment = make_amendment(author=alice, agreement=garden)
    with time_machine.travel(amendment.discussion_ends_at + timedelta(hours=1), tick=False):
        cast_vote(amendment=amendment, member=alice, choice="support")
        cast_vote(amendment=amendment, member=bob, choice="support")
        english = client.get(amendment.get_absolute_url()).content.decode()
        russian_page = russian(client).get(amendment.get_absolute_url()).content.decode()

    assert "2 votes cast; the quorum is 3 votes, not reached." in " ".join(english.split())
    assert "подано 2 голоса; кворум — 3 голоса, не достигнут." in " ".join(russian_page.split())


def test_texts_in_the_community_language_say_so_inside_the_other_interface(client, community):
    page = russian(client).get("/agreements/public-agreements/").content.decode()

    assert '<html lang="ru">' in page
    assert '<div class="agreement-text" lang="en">' in page
    assert '<h1 id="agreement-title" lang="en">' in page


def test_the_founding_note_is_stored_as_a_key_and_shown_in_the_reader_language(client, community):
    idea = Agreement.objects.get(is_idea=True)
    assert idea.change_note == "founding"

    english = client.get("/agreements/idea/history/").content.decode()
    russian_page = russian(client).get("/agreements/idea/history/").content.decode()

    assert "Adopted at founding." in english
    assert "Принято при основании." in russian_page
    assert "Adopted at founding." not in russian_page


def test_founding_notes_written_as_text_become_the_key(db):
    migration = importlib.import_module("agreements.migrations.0010_change_note_keys")
    old = create_agreement(title="Old", body="Text.", origin="own", note="Adopted at founding.")
    kept = create_agreement(title="Kept", body="Text.", origin="own", note="Our own words.")

    migration.to_keys(apps, None)

    assert Agreement.objects.get(pk=old.pk).change_note == "founding"
    assert old.history.get().change_note == "founding"
    assert Agreement.objects.get(pk=kept.pk).change_note == "Our own words."


def test_no_sentence_ending_with_a_date_ends_in_two_periods(client, community):
    make_member("alice")

    for language in ("en", "ru"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get("/members/alice/").content.decode()
        assert ".." not in page.replace("...", ""), language
