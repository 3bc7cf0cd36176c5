"""Moderator power exists only as granted in public, for the procedure's term, and lapses."""

from datetime import timedelta
from io import StringIO

import time_machine
from django.core.management import call_command
from django.utils import timezone

from agreements.models import Procedure
from moderation.models import ModerationAction, ModeratorGrant
from moderation.services import is_moderator
from tests.factories import make_member, make_user
from tests.forms import submit

from .conftest import GRANT_CLAUSE


def test_the_installer_grants_power_through_the_form_and_it_is_logged(client, superuser, alice):
    client.force_login(superuser)

    response = submit(
        client,
        f"/moderation/act/member/{alice.pk}/",
        containing="reason",
        act="grant:member",
        reason="Chosen at the monthly meeting.",
        clause=f"http://testserver{GRANT_CLAUSE}",
    )

    entry = ModerationAction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == entry.get_absolute_url()
    assert (entry.act, entry.actor, entry.member) == ("grant", superuser, alice)
    assert entry.clause_url == GRANT_CLAUSE
    assert entry.ends_at == entry.created_at + timedelta(
        days=Procedure.current().moderator_term_days
    )
    assert is_moderator(alice)
    log = client.get("/moderation/").content.decode()
    assert "Grant moderator power" in log
    assert "@alice" in log and "Chosen at the monthly meeting." in log
    assert "Who holds moderator power now" in log


def test_the_term_is_the_one_the_procedure_sets(client, superuser, alice):
    procedure = Procedure.current()
    procedure.moderator_term_days = 30
    procedure.save()
    client.force_login(superuser)

    submit(
        client,
        f"/moderation/act/member/{alice.pk}/",
        containing="reason",
        act="grant:member",
        reason="r",
        clause=GRANT_CLAUSE,
    )

    grant = ModeratorGrant.objects.get()
    assert grant.ends_at - grant.starts_at == timedelta(days=30)
    assert "for 30 days, the term the procedure sets" in client.get("/moderation/").content.decode()


def test_only_the_installer_grants_and_members_cannot_even_see_the_form(client, moderator, alice):
    client.force_login(alice)
    assert client.get(f"/moderation/act/member/{moderator.pk}/").status_code == 403

    client.force_login(moderator)
    page = client.get(f"/moderation/act/member/{alice.pk}/").content.decode()
    assert "grant:member" not in page
    response = client.post(
        f"/moderation/act/member/{alice.pk}/",
        {"act": "grant:member", "reason": "I say so", "clause": GRANT_CLAUSE},
    )
    assert response.status_code == 200  # the choice is not offered: a form error, nothing done
    assert "Select a valid choice" in response.content.decode()
    assert not ModeratorGrant.objects.filter(member=alice).exists()


def test_power_is_granted_only_to_a_member_in_good_standing(client, superuser, garden):
    outsider = make_user("outsider")
    client.force_login(superuser)

    response = submit(
        client,
        f"/moderation/act/member/{outsider.pk}/",
        containing="reason",
        act="grant:member",
        reason="r",
        clause=GRANT_CLAUSE,
    )

    assert response.status_code == 200
    assert "only to a member in good standing" in response.content.decode()
    assert not ModerationAction.objects.exists()


def test_a_grant_lapses_by_itself_when_advance_runs(client, moderator):
    grant = ModeratorGrant.objects.get(member=moderator)

    with time_machine.travel(grant.ends_at + timedelta(minutes=1), tick=False):
        assert not is_moderator(moderator)  # the page is right before advance runs
        out = StringIO()
        call_command("advance", stdout=out)
        call_command("advance", stdout=StringIO())  # idempotent
        log = client.get("/moderation/").content.decode()

    assert f"moderator grant #{grant.pk} lapsed" in out.getvalue()
    lapse = ModerationAction.objects.get(act="lapse")
    assert lapse.member == moderator and lapse.actor is None
    assert lapse.created_at == grant.ends_at
    grant.refresh_from_db()
    assert grant.ended_by == lapse
    assert "Moderator power lapsed" in log
    assert "Nobody: no one holds moderator power." in log


def test_revoking_ends_power_in_public_and_a_new_grant_renews(client, superuser, moderator):
    client.force_login(superuser)
    submit(
        client,
        f"/moderation/act/member/{moderator.pk}/",
        containing="reason",
        act="revoke:member",
        reason="Asked to step down.",
        clause=GRANT_CLAUSE,
    )
    assert not is_moderator(moderator)
    assert ModerationAction.objects.filter(act="revoke", member=moderator).exists()

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        submit(
            client,
            f"/moderation/act/member/{moderator.pk}/",
            containing="reason",
            act="grant:member",
            reason="Back.",
            clause=GRANT_CLAUSE,
        )
        submit(
            client,
            f"/moderation/act/member/{moderator.pk}/",
            containing="reason",
            act="grant:member",
            reason="Renewed.",
            clause=GRANT_CLAUSE,
        )
        assert is_moderator(moderator)
    assert ModeratorGrant.objects.filter(member=moderator, ended_at__isnull=True).count() == 1
    assert ModeratorGrant.objects.filter(member=moderator).count() == 3


def test_a_moderator_who_loses_good_standing_loses_the_power(moderator):
    from members.services import leave

    leave(member=moderator)
    moderator.refresh_from_db()

    assert not is_moderator(moderator)


def test_the_installers_rename_in_the_admin_is_logged_with_its_reason(client, superuser, community):
    client.force_login(superuser)

    refused = submit(client, "/admin/agreements/community/1/change/", containing="reason", name="X")
    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()

    done = submit(
        client,
        "/admin/agreements/community/1/change/",
        containing="reason",
        name="Hillside Commons",
        reason="The street voted for the new name.",
    )

    assert done.status_code == 302
    entry = ModerationAction.objects.get(act="installer")
    assert (entry.actor, entry.original, entry.changed_to) == (
        superuser,
        "Test Commons",
        "Hillside Commons",
    )
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "The street voted for the new name." in page
    assert "<del>Test Commons</del> → <ins>Hillside Commons</ins>" in page
    assert "Hillside Commons" in client.get("/").content.decode()


def test_the_log_is_filtered_and_has_an_atom_feed(client, moderator, alice, superuser):
    make_member("bob")
    client.force_login(superuser)
    submit(
        client,
        f"/moderation/act/member/{alice.pk}/",
        containing="reason",
        act="grant:member",
        reason="Second moderator.",
        clause=GRANT_CLAUSE,
    )

    by_installer = client.get("/moderation/", {"act": "grant", "by": "installer"}).content.decode()
    nothing = client.get("/moderation/", {"act": "hide"}).content.decode()
    feed = client.get("/moderation/feed.atom")

    assert by_installer.count('class="log-entry"') == 2
    assert "No power has been used yet." in nothing
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert "@installer: grant moderator power — @alice" in body
    assert "Second moderator." in body
