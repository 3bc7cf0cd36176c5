"""Borrowing an agreement from another community: from its live site, or from its export file;
then following the source when it publishes a newer version."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements.amendments.advancing import advance_amendments
from agreements.amendments.services import cast_vote
from agreements.models import Agreement, Amendment, SourceCheck
from agreements.selectors import markdown_export
from members.services import accept_agreements
from tests.factories import make_agreement, make_member, versions_in_force
from tests.forms import form_data
from tests.instances import QUIET_HOURS_V2

QUIET_HOURS_V3 = (
    "Quiet hours are from 22:00 to 7:00, and until 9:00 on Sundays.\n\n"
    "No power tools during quiet hours.\n\n"
    "Parties end by midnight on Saturdays.\n"
)


@pytest.fixture
def members(community):
    return [make_member(name) for name in ("alice", "bob", "carol")]


def adopt(amendment, voters):
    """Vote it through under the procedure and let it take effect."""
    during_vote = amendment.discussion_ends_at + timedelta(hours=1)
    advance_amendments(now=during_vote)
    for member in voters:
        member.refresh_from_db()
        cast_vote(amendment=amendment, member=member, choice="support", now=during_vote)
    advance_amendments(
        now=amendment.voting_ends_at + timedelta(days=amendment.effect_delay_days, hours=1)
    )
    amendment.refresh_from_db()
    assert amendment.phase == "adopted" and amendment.applied_at
    return amendment


def accept_again(*people):
    for member in people:
        accept_agreements(member=member, versions=versions_in_force(), complete=True)
        member.refresh_from_db()


def test_a_member_borrows_from_a_live_site_and_later_follows_its_new_version(
    client, members, hillside, loopback_allowed
):
    alice = members[0]
    client.force_login(alice)
    page = client.get("/amendments/borrow/").content.decode()
    _action, fields = form_data(page, containing="address")
    fields.update(
        address=f"{hillside.url}/agreements/quiet-hours/",
        rationale="Hillside's quiet hours suit our street too.",
    )

    preview = client.post("/amendments/borrow/", {**fields, "preview": "1"}).content.decode()
    assert "Sundays" in preview and "version 2 at its source" in preview
    assert not Amendment.objects.exists()
    _action, fields = form_data(preview, containing="address")
    response = client.post("/amendments/borrow/", fields)

    amendment = Amendment.objects.get()
    assert response["Location"] == amendment.get_absolute_url()
    assert (amendment.kind, amendment.source_version) == ("new", "2")
    assert amendment.source_url == f"{hillside.url}/agreements/quiet-hours/"
    assert amendment.body == QUIET_HOURS_V2
    assert amendment.proposed_title == "Quiet hours"
    assert amendment.title == "Borrow “Quiet hours” (version 2 at its source)"
    page = client.get(amendment.get_absolute_url()).content.decode()
    assert f'borrowed from <a href="{amendment.source_url}"' in page

    adopt(amendment, members)
    borrowed = Agreement.objects.get(title="Quiet hours")
    assert (borrowed.origin, borrowed.source_version) == ("borrowed", "2")
    page = client.get(borrowed.get_absolute_url()).content.decode()
    assert "borrowed from" in page and "their version 2" in page
    assert "About its source" in page

    hillside.publish("quiet-hours", QUIET_HOURS_V3, note="Saturday parties.")
    accept_again(*members)
    source_page = client.get(f"/agreements/{borrowed.slug}/source/").content.decode()
    action, fields = form_data(source_page, containing="action")
    assert fields["action"] == "check"
    client.post(f"/agreements/{borrowed.slug}/source/", fields)

    check = SourceCheck.objects.get(agreement=borrowed)
    assert (check.version, check.method, check.error) == (3, "address", "")
    page = client.get(borrowed.get_absolute_url()).content.decode()
    assert "Its source has a newer version: 3 (this text follows version 2)." in page
    source_page = client.get(f"/agreements/{borrowed.slug}/source/").content.decode()
    assert "<ins>Parties end by midnight on Saturdays.</ins>" in source_page
    _action, fields = form_data(source_page, containing="body")
    assert fields["title"] == "Follow version 3 of the source"
    client.post(f"/agreements/{borrowed.slug}/source/", fields)

    update = Amendment.objects.get(kind="change")
    assert (update.agreement, update.source_version, update.body) == (borrowed, "3", QUIET_HOURS_V3)
    page = client.get(update.get_absolute_url()).content.decode()
    assert "<ins>Parties end by midnight on Saturdays.</ins>" in page
    adopt(update, members)
    borrowed.refresh_from_db()
    assert (borrowed.version, borrowed.source_version) == (2, "3")
    assert borrowed.get_version(1).source_version == "2"
    assert "newer version" not in client.get(borrowed.get_absolute_url()).content.decode()


def _export_of(agreement, url):
    return SimpleUploadedFile(
        f"{agreement.slug}.md", markdown_export(agreement, url).encode(), "text/markdown"
    )


def _export(*, slug, title, version, url, body):
    """An export file as another site writes it (the header `markdown_export` writes)."""
    text = f"---\nslug: {slug}\ntitle: {title}\nversion: {version}\nurl: {url}\n---\n\n{body}"
    return SimpleUploadedFile(f"{slug}.md", text.encode(), "text/markdown")


def test_a_member_borrows_from_an_uploaded_export_file(client, members):
    # Its own export format, as any site running Soglasie writes it.
    source = make_agreement(title="Seed library", body="Share seeds.\n\nBring some back.\n")
    accept_again(members[0])
    client.force_login(members[0])
    page = client.get("/amendments/borrow/").content.decode()
    _action, fields = form_data(page, containing="export_file")
    fields["rationale"] = "We want a seed library like theirs."
    upload = _export_of(source, "https://other.example/riverside/agreements/seed-library/")

    response = client.post("/amendments/borrow/", {**fields, "export_file": upload})

    amendment = Amendment.objects.get()
    assert response["Location"] == amendment.get_absolute_url()
    assert amendment.source_url == "https://other.example/riverside/agreements/seed-library/"
    assert (amendment.source_version, amendment.body) == ("1", source.body)


def test_after_a_preview_the_uploaded_file_is_not_asked_again(client, members):
    source = make_agreement(title="Seed library", body="Share seeds.\n")
    accept_again(members[0])
    client.force_login(members[0])
    page = client.get("/amendments/borrow/").content.decode()
    _action, fields = form_data(page, containing="export_file")
    fields["rationale"] = "Seeds."
    upload = _export_of(source, "https://other.example/agreements/seed-library/")

    preview = client.post(
        "/amendments/borrow/", {**fields, "export_file": upload, "preview": "1"}
    ).content.decode()
    assert "need not choose it again" in preview
    _action, fields = form_data(preview, containing="export_text")
    client.post("/amendments/borrow/", fields)

    assert Amendment.objects.get().source_url == "https://other.example/agreements/seed-library/"


def test_a_newer_export_file_of_the_source_offers_the_update(client, members):
    url = "https://other.example/agreements/quiet-hours/"
    borrowed = make_agreement(
        title="Quiet hours", body=QUIET_HOURS_V2, origin="borrowed", source_url=url,
        source_version="2",
    )  # fmt: skip
    accept_again(*members)
    client.force_login(members[0])
    page = client.get(f"/agreements/{borrowed.slug}/source/").content.decode()
    _action, fields = form_data(page, containing="export_file")
    newer = _export(
        slug="quiet-hours", title="Quiet hours", version=3, url=url, body=QUIET_HOURS_V3
    )

    client.post(f"/agreements/{borrowed.slug}/source/", {**fields, "export_file": newer})

    check = SourceCheck.objects.get(agreement=borrowed)
    assert (check.version, check.method, check.checked_by) == (3, "file", members[0])
    assert "newer version: 3" in client.get(borrowed.get_absolute_url()).content.decode()


def test_an_export_of_another_agreement_is_not_taken_as_the_source(client, members):
    borrowed = make_agreement(
        title="Quiet hours", body=QUIET_HOURS_V2, origin="borrowed",
        source_url="https://other.example/agreements/quiet-hours/", source_version="2",
    )  # fmt: skip
    accept_again(*members)
    client.force_login(members[0])
    page = client.get(f"/agreements/{borrowed.slug}/source/").content.decode()
    _action, fields = form_data(page, containing="export_file")
    other = _export(
        slug="garden", title="Garden", version=4, url="https://other.example/agreements/garden/",
        body="Water the beds.\n",
    )  # fmt: skip

    response = client.post(f"/agreements/{borrowed.slug}/source/", {**fields, "export_file": other})

    assert "not of this agreement&#x27;s source" in response.content.decode()
    assert not SourceCheck.objects.exists()


def test_local_changes_are_kept_when_the_update_is_proposed(client, members):
    url = "https://other.example/agreements/quiet-hours/"
    borrowed = make_agreement(
        title="Quiet hours", body=QUIET_HOURS_V2, origin="borrowed", source_url=url,
        source_version="2",
    )  # fmt: skip
    from agreements.services import publish_version

    publish_version(
        agreement=borrowed, body="Our street adds: no leaf blowers.\n\n" + QUIET_HOURS_V2,
        note="Ours.",
    )  # fmt: skip
    SourceCheck.objects.create(
        agreement=borrowed, method="file", version=3, title="Quiet hours", body=QUIET_HOURS_V3
    )
    accept_again(*members)
    client.force_login(members[0])

    page = client.get(f"/agreements/{borrowed.slug}/source/").content.decode()

    _action, fields = form_data(page, containing="body")
    assert "Parties end by midnight on Saturdays." in fields["body"]
    assert fields["body"].startswith("Our street adds: no leaf blowers.")
    assert "keeps those changes" in page


def test_overlapping_local_changes_are_flagged_and_the_source_text_proposed(client, members):
    borrowed = make_agreement(
        title="Quiet hours", body=QUIET_HOURS_V2, origin="borrowed",
        source_url="https://other.example/agreements/quiet-hours/", source_version="2",
    )  # fmt: skip
    from agreements.services import publish_version

    publish_version(agreement=borrowed, body=QUIET_HOURS_V2 + "\nNo leaf blowers.\n", note="O")
    SourceCheck.objects.create(
        agreement=borrowed, method="file", version=3, title="Quiet hours", body=QUIET_HOURS_V3
    )
    accept_again(*members)
    client.force_login(members[0])

    page = client.get(f"/agreements/{borrowed.slug}/source/").content.decode()

    _action, fields = form_data(page, containing="body")
    assert fields["body"] == QUIET_HOURS_V3
    assert "overlap the source" in page


def test_visitors_see_the_source_but_no_forms_that_would_refuse_them(client, community):
    borrowed = make_agreement(
        title="Quiet hours", body=QUIET_HOURS_V2, origin="borrowed",
        source_url="https://other.example/agreements/quiet-hours/", source_version="2",
    )  # fmt: skip
    SourceCheck.objects.create(
        agreement=borrowed, method="file", version=3, title="Quiet hours", body=QUIET_HOURS_V3
    )

    page = client.get(f"/agreements/{borrowed.slug}/source/").content.decode()

    assert "<ins>Parties end by midnight on Saturdays.</ins>" in page
    assert 'method="post"' not in page.split("<main", 1)[1]
    assert "sign up</a> and accept the agreements in force" in page
    assert client.get("/amendments/borrow/").status_code == 403
