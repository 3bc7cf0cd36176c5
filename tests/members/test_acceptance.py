from datetime import timedelta

from django.utils import timezone

from agreements.models import Agreement
from agreements.services import publish_version, repeal_agreement
from members.models import Acceptance, User
from members.selectors import role_counts
from tests.factories import make_agreement, make_member, make_user, versions_in_force


def accept_all_form(**extra):
    return {**{f"v-{pk}": version for pk, version in versions_in_force().items()}, **extra}


def test_join_page_shows_every_agreement_and_sends_visitors_through_signup(client, community):
    response = client.get("/join/")

    page = response.content.decode()
    for agreement in Agreement.objects.in_force():
        assert agreement.title in page
    assert "<details" in page
    assert 'href="/accounts/signup/?next=/join/"' in page
    post = client.post("/join/", accept_all_form())
    assert post["Location"] == "/accounts/signup/?next=/join/"


def test_accepting_all_makes_a_member_in_good_standing(client, community):
    alice = make_user("alice")
    client.force_login(alice)

    response = client.post("/join/", accept_all_form(complete="1"), follow=True)

    assert "You are a member now. Welcome!" in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_member and alice.is_in_good_standing
    assert alice.current_acceptances().count() == Agreement.objects.in_force().count()
    profile = client.get("/members/alice/").content.decode()
    assert "member in good standing" in profile
    assert "Member since" in profile
    counts = role_counts()
    # Accepting makes a member, not the active core: that takes proposing, commenting, voting
    # or posting.
    assert (counts.members, counts.in_good_standing, counts.active_core) == (1, 1, 0)
    assert "active core" not in profile


def test_accepting_one_agreement_from_its_page(client, community):
    alice = make_user("alice")
    client.force_login(alice)
    agreement = Agreement.objects.get(slug="public-agreements")
    before = client.get(agreement.get_absolute_url()).content.decode()
    assert "You have not accepted this agreement." in before

    response = client.post(
        "/join/", {f"v-{agreement.pk}": agreement.version, "next": agreement.get_absolute_url()}
    )

    assert response["Location"] == agreement.get_absolute_url()
    after = client.get(agreement.get_absolute_url()).content.decode()
    assert "You accept this agreement (version 1)." in after
    alice.refresh_from_db()
    assert not alice.is_member, "one agreement out of several does not make a member"
    assert alice.accepted_version_of(agreement) == 1


def test_accepting_twice_creates_nothing_twice(client, community):
    alice = make_user("alice")
    client.force_login(alice)
    form = accept_all_form(complete="1")

    client.post("/join/", form)
    second = client.post("/join/", form, follow=True)

    assert "You had already accepted this." in second.content.decode()
    assert Acceptance.objects.filter(member=alice).count() == Agreement.objects.in_force().count()
    assert role_counts().members == 1


def test_a_version_that_changed_while_the_page_was_open_is_not_accepted(client, community):
    alice = make_user("alice")
    client.force_login(alice)
    form = accept_all_form(complete="1")
    rules = Agreement.objects.get(slug="public-agreements")
    publish_version(agreement=rules, body=rules.body + "\n\nA clause added meanwhile.", note="x")

    response = client.post("/join/", form)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was accepted: an agreement changed while you were reading." in page
    assert "<ins>A clause added meanwhile.</ins>" in page
    assert not Acceptance.objects.filter(member=alice).exists()


def test_an_agreement_added_while_the_page_was_open_is_asked_for(client, community):
    alice = make_user("alice")
    client.force_login(alice)
    form = accept_all_form(complete="1")
    make_agreement(title="Bicycles", body="Ride slowly.")

    response = client.post("/join/", form)

    page = response.content.decode()
    assert "Changed while you were reading" in page
    assert "Bicycles" in page
    assert not Acceptance.objects.filter(member=alice).exists()


def test_a_damaged_form_is_refused_with_a_message(client, community):
    client.force_login(make_user("alice"))

    response = client.post("/join/", {"v-abc": "1"}, follow=True)

    assert "The form was damaged; please try again." in response.content.decode()
    assert not Acceptance.objects.exists()


def test_a_new_version_asks_members_to_accept_again_on_every_page(client, community):
    alice = make_member("alice")
    client.force_login(alice)
    rules = Agreement.objects.get(slug="public-agreements")
    publish_version(agreement=rules, body=rules.body + "\n\nNew clause.", note="More.")

    alice.refresh_from_db()
    assert alice.is_member and not alice.is_in_good_standing
    for path in ("/", "/agreements/", "/community/", "/members/alice/"):
        page = client.get(path).content.decode()
        assert "Agreements changed since you accepted them" in page, path
        assert f"/agreements/{rules.slug}/diff/1..2/" in page, path
    diff = client.get(f"/agreements/{rules.slug}/diff/1..2/").content.decode()
    assert "Accept version 2" in diff
    assert "/join/leave/" in diff
    profile = client.get("/members/alice/").content.decode()
    assert "member who has not accepted the changes" in profile

    client.post("/join/", {f"v-{rules.pk}": 2})

    alice.refresh_from_db()
    assert alice.is_in_good_standing
    rows = Acceptance.objects.filter(member=alice, agreement=rules).order_by("version")
    assert [(r.version, r.superseded_at is not None) for r in rows] == [(1, True), (2, False)]
    assert "Agreements changed since" not in client.get("/").content.decode()


def test_join_page_for_a_member_shows_what_changed_since_their_version(client, community):
    alice = make_member("alice")
    client.force_login(alice)
    rules = Agreement.objects.get(slug="public-agreements")
    publish_version(agreement=rules, body="Entirely new wording.", note="Rewrite.")

    page = client.get("/join/").content.decode()

    assert "<ins>Entirely new wording.</ins>" in page
    assert "Accept the new version" in page
    client.post("/join/", accept_all_form(complete="1"))
    alice.refresh_from_db()
    assert alice.is_in_good_standing


def test_leaving_withdraws_every_acceptance_and_keeps_them(client, community):
    alice = make_member("alice")
    client.force_login(alice)
    assert "Leaving withdraws" in client.get("/join/leave/").content.decode()

    client.post("/join/leave/")

    alice.refresh_from_db()
    assert alice.is_former_member and not alice.is_member
    assert not alice.current_acceptances().exists()
    assert Acceptance.objects.filter(member=alice, withdrawn_at__isnull=False).count() == 7 + 1
    profile = client.get("/members/alice/").content.decode()
    assert "former member" in profile
    assert "withdrawn on leaving" in profile
    counts = role_counts()
    assert (counts.members, counts.former, counts.in_good_standing) == (0, 1, 0)


def test_rejoining_is_the_same_act_as_joining(client, community):
    alice = make_member("alice")
    client.force_login(alice)
    client.post("/join/leave/")

    client.post("/join/", accept_all_form(complete="1"))

    alice.refresh_from_db()
    assert alice.is_member and alice.is_in_good_standing and alice.left_at is None
    counts = role_counts()
    assert (counts.members, counts.former, counts.in_good_standing) == (1, 0, 1)
    assert Acceptance.objects.filter(member=alice).count() == 2 * (7 + 1)


def test_repealing_an_agreement_restores_standing_of_those_who_accepted_the_rest(community):
    extra = make_agreement(title="Bicycles", body="Ride slowly.")
    alice = make_member("alice")
    rules = Agreement.objects.get(slug="public-agreements")
    publish_version(agreement=extra, body="Ride very slowly.", note="Slower.")
    alice.refresh_from_db()
    assert not alice.is_in_good_standing
    assert role_counts().in_good_standing == 0

    repeal_agreement(agreement=extra, note="No bicycles any more.")

    alice.refresh_from_db()
    assert alice.is_in_good_standing
    assert role_counts().in_good_standing == 1
    assert rules.is_in_force


def test_profile_lists_public_acceptances(client, community):
    make_member("alice")

    page = client.get("/members/alice/").content.decode()

    assert 'accepted <a href="/agreements/public-agreements/v/1/">' in page


def test_accepted_counts_per_agreement_on_the_community_page(client, community):
    make_member("alice")
    make_member("bob")
    rules = Agreement.objects.get(slug="public-agreements")
    publish_version(agreement=rules, body="Changed.", note="x")
    bob = User.objects.get(username="bob")
    client.force_login(bob)
    client.post("/join/", {f"v-{rules.pk}": 2})

    page = client.get("/community/").content.decode()

    row = page[page.index(">Rule by public agreements<") :].split("</tr>", 1)[0]
    assert '"Version in force">2</td>' in row and '"Accepted by">1</td>' in row


def test_community_page_query_count_does_not_grow_with_members(
    client, community, django_assert_max_num_queries
):
    for n in range(15):
        make_member(f"m{n}", now=timezone.now() - timedelta(days=n))
    with django_assert_max_num_queries(10):
        assert client.get("/community/").status_code == 200


def test_the_changed_agreements_notice_is_computed_once_per_page(
    client, community, django_assert_max_num_queries
):
    alice = make_member("alice")
    rules = Agreement.objects.get(slug="public-agreements")
    publish_version(agreement=rules, body="Changed.", note="x")
    client.force_login(alice)
    client.get("/agreements/")

    # Session, member, unread notifications, the list: the notice is kept from the first page
    # until the next public write, one cache lookup.
    with django_assert_max_num_queries(4):
        page = client.get("/agreements/").content.decode()

    assert "Agreements changed since you accepted them" in page
