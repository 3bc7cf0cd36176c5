"""Proposing, reading, discussing and voting through real requests."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agreements.amendments.services import post_comment
from agreements.models import Agreement, Amendment, Comment, Vote
from tests.factories import make_amendment, make_member, make_user
from tests.html_checks import attribute_text, buttons, problems

NEW_TEXT = "Tools are lent for two weeks.\n\nReturn them clean.\n"


@pytest.fixture
def tools(community):
    from tests.factories import make_agreement

    return make_agreement(
        title="Tool library", body="Tools are lent for a week.\n\nReturn them clean."
    )


@pytest.fixture
def alice(tools):
    return make_member("alice")


def proposal(**overrides):
    data = {
        "title": "Longer loans",
        "proposed_title": "Tool library",
        "proposed_summary": "",
        "body": NEW_TEXT,
        "rationale": "A week is too short for a garden project.",
    }
    data.update(overrides)
    return data


def test_procedure_is_public_and_names_the_agreement_that_sets_it(client, community):
    page = client.get("/community/").content.decode()

    assert "Discussion 7 days, then voting 7 days." in page
    assert "5 % of members in good standing and at least 3 votes" in page
    assert "more than 50 % support" in page
    assert "Takes effect 3 days after the vote." in page
    assert "members have 30 days to accept it and stay in good standing" in page
    assert "need more than 66.66 % support and a discussion 2 times as long" in page
    rules_link = '<a href="/agreements/amendments/">How amendments are decided</a>'
    assert f"Set by the table in {rules_link}" in page
    rules = client.get("/agreements/amendments/").content.decode()
    assert "The procedure in force (version 1)" in rules
    # The text itself holds the values the site applies.
    assert "<td>Discussion period</td>" in rules and "<td>7 days</td>" in rules
    assert "This text is entrenched" in rules


def test_change_form_is_prefilled_with_the_current_text(client, tools, alice):
    client.force_login(alice)
    tools_page = client.get(tools.get_absolute_url()).content.decode()
    assert f"/amendments/new/?kind=change&amp;agreement={tools.slug}" in tools_page

    page = client.get(f"/amendments/new/?kind=change&agreement={tools.slug}").content.decode()

    assert "Tools are lent for a week." in page
    assert "based on version 1" in page


def test_preview_shows_the_rendered_text_and_the_diff_and_publishes_nothing(client, tools, alice):
    client.force_login(alice)

    response = client.post(
        f"/amendments/new/?kind=change&agreement={tools.slug}",
        proposal(body="Tools are lent for *two weeks*.\n\nReturn them clean.", preview="1"),
    )

    page = response.content.decode()
    assert "<em>two weeks</em>" in page
    rendered, source = page.split('<details class="diff-source">')
    assert "lent for <del>a week</del><em><ins>two weeks</ins></em>." in rendered
    assert "*two weeks*" not in rendered
    assert "<del>a week</del><ins>*two weeks*</ins>" in source
    assert not Amendment.objects.exists()


def test_the_amendment_page_shows_its_diff_as_read_and_the_source_one_click_away(
    client, tools, alice
):
    amendment = make_amendment(
        author=alice, agreement=tools, body="Tools are lent for **two weeks**.\n\nReturn them."
    )

    page = client.get(amendment.get_absolute_url()).content.decode()

    diff = page[page.index('id="diff-title"') : page.index('id="text-title"')]
    rendered, source = diff.split('<details class="diff-source">')
    assert "<strong><ins>two weeks</ins></strong>" in rendered
    assert "**" not in rendered
    assert "<del>a week</del><ins>**two weeks**</ins>" in source


def test_a_member_proposes_a_change_which_records_its_base(client, tools, alice):
    client.force_login(alice)

    response = client.post(f"/amendments/new/?kind=change&agreement={tools.slug}", proposal())

    amendment = Amendment.objects.get()
    assert response["Location"] == f"/amendments/{amendment.pk}/"
    assert (amendment.kind, amendment.agreement, amendment.base_version) == ("change", tools, 1)
    assert amendment.phase == "discussion"
    assert amendment.discussion_ends_at == amendment.proposed_at + timedelta(days=7)
    assert amendment.voting_ends_at == amendment.proposed_at + timedelta(days=14)
    page = client.get(response["Location"]).content.decode()
    assert "Longer loans" in page
    assert "<del>a week</del><ins>two weeks</ins>" in page
    assert "A week is too short" in page
    assert "Discussion ends" in page and "Voting ends" in page and "Takes effect" in page
    alice.refresh_from_db()
    assert alice.last_action_at >= amendment.proposed_at


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "The proposed text is empty."),
        ("Tools are lent for a week.\n\nReturn them clean.", "is the same as version 1 in force"),
        ("x" * 200_001, "Ensure this value has at most 200000 characters (it has 200001)."),
    ],
)
def test_bad_proposal_texts_are_refused_and_keep_what_was_typed(
    client, tools, alice, body, message
):
    client.force_login(alice)

    response = client.post(
        f"/amendments/new/?kind=change&agreement={tools.slug}",
        proposal(body=body, rationale="My careful <b>rationale</b>"),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "My careful &lt;b&gt;rationale&lt;/b&gt;" in page
    assert not Amendment.objects.exists()


def test_propose_a_new_agreement_and_a_repeal(client, tools, alice):
    client.force_login(alice)

    client.post(
        "/amendments/new/",
        proposal(title="Bicycles", proposed_title="Bicycle sharing", body="Bikes are shared."),
    )
    client.post(
        f"/amendments/new/?kind=repeal&agreement={tools.slug}",
        {"title": "Close the library", "rationale": "Nobody borrows."},
    )

    new, repeal = Amendment.objects.order_by("id")
    assert (new.kind, new.agreement, new.proposed_title) == ("new", None, "Bicycle sharing")
    assert (repeal.kind, repeal.agreement, repeal.body) == ("repeal", tools, "")


def test_the_procedure_agreement_cannot_be_repealed(client, tools, alice):
    client.force_login(alice)
    rules = Agreement.objects.get(slug="amendments")
    assert "kind=repeal" not in client.get(rules.get_absolute_url()).content.decode()

    response = client.post(
        f"/amendments/new/?kind=repeal&agreement={rules.slug}",
        {"title": "No more rules", "rationale": "Chaos."},
    )

    assert "can be changed but not repealed" in response.content.decode()
    assert not Amendment.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "not a member", "member behind on a version"])
def test_only_members_in_good_standing_propose_comment_and_vote(client, tools, alice, who):
    amendment = make_amendment(author=alice, agreement=tools)
    if who == "not a member":
        client.force_login(make_user("outsider"))
    elif who == "member behind on a version":
        bob = make_member("bob")
        from agreements.services import publish_version

        publish_version(agreement=tools, body="Changed meanwhile.", note="x")
        client.force_login(bob)

    responses = [
        client.get(f"/amendments/new/?kind=change&agreement={tools.slug}"),
        client.post("/amendments/new/", proposal()),
        client.post(f"/amendments/{amendment.pk}/comments/", {"body": "Hello"}),
        client.post(f"/amendments/{amendment.pk}/vote/", {"choice": "support"}),
    ]

    for response in responses:
        assert response.status_code == 403
        assert "Only members in good standing may" in response.content.decode()
    assert Amendment.objects.count() == 1
    assert not Comment.objects.exists() and not Vote.objects.exists()


def test_comments_replies_and_paragraph_anchors(client, tools, alice):
    amendment = make_amendment(author=alice, agreement=tools)
    bob = make_member("bob")
    client.force_login(bob)

    first = client.post(
        f"/amendments/{amendment.pk}/comments/", {"body": "Why **two** weeks?", "paragraph": "1"}
    )
    top = Comment.objects.get()
    assert first["Location"] == f"/amendments/{amendment.pk}/#comment-{top.pk}"
    client.force_login(alice)
    client.post(f"/amendments/{amendment.pk}/comments/", {"body": "Gardens.", "parent": top.pk})
    reply = Comment.objects.latest("id")
    client.post(f"/amendments/{amendment.pk}/comments/", {"body": "Deeper?", "parent": reply.pk})

    assert Comment.objects.filter(parent=top).count() == 2, "replies stay one level deep"
    page = client.get(amendment.get_absolute_url()).content.decode()
    assert "Why <strong>two</strong> weeks?" in page
    assert 'href="?paragraph=1#comments">1 comment</a>' in page
    assert "about ¶ 1" in page and "on revision 1" in page
    only = client.get(f"{amendment.get_absolute_url()}?paragraph=2").content.decode()
    assert "Why <strong>two</strong> weeks?" not in only


def test_comment_errors_keep_the_text(client, tools, alice):
    amendment = make_amendment(author=alice, agreement=tools)
    client.force_login(alice)

    response = client.post(
        f"/amendments/{amendment.pk}/comments/", {"body": "My thought", "paragraph": "99"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Select a valid choice." in page
    assert "My thought" in page


def test_comments_are_sanitised(client, tools, alice):
    amendment = make_amendment(author=alice, agreement=tools)
    client.force_login(alice)

    client.post(
        f"/amendments/{amendment.pk}/comments/",
        {"body": "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"},
    )

    html = Comment.objects.get().body_html
    assert problems(html) == []
    assert "javascript:" not in attribute_text(html)
    page = client.get(amendment.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_authors_edit_their_comments_and_earlier_versions_are_kept(client, tools, alice):
    amendment = make_amendment(author=alice, agreement=tools)
    client.force_login(alice)
    client.post(f"/amendments/{amendment.pk}/comments/", {"body": "First thought."})
    comment = Comment.objects.get()

    client.post(f"/amendments/{amendment.pk}/comments/{comment.pk}/edit/", {"body": "Second."})

    comment.refresh_from_db()
    assert comment.body == "Second." and comment.edited_at
    assert [h.body for h in comment.history.order_by("history_date")] == [
        "First thought.",
        "Second.",
    ]
    client.force_login(make_member("mallory"))
    assert (
        client.post(f"/amendments/{amendment.pk}/comments/{comment.pk}/edit/", {"body": "x"})
    ).status_code == 403


def test_author_edits_during_discussion_and_every_revision_is_kept(client, tools, alice):
    amendment = make_amendment(author=alice, agreement=tools)
    client.force_login(alice)
    client.post(f"/amendments/{amendment.pk}/comments/", {"body": "On the first text."})

    response = client.post(
        f"/amendments/{amendment.pk}/edit/",
        proposal(body="Tools are lent for three weeks.\n\nReturn them clean.", note="Three."),
    )

    assert response.status_code == 302
    amendment.refresh_from_db()
    assert amendment.revision == 2
    assert amendment.get_revision(1).body.startswith("Tools are lent for a week.")
    diff = client.get(f"/amendments/{amendment.pk}/revisions/1..2/").content.decode()
    assert "Three." in diff
    page = client.get(amendment.get_absolute_url()).content.decode()
    assert "on revision 1" in page and "2 revisions" in page


def test_editing_after_the_discussion_is_refused(client, tools, alice):
    amendment = make_amendment(author=alice, agreement=tools)
    client.force_login(alice)

    with time_machine.travel(amendment.discussion_ends_at, tick=False):
        response = client.post(
            f"/amendments/{amendment.pk}/edit/", proposal(note="late"), follow=True
        )

    assert "the text is frozen for the vote" in response.content.decode()
    amendment.refresh_from_db()
    assert amendment.revision == 1


def test_only_the_author_edits_or_withdraws(client, tools, alice):
    amendment = make_amendment(author=alice, agreement=tools)
    client.force_login(make_member("bob"))

    assert client.get(f"/amendments/{amendment.pk}/edit/").status_code == 403
    assert client.post(f"/amendments/{amendment.pk}/withdraw/").status_code == 403


def test_author_withdraws(client, tools, alice):
    amendment = make_amendment(author=alice, agreement=tools)
    client.force_login(alice)

    client.post(f"/amendments/{amendment.pk}/withdraw/")

    amendment.refresh_from_db()
    assert amendment.phase == "withdrawn"
    assert "Withdrawn" in client.get(amendment.get_absolute_url()).content.decode()


def test_the_page_shows_the_phase_from_the_deadlines_before_advance_runs(client, tools, alice):
    amendment = make_amendment(author=alice, agreement=tools)
    client.force_login(alice)

    with time_machine.travel(amendment.discussion_ends_at + timedelta(seconds=1), tick=False):
        page = client.get(amendment.get_absolute_url()).content.decode()
        vote = client.post(f"/amendments/{amendment.pk}/vote/", {"choice": "support"})

    assert 'class="phase phase-voting"' in page
    assert 'name="choice" value="support"' in page
    assert vote.status_code == 302
    amendment.refresh_from_db()
    assert amendment.phase == "discussion", "advance has not run; the vote still counted"
    assert amendment.support_count == 1


def test_voting_changing_a_vote_and_a_double_submit(client, tools, alice):
    amendment = make_amendment(author=alice, agreement=tools)
    client.force_login(alice)
    with time_machine.travel(amendment.discussion_ends_at - timedelta(seconds=1), tick=False):
        before = client.post(
            f"/amendments/{amendment.pk}/vote/", {"choice": "support"}, follow=True
        )
    assert Vote.objects.count() == 0, "voting opens only when discussion ends"
    assert "Voting is not open on this amendment." in before.content.decode()

    with time_machine.travel(amendment.discussion_ends_at + timedelta(hours=1), tick=False):
        client.post(f"/amendments/{amendment.pk}/vote/", {"choice": "support"})
        client.post(f"/amendments/{amendment.pk}/vote/", {"choice": "support"})
        client.post(f"/amendments/{amendment.pk}/vote/", {"choice": "oppose"})
        page = client.get(amendment.get_absolute_url()).content.decode()

    amendment.refresh_from_db()
    assert Vote.objects.filter(amendment=amendment).count() == 1
    assert (amendment.support_count, amendment.oppose_count) == (0, 1)
    assert "Your vote: <strong>oppose</strong>" in page
    assert "@alice</a>: oppose" in page


def test_the_three_choices_look_alike_and_the_chosen_one_says_so_in_words(client, tools, alice):
    amendment = make_amendment(author=alice, agreement=tools)
    client.force_login(alice)
    with time_machine.travel(amendment.discussion_ends_at + timedelta(hours=1), tick=False):
        unvoted = client.get(amendment.get_absolute_url()).content.decode()
        client.post(f"/amendments/{amendment.pk}/vote/", {"choice": "oppose"})
        voted = client.get(amendment.get_absolute_url()).content.decode()

    before = {b["value"]: b for b in buttons(unvoted) if b.get("name") == "choice"}
    after = {b["value"]: b for b in buttons(voted) if b.get("name") == "choice"}
    assert {b["class"] for b in [*before.values(), *after.values()]} == {"choice"}
    assert {b["aria-pressed"] for b in before.values()} == {"false"}
    assert after["oppose"]["aria-pressed"] == "true"
    assert after["oppose"]["text"] == "✓ Oppose your vote"
    assert [after[c]["text"] for c in ("support", "abstain")] == ["Support", "Abstain"]
    assert {after[c]["aria-pressed"] for c in ("support", "abstain")} == {"false"}


def test_a_vote_after_the_deadline_is_refused_with_the_result(client, tools, alice):
    amendment = make_amendment(author=alice, agreement=tools)
    client.force_login(alice)

    with time_machine.travel(amendment.voting_ends_at, tick=False):
        response = client.post(
            f"/amendments/{amendment.pk}/vote/", {"choice": "support"}, follow=True
        )

    page = response.content.decode()
    assert "Voting is not open on this amendment." in page
    assert "Rejected: the quorum was not reached." in page
    assert not Vote.objects.exists()


def test_lists_group_by_phase_filter_by_agreement_and_show_on_home(client, tools, alice):
    change = make_amendment(author=alice, agreement=tools, title="Longer loans")
    other = make_amendment(
        author=alice, agreement=Agreement.objects.get(slug="public-agreements"), title="Clarify"
    )
    make_amendment(author=alice, agreement=tools, title="Dropped").phase  # noqa: B018
    Amendment.objects.filter(title="Dropped").update(phase="withdrawn", withdrawn_at=timezone.now())

    page = client.get("/amendments/").content.decode()
    filtered = client.get(f"/amendments/?agreement={tools.slug}").content.decode()
    tools_page = client.get(tools.get_absolute_url()).content.decode()
    home = client.get("/").content.decode()

    assert page.index('id="phase-discussion"') < page.index("Longer loans")
    assert page.index('id="phase-withdrawn"') < page.index("Dropped")
    assert "Clarify" not in filtered and "Longer loans" in filtered
    assert change.get_absolute_url() in tools_page and other.get_absolute_url() not in tools_page
    assert "Closing soon" in home and "Longer loans" in home
    assert client.get("/amendments/?phase=nonsense").status_code == 404
    assert client.get("/amendments/?agreement=nonsense").status_code == 404


def test_unknown_amendments_and_revisions_are_404(client, tools, alice):
    amendment = make_amendment(author=alice, agreement=tools)

    assert client.get("/amendments/99999/").status_code == 404
    assert client.get(f"/amendments/{amendment.pk}/revisions/1..5/").status_code == 404
    assert client.get("/amendments/new/?kind=change&agreement=nope").status_code == 404
    assert client.get("/amendments/new/?kind=bogus").status_code == 404


def test_amendment_page_query_count_is_constant(
    client, tools, alice, django_assert_max_num_queries
):
    amendment = make_amendment(author=alice, agreement=tools)
    for n in range(6):
        member = make_member(f"m{n}")
        from agreements.amendments.services import cast_vote, post_comment

        post_comment(amendment=amendment, author=member, body=f"Comment {n}")
        cast_vote(
            amendment=amendment,
            member=member,
            choice="support",
            now=amendment.discussion_ends_at + timedelta(minutes=n),
        )
    client.force_login(alice)

    # One of them reads its stored collisions with other pending amendments; two count the open
    # vote's tally and the comments from their rows (no counter column every write updates).
    with django_assert_max_num_queries(25):
        assert client.get(amendment.get_absolute_url()).status_code == 200


def test_a_long_discussion_is_paged_oldest_first(client, tools, alice):
    from agreements.amendments.selectors import THREADS_PER_PAGE
    from agreements.amendments.services import post_comment

    amendment = make_amendment(author=alice, agreement=tools)
    start = timezone.now()
    for n in range(THREADS_PER_PAGE + 3):
        post_comment(
            amendment=amendment,
            author=alice,
            body=f"Thought {n:03}",
            now=start + timedelta(seconds=n),
        )

    first = client.get(amendment.get_absolute_url())
    page = first.content.decode()
    assert "Thought 000" in page and f"Thought {THREADS_PER_PAGE - 1:03}" in page
    assert f"Thought {THREADS_PER_PAGE:03}" not in page
    later = client.get(
        amendment.get_absolute_url(), {"after": first.context["threads"].next_cursor}
    ).content.decode()
    assert f"Thought {THREADS_PER_PAGE + 2:03}" in later and "Thought 000" not in later


def test_the_comment_and_reply_boxes_state_their_limit_before_it_is_reached(client, tools, alice):
    amendment = make_amendment(author=alice, agreement=tools)
    first = post_comment(amendment=amendment, author=alice, body="A first thought.")
    client.force_login(alice)

    page = client.get(amendment.get_absolute_url()).content.decode()
    # A reply is written in the same form, reached by the comment's "Reply" link.
    reply = client.get(f"{amendment.get_absolute_url()}?reply={first.pk}").content.decode()

    for html in (page, reply):
        form = html[html.index('id="comment-form" novalidate>') :]
        form = form[: form.index("</form>")]
        comment_help = form[form.index('id="id_body_helptext"') :]
        assert "Up to 20,000 characters." in comment_help[: comment_help.index("</div>")]
        assert 'maxlength="20000"' in form and 'aria-describedby="id_body_helptext"' in form


def test_an_agreement_without_amendments_gets_one_line_not_six_empty_sections(client, tools):
    page = client.get("/amendments/?agreement=idea").content.decode()

    assert "No amendment to this agreement has been proposed yet." in page
    assert "(0)" not in page
    assert "None." not in page


def test_one_line_fields_state_their_limit_and_point_to_it(client, tools, alice):
    client.force_login(alice)

    page = client.get(f"/amendments/new/?kind=change&agreement={tools.slug}").content.decode()

    help_block = page[page.index('id="id_proposed_title_helptext"') :]
    assert "Up to 200 characters." in help_block[: help_block.index("</div>")]
    field = re.search(r'<input[^>]*id="id_proposed_title"[^>]*>', page).group(0)
    assert 'aria-describedby="id_proposed_title_helptext"' in field
    assert 'maxlength="200"' in field
