"""After the occasion, a public account: the questions asked and the answers given, each answer
citing the clauses it rests on, in the versions in force on the occasion's date."""

from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine

from agreements.models import Agreement
from agreements.services import publish_version
from members.models import User
from members.services import accept_agreements
from news.models import NewsItem
from occasions.models import Account
from occasions.services import create_occasion
from tests.factories import found_test_community, make_member, make_user, versions_in_force
from tests.forms import find_form

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def occasion(db):
    with time_machine.travel(NOW, tick=False):
        found_test_community()
        anna = make_member("anna")
        make_member("boris")
        return create_occasion(
            author=anna,
            title="Spring fair stall",
            description="",
            place="Market square",
            starts_at=NOW + timedelta(days=5),
            nominations_close_at=NOW + timedelta(days=2),
            voting_closes_at=NOW + timedelta(days=3),
        )


@pytest.fixture
def after(occasion):
    with time_machine.travel(occasion.starts_at + timedelta(hours=3), tick=False):
        yield occasion


def write(client, occasion, answers):
    """Fill the account form as rendered: one (question, answer) per row."""
    url = f"/occasions/{occasion.pk}/account/"
    page = client.get(url)
    assert page.status_code == 200
    form = find_form(page.content.decode(), url=url, containing="Publish the account")
    fill = {}
    for row, (question, answer) in enumerate(answers):
        fill[f"answers-{row}-question"] = question
        fill[f"answers-{row}-answer"] = answer
    return client.post(url, form.data(fill=fill))


def test_an_account_cites_clauses_and_keeps_their_words(client, after):
    client.force_login(User.objects.get(username="boris"))
    response = write(client, after, [
        ("Who leads you?", "Nobody: see /agreements/idea/v/1/#p-2 and "
                           "http://testserver/agreements/public-agreements/v/1/#p-1."),
        ("How do I join?", "By accepting the agreements: /agreements/idea/v/1/#p-3"),
    ])  # fmt: skip

    assert response.status_code == 302
    account = Account.objects.get()
    answers = list(account.answers.all())
    assert [a.question for a in answers] == ["Who leads you?", "How do I join?"]
    assert [(c["slug"], c["version"], c["clause"]) for c in answers[0].citations] == [
        ("idea", 1, 2),
        ("public-agreements", 1, 1),
    ]
    assert "We unite to keep a garden" in answers[0].citations[0]["words"]
    page = client.get(after.get_absolute_url()).content.decode()
    assert "Who leads you?" in page and "We unite to keep a garden" in page
    assert 'href="/agreements/idea/v/1/#p-2"' in page
    item = NewsItem.objects.get(event=NewsItem.Event.ACCOUNT)
    assert item.occasion == after and item.author.username == "boris"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("Nobody leads us.", "Cite at least one clause this answer rests on"),
        ("See /agreements/idea/v/2/#p-1", "version 2 of “Our idea” was not the one in force"),
        ("See /agreements/idea/v/1/#p-40", "has no clause 40"),
        ("See /agreements/nothing-here/v/1/#p-1", "there is no such agreement"),
        ("<script>alert(1)</script> /agreements/idea/v/1/#p-1", None),
    ],
)
def test_an_answer_must_cite_what_was_in_force_on_the_date(client, after, answer, message):
    idea = Agreement.objects.get(slug="idea")
    publish_version(agreement=idea, body=idea.body + "\n\nA later clause.\n", note="Later")
    anna = User.objects.get(username="anna")
    accept_agreements(member=anna, versions=versions_in_force())
    client.force_login(anna)
    if message is None:
        # Markup is shown as text, never run.
        assert write(client, after, [("Q?", answer)]).status_code == 302
        assert "<script>alert(1)" not in client.get(after.get_absolute_url()).content.decode()
        return

    response = write(client, after, [("Who leads you?", answer)])

    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert message in html
    assert 'id="id_answers-0-answer_error"' in html
    assert answer in html  # the text is kept
    assert not Account.objects.exists()


def test_no_account_before_the_occasion_and_none_from_a_visitor(client, occasion):
    client.force_login(User.objects.get(username="anna"))
    with time_machine.travel(occasion.starts_at - timedelta(minutes=1), tick=False):
        response = write(client, occasion, [("Q?", "A: /agreements/idea/v/1/#p-1")])
    assert response.status_code == 400
    assert "An account is written after the occasion" in unescape(response.content.decode())
    client.force_login(make_user("visitor"))
    with time_machine.travel(occasion.starts_at + timedelta(hours=1), tick=False):
        assert client.get(f"/occasions/{occasion.pk}/account/").status_code == 403
    assert not Account.objects.exists()


def test_an_empty_account_is_refused(client, after):
    client.force_login(User.objects.get(username="anna"))
    response = write(client, after, [])
    assert response.status_code == 400
    assert "Write at least one question and its answer." in response.content.decode()


def test_a_tampered_account_form_is_refused_without_an_error_page(client, after):
    client.force_login(User.objects.get(username="anna"))
    url = f"/occasions/{after.pk}/account/"

    missing = client.post(url, {"answers-0-question": "Q?"})
    too_many = client.post(url, {"answers-TOTAL_FORMS": "5000", "answers-INITIAL_FORMS": "0"})

    assert missing.status_code == too_many.status_code == 400
    assert not Account.objects.exists()
    assert client.get(url, {"rows": "99999"}).status_code == 200
