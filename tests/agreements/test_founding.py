import pytest
from django.core.management import CommandError, call_command

from agreements.models import Agreement, Community, Edition, Procedure
from agreements.services import FoundingError, found_community
from agreements.texts import standard_texts

STANDARD_SLUGS = [text.slug for text in standard_texts("en")]


def founding_data(**overrides):
    data = {
        "name": "Hillside",
        "idea_title": "Why we unite",
        "idea_body": "We share a hill.\n\nJoin us.",
        "language": "en",
        "standard_slugs": ["public-agreements", "text-decides"],
    }
    data.update(overrides)
    return data


def test_we_ship_at_least_five_standard_agreements_in_english_and_russian():
    english, russian = standard_texts("en"), standard_texts("ru")

    assert len(english) >= 5
    assert [t.slug for t in english] == [t.slug for t in russian]
    for text in english + russian:
        assert text.title and text.summary and len(text.body) > 200
    assert any("Поправк" in t.title or "поправ" in t.body for t in russian)


@pytest.mark.django_db
def test_visitor_of_an_unfounded_site_sees_a_plain_notice(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "This community has not been founded yet" in response.content.decode()
    assert "State the idea" not in response.content.decode()


@pytest.mark.django_db
def test_every_public_page_of_an_unfounded_site_leads_to_the_notice(client):
    response = client.get("/agreements/some-agreement/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/admin/login/").status_code == 200


@pytest.mark.django_db
def test_a_logged_in_non_installer_cannot_found(client, django_user_model):
    user = django_user_model.objects.create_user(username="someone", password="pw-123-long-enough")
    client.force_login(user)

    response = client.post("/", founding_data())

    assert "This community has not been founded yet" in response.content.decode()
    assert not Community.objects.exists()
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_installer_states_the_idea_and_chooses_standard_agreements(client, superuser):
    client.force_login(superuser)
    form_page = client.get("/").content.decode()
    assert "State the idea" in form_page
    for slug in STANDARD_SLUGS:
        if slug != "amendments":
            assert f'value="{slug}"' in form_page
    assert "is always included" in form_page

    response = client.post("/", founding_data(), follow=True)

    assert response.status_code == 200
    assert Community.current().name == "Hillside"
    idea = Agreement.objects.get(is_idea=True)
    assert (idea.title, idea.slug, idea.origin, idea.version) == ("Why we unite", "idea", "own", 1)
    assert idea.history.get().history_user == superuser
    assert set(Agreement.objects.filter(origin="standard").values_list("slug", flat=True)) == {
        "public-agreements",
        "text-decides",
        "amendments",
    }
    assert Procedure.current().agreement.slug == "amendments"
    assert "We share a hill." in response.content.decode()
    assert Edition.current_number() >= 1


@pytest.mark.django_db
def test_founding_form_keeps_what_was_typed_when_it_is_incomplete(client, superuser):
    client.force_login(superuser)

    response = client.post("/", founding_data(name="", idea_body="My long idea <em>text</em>"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page
    assert "My long idea &lt;em&gt;text&lt;/em&gt;" in page
    assert not Community.objects.exists()


@pytest.mark.django_db
def test_founding_twice_is_refused(superuser):
    found_community(**founding_data())

    with pytest.raises(FoundingError):
        found_community(**founding_data(name="Again"))
    assert Community.current().name == "Hillside"
    assert Agreement.objects.filter(is_idea=True).count() == 1


@pytest.mark.django_db
def test_founding_in_russian_uses_the_russian_standard_texts():
    found_community(**founding_data(language="ru", standard_slugs=STANDARD_SLUGS))

    russian = {t.slug: t.title for t in standard_texts("ru")}
    for agreement in Agreement.objects.filter(origin="standard"):
        assert agreement.title == russian[agreement.slug]
    assert Community.current().language == "ru"


@pytest.mark.django_db
def test_found_command_reads_the_idea_from_a_markdown_file(tmp_path):
    idea = tmp_path / "idea.md"
    idea.write_text("# Why we unite\n\nWe share a hill.\n\nJoin us.\n", encoding="utf-8")

    call_command("found", str(idea), "--name", "Hillside", "--standard", "public-agreements")

    agreement = Agreement.objects.get(is_idea=True)
    assert agreement.title == "Why we unite"
    assert agreement.body.startswith("We share a hill.")
    assert set(Agreement.objects.filter(origin="standard").values_list("slug", flat=True)) == {
        "public-agreements",
        "amendments",
    }


@pytest.mark.django_db
def test_found_command_refuses_unknown_standard_agreements_and_a_second_founding(tmp_path):
    idea = tmp_path / "idea.md"
    idea.write_text("# Idea\n\nText.\n", encoding="utf-8")

    with pytest.raises(CommandError, match="Unknown standard agreements: nope"):
        call_command("found", str(idea), "--name", "X", "--standard", "nope")
    call_command("found", str(idea), "--name", "X", "--standard", "all")
    assert Agreement.objects.filter(origin="standard").count() == len(STANDARD_SLUGS)
    with pytest.raises(CommandError, match="already been founded"):
        call_command("found", str(idea), "--name", "Y")


@pytest.mark.django_db
def test_found_command_needs_an_existing_file():
    with pytest.raises(CommandError, match="No such file"):
        call_command("found", "/nonexistent/idea.md", "--name", "X")


def test_every_standard_title_and_summary_fits_its_column():
    title = Agreement._meta.get_field("title").max_length
    summary = Agreement._meta.get_field("summary").max_length
    for text in standard_texts("en") + standard_texts("ru"):
        assert len(text.title) <= title and len(text.summary) <= summary, text.slug
