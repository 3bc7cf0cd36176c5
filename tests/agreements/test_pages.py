import pytest
from django.urls import reverse

from agreements.models import Agreement
from agreements.models import agreement as agreement_models
from agreements.services import publish_version, repeal_agreement
from tests.factories import make_agreement, make_member


@pytest.fixture
def three_versions(community):
    agreement = make_agreement(
        title="Tool library", body="Tools are lent for a week.\n\nReturn them clean."
    )
    agreement = publish_version(
        agreement=agreement,
        body="Tools are lent for two weeks.\n\nReturn them clean.",
        note="Longer loans.",
    )
    return publish_version(
        agreement=agreement,
        body=(
            "Tools are lent for two weeks.\n\nReturn them clean.\n\n"
            "Broken tools are repaired together."
        ),
        note="Repairs.",
    )


def test_home_shows_the_idea_and_agreements_in_force(client, community):
    response = client.get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Our idea" in page
    assert "We are neighbours who share what we have." in page
    assert "Rule by public agreements" in page
    assert reverse("agreements:detail", args=["public-agreements"]) in page


def test_agreement_list_separates_repealed_agreements(client, community):
    gone = make_agreement(title="Old rule")
    repeal_agreement(agreement=gone, note="No longer needed.")

    response = client.get("/agreements/")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Rule by public agreements") < page.index("Repealed") < page.index("Old rule")


def test_agreement_page_shows_current_text_with_citable_paragraphs(client, three_versions):
    response = client.get(f"/agreements/{three_versions.slug}/")

    page = response.content.decode()
    assert "Broken tools are repaired together." in page
    assert 'id="p-3"' in page
    assert f'href="/agreements/{three_versions.slug}/v/3/#p-3"' in page
    assert "Version 3" in page
    assert f"/agreements/{three_versions.slug}/diff/2..3/" in page


def test_an_old_version_is_shown_as_it_was(client, three_versions):
    response = client.get(f"/agreements/{three_versions.slug}/v/1/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Tools are lent for a week." in page
    assert "two weeks" not in page
    assert "This is an earlier wording" in page
    assert f'href="/agreements/{three_versions.slug}/v/1/#p-1"' in page


def test_history_lists_every_version_with_who_when_why_and_a_diff_link(client, three_versions):
    response = client.get(f"/agreements/{three_versions.slug}/history/")

    page = response.content.decode()
    assert response.status_code == 200
    for note in ("Longer loans.", "Repairs."):
        assert note in page
    assert f"/agreements/{three_versions.slug}/diff/1..2/" in page
    assert f"/agreements/{three_versions.slug}/diff/2..3/" in page
    assert f"/agreements/{three_versions.slug}/v/1/" in page


def test_diff_between_any_two_versions(client, three_versions):
    response = client.get(f"/agreements/{three_versions.slug}/diff/1..3/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<del>a week</del><ins>two weeks</ins>" in page
    assert "<ins>Broken tools are repaired together.</ins>" in page


def test_diff_backwards_shows_the_reverse_change(client, three_versions):
    page = client.get(f"/agreements/{three_versions.slug}/diff/3..1/").content.decode()

    assert "<del>two weeks</del><ins>a week</ins>" in page


def test_compare_form_redirects_to_the_canonical_diff_address(client, three_versions):
    response = client.get(f"/agreements/{three_versions.slug}/diff/", {"a": 1, "b": 3})

    assert response.status_code == 302
    assert response["Location"] == f"/agreements/{three_versions.slug}/diff/1..3/"


def test_compare_form_with_nonsense_goes_back_to_history(client, three_versions):
    response = client.get(f"/agreements/{three_versions.slug}/diff/", {"a": "x", "b": 99})

    assert response.status_code == 302
    assert response["Location"] == f"/agreements/{three_versions.slug}/history/"


@pytest.mark.parametrize(
    "path",
    [
        "/agreements/no-such-agreement/",
        "/agreements/no-such-agreement/history/",
        "/agreements/no-such-agreement.md",
        "/agreements/{slug}/v/4/",
        "/agreements/{slug}/v/0/",
        "/agreements/{slug}/diff/1..9/",
        "/agreements/{slug}/diff/0..1/",
        "/agreements/{slug}/diff/99999999999999999999..1/",
    ],
)
def test_unknown_agreements_and_versions_are_404_not_500(client, three_versions, path):
    response = client.get(path.format(slug=three_versions.slug))

    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_markdown_export_has_a_metadata_header(client, three_versions):
    response = client.get(f"/agreements/{three_versions.slug}.md")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    header, body = text.split("---\n", 2)[1:]
    assert "title: Tool library\n" in header
    assert "version: 3\n" in header
    assert "origin: own\n" in header
    assert f"effective: {three_versions.effective_at.isoformat(timespec='seconds')}" in header
    assert f"url: http://testserver/agreements/{three_versions.slug}/" in header
    assert body.strip() == three_versions.body.strip()


def test_markdown_export_of_a_borrowed_agreement_names_its_source(client, community):
    borrowed = make_agreement(
        title="Quiet hours",
        origin=Agreement.Origin.BORROWED,
        source_url="https://example.org/hillside/quiet-hours/",
        source_version="4",
    )

    text = client.get(f"/agreements/{borrowed.slug}.md").content.decode()

    assert "origin: borrowed\n" in text
    assert "source: https://example.org/hillside/quiet-hours/\n" in text
    assert "source_version: 4\n" in text


def test_borrowed_agreement_page_credits_its_source(client, community):
    borrowed = make_agreement(
        title="Quiet hours",
        origin=Agreement.Origin.BORROWED,
        source_url="https://example.org/hillside/quiet-hours/",
        source_version="4",
    )

    page = client.get(borrowed.get_absolute_url()).content.decode()

    assert "borrowed from" in page
    assert 'href="https://example.org/hillside/quiet-hours/"' in page


def test_repealed_agreement_stays_readable(client, three_versions):
    repeal_agreement(agreement=three_versions, note="Replaced by the garden rules.")

    page = client.get(three_versions.get_absolute_url()).content.decode()

    assert "This agreement has been repealed" in page
    assert "Broken tools are repaired together." in page


def test_pages_never_render_markdown(client, three_versions, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("Markdown rendered during a request")

    monkeypatch.setattr(agreement_models, "render_markdown", refuse)
    slug = three_versions.slug
    for path in (
        "/",
        "/agreements/",
        f"/agreements/{slug}/",
        f"/agreements/{slug}/v/1/",
        f"/agreements/{slug}/history/",
        f"/agreements/{slug}/diff/1..3/",
        f"/agreements/{slug}.md",
    ):
        assert client.get(path).status_code == 200, path


def test_page_query_counts_do_not_grow_with_the_number_of_versions(
    client, three_versions, django_assert_max_num_queries
):
    for n in range(10):
        publish_version(agreement=three_versions, body=f"Version text {n}.", note=f"Change {n}.")
    # A formed community, as it is for all its life but the first days (forming costs two
    # reads more, on a site with a handful of members).
    make_member("first")
    slug = three_versions.slug
    for path in (
        "/",
        "/agreements/",
        f"/agreements/{slug}/",
        f"/agreements/{slug}/v/2/",
        f"/agreements/{slug}/history/",
        f"/agreements/{slug}/diff/1..12/",
    ):
        with django_assert_max_num_queries(12):
            assert client.get(path).status_code == 200


def test_a_diff_shows_the_text_as_read_with_the_markdown_source_one_click_away(client, community):
    deposits = make_agreement(title="Deposits", body="**Deposit.** A quarter of the price.")
    publish_version(agreement=deposits, body="**Deposit.** A tenth of the price.", note="Less.")

    page = client.get(f"/agreements/{deposits.slug}/diff/1..2/").content.decode()

    rendered, source = page.split('<details class="diff-source">')
    assert "<strong>Deposit.</strong> A <del>quarter</del><ins>tenth</ins> of" in rendered
    assert "**Deposit.**" not in rendered
    assert "**Deposit.** A <del>quarter</del><ins>tenth</ins> of" in source
