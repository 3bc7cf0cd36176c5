"""Members report; moderators see a queue; reports are rate-limited; reporters see outcomes."""

from moderation.models import Report
from moderation.services import act
from news.services import publish_post
from tests.factories import make_member, make_user
from tests.forms import submit

from .conftest import MODERATION_CLAUSE


def report(client, kind, pk, reason="It insults me."):
    return submit(client, f"/moderation/report/{kind}/{pk}/", containing="reason", reason=reason)


def test_a_member_reports_and_sees_the_outcome_of_an_act(client, moderator, alice, comment):
    bob = make_member("bob")
    client.force_login(bob)

    response = report(client, "comment", comment.pk)

    assert response["Location"] == "/moderation/reports/mine/"
    mine = client.get("/moderation/reports/mine/").content.decode()
    assert "Waiting for a moderator." in mine and "It insults me." in mine
    client.force_login(moderator)
    queue = client.get("/moderation/reports/").content.decode()
    assert "It insults me." in queue and "@bob" in queue
    entry = act(
        moderator=moderator,
        act="hide",
        target="comment",
        pk=comment.pk,
        reason="Insult.",
        clause=MODERATION_CLAUSE,
    )
    client.force_login(bob)
    mine = client.get("/moderation/reports/mine/").content.decode()
    assert f'A moderator acted: <a href="{entry.get_absolute_url()}">entry #{entry.pk}</a>' in mine
    client.force_login(moderator)
    assert "No open report." in client.get("/moderation/reports/").content.decode()


def test_a_dismissed_report_tells_the_reporter_why(client, moderator, alice, comment):
    bob = make_member("bob")
    client.force_login(bob)
    report(client, "comment", comment.pk)
    client.force_login(moderator)

    submit(client, "/moderation/reports/", containing="note", note="Blunt, but about the beds.")

    client.force_login(bob)
    mine = client.get("/moderation/reports/mine/").content.decode()
    assert "@mod answered that nothing needs to be done:" in mine
    assert "Blunt, but about the beds." in mine


def test_every_kind_can_be_reported(client, alice, amendment, garden):
    bob = make_member("bob")
    post = publish_post(author=alice, title="T", body="B")
    client.force_login(bob)

    for kind, pk in (("amendment", amendment.pk), ("post", post.pk), ("profile", alice.pk)):
        assert report(client, kind, pk).status_code == 302, kind

    assert Report.objects.count() == 3


def test_only_moderators_see_the_queue_and_only_members_report(client, alice, comment):
    client.force_login(alice)
    assert client.get("/moderation/reports/").status_code == 403
    outsider = make_user("outsider")
    client.force_login(outsider)
    assert client.get(f"/moderation/report/comment/{comment.pk}/").status_code == 403
    assert (
        client.post(f"/moderation/report/comment/{comment.pk}/", {"reason": "x"}).status_code == 403
    )
    assert not Report.objects.exists()


def test_reporting_ones_own_content_is_refused(client, alice, comment):
    client.force_login(alice)

    response = report(client, "comment", comment.pk)

    assert response.status_code == 200
    assert "You cannot report your own content." in response.content.decode()
    assert not Report.objects.exists()


def test_reports_are_rate_limited_with_the_time_to_wait(client, alice, comment, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": (2, 3600)}
    bob = make_member("bob")
    client.force_login(bob)

    first = report(client, "comment", comment.pk, reason="One")
    second = report(client, "comment", comment.pk, reason="Two")
    third = report(client, "comment", comment.pk, reason="Three, kept")

    assert (first.status_code, second.status_code, third.status_code) == (302, 302, 429)
    page = third.content.decode()
    assert "You have reached the limit for reports: at most 2 in 1" in page
    assert "Please wait" in page and "minute" in page
    assert "Three, kept" in page
    assert Report.objects.count() == 2
