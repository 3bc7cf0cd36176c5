import pytest

from agreements.models import Agreement, Edition
from agreements.services import publish_version, repeal_agreement
from tests.concurrency import require_postgres, run_together
from tests.factories import make_agreement


def test_a_new_version_keeps_the_old_one_readable_and_citable(community):
    agreement = make_agreement(body="Old wording.")
    edition_before = Edition.current_number()

    publish_version(agreement=agreement, body="New wording.", note="Clearer.")

    agreement.refresh_from_db()
    assert agreement.version == 2
    assert agreement.change_note == "Clearer."
    assert f"/agreements/{agreement.slug}/v/2/#p-1" in agreement.body_html
    first = agreement.get_version(1)
    assert first.body == "Old wording."
    assert f"/agreements/{agreement.slug}/v/1/#p-1" in first.body_html
    assert [v.version for v in agreement.versions()] == [1, 2]
    assert Edition.current_number() == edition_before + 1
    assert Edition.objects.latest().reason == Edition.Reason.NEW_VERSION


def test_repeal_keeps_the_text_and_starts_an_edition(community):
    agreement = make_agreement(body="Text.")

    repeal_agreement(agreement=agreement, note="Obsolete.")
    repeal_agreement(agreement=agreement, note="Twice does nothing.")

    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.REPEALED
    assert agreement.body == "Text."
    assert agreement.change_note == "Obsolete."
    assert Edition.objects.latest().reason == Edition.Reason.REPEALED
    assert Edition.objects.filter(reason=Edition.Reason.REPEALED).count() == 1
    assert Edition.objects.latest().requirements_shrank


def test_slugs_are_made_from_titles_and_never_collide(community):
    first = make_agreement(title="Shared tools")
    second = make_agreement(title="Shared Tools")
    russian = make_agreement(title="Общий огород")

    assert (first.slug, second.slug) == ("shared-tools", "shared-tools-2")
    assert russian.slug == "obshchii-ogorod"


def test_the_admin_shows_agreements_and_their_history_but_cannot_change_a_text(
    client, superuser, community
):
    agreement = make_agreement(title="Garden", body="Water on Mondays.")
    publish_version(agreement=agreement, body="Water on Tuesdays.", note="Moved watering day.")
    client.force_login(superuser)
    url = f"/admin/agreements/agreement/{agreement.pk}/change/"

    assert client.get(url).status_code == 200
    history = client.get(f"/admin/agreements/agreement/{agreement.pk}/history/")
    assert history.status_code == 200
    assert "Moved watering day." in history.content.decode()
    response = client.post(url, {"title": "Garden", "body": "Rewritten.", "change_note": "x"})

    assert response.status_code == 403
    agreement.refresh_from_db()
    assert (agreement.version, agreement.body) == (2, "Water on Tuesdays.")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_publications_never_lose_a_version():
    require_postgres()
    agreement = make_agreement(body="Start.")

    _results, errors = run_together(
        *[
            lambda n=n: publish_version(
                agreement=agreement, body=f"Text from writer {n}.", note=f"w{n}"
            )
            for n in range(4)
        ]
    )

    assert errors == []
    agreement.refresh_from_db()
    assert agreement.version == 5
    bodies = {agreement.get_version(n).body for n in range(2, 6)}
    assert bodies == {f"Text from writer {n}." for n in range(4)}
