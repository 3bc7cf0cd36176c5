"""A community begins when several people agree (the seeds): until the number set at founding
have accepted its agreements it is forming, and nothing can be proposed or decided."""

from io import StringIO

import pytest
from django.core.management import call_command

from agreements.amendments.services import NotAllowed, propose_amendment
from agreements.models import Agreement, Community
from members.services import leave
from news.models import NewsItem
from tests.factories import found_test_community, make_member, make_user
from tests.forms import find_form, submit


@pytest.fixture
def forming(db):
    found_test_community(people_to_form=3)
    return Community.current()


def test_the_installer_sets_how_many_people_form_the_community(client, superuser):
    client.force_login(superuser)
    page = client.get("/").content.decode()
    form = find_form(page, url="/", containing="Found the community")
    assert dict(form.fields)["people_to_form"] == "3"

    refused = client.post("/", form.data(fill={"name": "Hillside", "people_to_form": "0",
                                              "idea_body": "We share a hill."}))  # fmt: skip
    assert "Ensure this value is greater than or equal to 1." in refused.content.decode()
    assert "We share a hill." in refused.content.decode()
    assert not Community.objects.exists()

    client.post("/", form.data(fill={"name": "Hillside", "people_to_form": "5",
                                     "idea_body": "We share a hill."}))  # fmt: skip
    community = Community.current()
    assert (community.people_to_form, community.formed_at) == (5, None)


def test_the_found_command_takes_the_number(tmp_path, db):
    idea = tmp_path / "idea.md"
    idea.write_text("# Our idea\n\nWe share a hill.\n", encoding="utf-8")

    call_command(
        "found", str(idea), "--name", "Hillside", "--people-to-form", "7", stdout=StringIO()
    )

    assert Community.current().people_to_form == 7


def test_while_forming_the_home_page_shows_progress_and_nothing_can_be_proposed(client, forming):
    anna, boris = make_member("anna"), make_member("boris")

    home = client.get("/").content.decode()
    assert "This community is forming: 2 of the 3 people needed have accepted" in home
    client.force_login(anna)
    refused = client.get("/amendments/new/")
    assert refused.status_code == 403
    assert "2 of the 3 people needed have accepted" in refused.content.decode()
    assert client.get("/occasions/new/").status_code == 403
    listing = client.get("/amendments/").content.decode()
    assert "This community is forming" in listing and "Propose a new agreement" not in listing
    idea = Agreement.objects.get(slug="idea")
    assert "Propose a change" not in client.get(idea.get_absolute_url()).content.decode()
    with pytest.raises(NotAllowed, match="still forming"):
        propose_amendment(author=boris, kind="change", agreement=idea, title="t",
                          rationale="r", body="Changed.")  # fmt: skip


def test_the_community_forms_once_when_the_last_needed_person_accepts(client, forming):
    anna, boris = make_member("anna"), make_member("boris")
    carol = make_user("carol")
    assert Community.current().formed_at is None

    client.force_login(carol)
    response = submit(client, "/join/", action="/join/", containing="I accept")

    assert response.status_code == 302
    community = Community.current()
    carol.refresh_from_db()
    assert community.formed_at == carol.joined_at
    formed = NewsItem.objects.get(event=NewsItem.Event.FORMED)
    assert "has formed" in formed.headline and formed.target_url() == "/community/"
    assert "This community is forming" not in client.get("/").content.decode()
    assert client.get("/amendments/new/").status_code == 200

    # Formed once: people leaving and coming back change nothing.
    leave(member=anna)
    make_member("dana")
    assert Community.current().formed_at == community.formed_at
    assert NewsItem.objects.filter(event=NewsItem.Event.FORMED).count() == 1
    assert boris.pk
