"""Hostile text in every text field, typed into the forms as rendered, then read back on every
page, feed, export and e-mail that shows it: nothing may come out as markup, script or a forged
line. Each vector runs the whole story: the same hostile text as a display name, a bio, a
volunteer offer, an amendment (title, summary, text, rationale, revision note), a comment, a
news post, a report, a moderator's reason, an appeal and the community's name."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django.test import Client

from agreements.models import Amendment, Comment
from agreements.services import create_agreement
from moderation.services import grant_power
from news.models import NewsItem
from news.services import send_digests
from tests.factories import make_agreement, make_member
from tests.forms import form_in, submit
from tests.html_checks import page_problems, problems

VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "<iframe src=javascript:alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "]]><script>alert(1)</script><![CDATA[",
    "<style>*{display:none}</style>",
    "<details open ontoggle=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "{{ request }}{% debug %}",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "\u202eevil\u202c <b onmouseover=alert(1)>x</b>",
]
CLAUSE = "/agreements/public-power/v/1/#p-3"


def assert_inert(html, where):
    assert page_problems(html) == [], where
    assert "alert(1)" not in html or "<script>alert" not in html, where


def assert_feed_inert(body, where):
    root = ET.fromstring(body)  # noqa: S314 - our own output, under test; well-formed or fails
    for element in root.iter():
        if element.get("type") == "html" and element.text:
            assert problems(element.text) == [], where


@pytest.fixture
def people(community, superuser):
    make_agreement(title="Garden", body="Beds are shared.\n\nWater on Tuesdays.\n")
    alice = make_member("alice")
    bob = make_member("bob", email="bob@example.org", email_digest=True)
    mod = make_member("mod")
    grant_power(installer=superuser, member=mod, reason="r", clause=CLAUSE)
    return {"alice": alice, "bob": bob, "mod": mod, "installer": superuser}


def as_(member):
    client = Client()
    client.force_login(member)
    return client


@pytest.mark.parametrize("vector", VECTORS)
def test_hostile_text_in_every_field_is_shown_inert_everywhere(people, vector):
    alice, bob, mod = as_(people["alice"]), as_(people["bob"]), as_(people["mod"])
    line = vector  # none of the vectors has a line break: they go into one-line fields too

    assert (
        submit(
            alice,
            "/members/alice/settings/",
            containing="bio",
            display_name=line[:80],
            bio=vector,
            is_volunteer="on",
            volunteer_offer=vector,
        ).status_code
        == 302
    )
    follow = form_in(alice.get("/agreements/garden/").content.decode(), action="/follow/")
    alice.post("/follow/", follow.data())
    bob.post("/follow/", {"member": "alice"})
    proposed = submit(
        alice,
        "/amendments/new/?kind=change&agreement=garden",
        containing="rationale",
        title=line,
        proposed_title="Garden",
        proposed_summary=line,
        body=f"Beds are shared.\n\n{vector}\n",
        rationale=vector,
    )
    assert proposed.status_code == 302, proposed.content.decode()[:3000]
    amendment = Amendment.objects.get()
    submit(
        alice,
        f"/amendments/{amendment.pk}/edit/",
        containing="note",
        body=f"Beds are shared.\n\n{vector}\n\nAnd more.\n",
        note=line,
    )
    new = submit(
        alice,
        "/amendments/new/?kind=new",
        containing="rationale",
        title=line,
        proposed_title=line,
        body=vector,
        rationale=vector,
        source_url="https://example.org/x",
        source_version=line[:40],
    )
    assert new.status_code == 302
    submit(
        bob,
        amendment.get_absolute_url(),
        action=f"/amendments/{amendment.pk}/comments/",
        body=vector,
    )
    comment = Comment.objects.get()
    assert (
        submit(alice, "/news/new/", containing="body", title=line, body=vector).status_code == 302
    )
    post = NewsItem.objects.get(kind="post")
    assert (
        submit(
            bob, f"/moderation/report/post/{post.pk}/", containing="reason", reason=vector
        ).status_code
        == 302
    )
    hidden = submit(
        mod,
        f"/moderation/act/comment/{comment.pk}/",
        containing="reason",
        act="hide:comment",
        reason=vector,
        clause=CLAUSE,
    )
    entry = hidden["Location"]
    assert submit(bob, entry, containing="body", body=vector).status_code == 302
    installer = as_(people["installer"])
    assert (
        submit(
            installer,
            "/admin/agreements/community/1/change/",
            containing="reason",
            name=line[:120],
            reason=vector,
        ).status_code
        == 302
    )

    anonymous = Client()
    pages = {
        anonymous: [
            "/",
            "/amendments/",
            "/amendments/?phase=discussion",
            amendment.get_absolute_url(),
            f"/amendments/{amendment.pk}/revisions/1..2/",
            "/agreements/garden/",
            "/agreements/garden/history/",
            "/news/",
            post.get_absolute_url(),
            "/members/alice/",
            "/members/bob/",
            "/community/",
            "/moderation/",
            entry,
            "/moderation/?by=mod&act=hide",
        ],
        alice: ["/notifications/", "/members/alice/settings/", f"/amendments/{amendment.pk}/edit/"],
        bob: ["/moderation/reports/mine/", "/notifications/"],
        mod: ["/moderation/reports/", f"/moderation/act/member/{people['alice'].pk}/"],
    }
    for client, paths in pages.items():
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert_inert(response.content.decode(), path)
    for feed in (
        "/news/feed.atom",
        "/agreements/garden/feed.atom",
        f"/amendments/{amendment.pk}/feed.atom",
        "/moderation/feed.atom",
    ):
        response = anonymous.get(feed)
        assert response.status_code == 200, feed
        assert_feed_inert(response.content, feed)

    send_digests()
    message = mail.outbox[-1]
    assert "\n" not in message.subject
    assert line in message.body, "plain text e-mail shows the text as it was written"


LINE_BREAKS = ["Title\nversion: 99", "Title\r\nstatus: repealed", "Title\u2028source: x", "T\x85x"]


@pytest.mark.parametrize("title", LINE_BREAKS)
def test_one_line_fields_refuse_line_breaks_and_write_nothing(people, title):
    alice = as_(people["alice"])

    response = submit(
        alice,
        "/amendments/new/?kind=new",
        containing="rationale",
        title=title,
        proposed_title=title,
        body="Text.",
        rationale="Why.",
    )
    post = submit(alice, "/news/new/", containing="body", title=title, body="B")

    assert response.status_code == 200 and post.status_code == 200
    assert "This field is a single line: remove the line breaks." in response.content.decode()
    assert not Amendment.objects.exists() and not NewsItem.objects.filter(kind="post").exists()


@pytest.mark.parametrize("title", LINE_BREAKS + ['"quoted": x #', "- item", "Tools & things"])
def test_the_markdown_export_header_cannot_be_forged(client, community, title):
    """Texts written before one-line fields refused line breaks (or by the services) are still
    exported with a header whose every line says what it says."""
    agreement = create_agreement(
        title=title, body="Body.\n\n---\nversion: 98\n", origin="borrowed",
        source_url="https://example.org/x", source_version="4\nstatus: x",
    )  # fmt: skip

    text = client.get(f"/agreements/{agreement.slug}.md").content.decode()

    header = text.split("---\n")[1]
    fields = {}
    for row in header.splitlines():
        key, _sep, value = row.partition(": ")
        assert key not in fields, f"{key} twice"
        fields[key] = json.loads(value) if value.startswith('"') else value
    assert set(fields) == {
        "slug", "title", "version", "effective", "status", "origin", "source", "source_version",
        "url",
    }  # fmt: skip
    assert (fields["title"], fields["version"], fields["status"]) == (title, "1", "in_force")
    assert fields["source_version"] == "4\nstatus: x"


def test_a_change_note_reaches_agreement_feeds_escaped(client, community):
    agreement = make_agreement(title="Garden", body="Beds.")
    from agreements.services import publish_version

    publish_version(agreement=agreement, body="Beds!", note="<img src=x onerror=alert(1)>")

    body = client.get(f"/agreements/{agreement.slug}/feed.atom").content
    root = ET.fromstring(body)  # noqa: S314 - our own output, under test
    summaries = [e.text for e in root.iter() if e.get("type") == "html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in summaries
    assert all(problems(text or "") == [] for text in summaries)


@pytest.mark.parametrize("vector", VECTORS[:6])
def test_the_founding_form_shows_hostile_text_inert(client, superuser, vector):
    client.force_login(superuser)
    form = form_in(client.get("/").content.decode(), containing="idea_body")

    client.post("/", form.data(name=vector[:120], idea_title=vector, idea_body=vector))

    for path in ("/", "/agreements/", "/agreements/idea/", "/agreements/idea.md", "/news/"):
        response = client.get(path)
        assert response.status_code == 200, path
        if not path.endswith(".md"):
            assert_inert(response.content.decode(), path)
    assert_feed_inert(client.get("/news/feed.atom").content, "news feed")
