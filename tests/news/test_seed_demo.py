import re

import pytest
from django.core.management import call_command

from agreements.models import Agreement, Amendment, Community
from members.models import User
from members.services import rebuild_counters
from tests.members.test_roles import counters


@pytest.mark.django_db
def test_seed_demo_tells_a_story_with_every_phase_and_is_idempotent():
    call_command("seed_demo")
    snapshot = Agreement.objects.count(), Agreement.history.count(), Amendment.objects.count()
    call_command("seed_demo")

    assert snapshot == (
        Agreement.objects.count(),
        Agreement.history.count(),
        Amendment.objects.count(),
    )
    assert Community.current().name == "Riverside Commons"
    assert Agreement.objects.filter(origin="standard").count() >= 5
    assert Agreement.objects.get(origin="borrowed").source_url.startswith("https://")
    tools = Agreement.objects.get(slug="tool-library")
    assert tools.version == 3
    assert tools.get_version(3).amendment.phase == "adopted"
    phases = set(Amendment.objects.values_list("phase", flat=True))
    assert phases == {"discussion", "voting", "adopted", "rejected", "withdrawn", "needs_update"}
    assert Amendment.objects.filter(comments__isnull=False).exists()
    assert Amendment.objects.filter(final_support__gt=0).exists()
    assert any(a.support_count for a in Amendment.objects.filter(phase="voting"))
    roles = {user.username: user.roles() for user in User.objects.all()}
    assert "former" in roles["emil"] and "dormant" in roles["dana"]
    # boris's time to accept the latest tool library is still running; dana's ran out long ago.
    assert "member_to_accept" in roles["boris"] and "volunteer" in roles["anna"]
    assert "member_outdated" in roles["dana"]
    # The bicycle corner was adopted and is announced: it takes effect in a few days.
    assert Amendment.objects.filter(phase="adopted", applied_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_demo_shows_leaflets_a_borrowed_agreement_behind_its_source_and_search(client):
    call_command("seed_demo")

    quiet = Agreement.objects.get(slug="quiet-hours")
    assert (quiet.origin, quiet.source_version) == ("borrowed", "4")
    page = client.get(quiet.get_absolute_url()).content.decode()
    assert "Its source has a newer version: 5 (this text follows version 4)." in page
    source = client.get(f"/agreements/{quiet.slug}/source/").content.decode()
    assert "<ins>" in source and "Celebrations at home" in source
    assert "from an export file a member uploaded" in source
    assert "QR code" in client.get("/leaflet/").content.decode()
    assert client.get(f"/agreements/{quiet.slug}/leaflet/").status_code == 200
    results = client.get("/search/?q=deposit").content.decode()
    assert "/agreements/tool-library/v/3/#p-" in results and "<mark>" in results
    assert "@anna" in client.get("/members/").content.decode()


@pytest.mark.django_db
def test_the_demo_counters_equal_counters_rebuilt_from_rows():
    call_command("seed_demo")
    kept = counters()

    rebuild_counters()

    assert counters() == kept


@pytest.mark.django_db
def test_seed_demo_in_russian():
    call_command("seed_demo", "--language", "ru")

    assert Community.current().name == "Приречная община"
    assert Agreement.objects.get(slug="amendments").title == "Как принимаются поправки"
    assert Amendment.objects.filter(title="Проще возврат", phase="adopted").exists()


@pytest.mark.django_db
def test_seed_demo_never_touches_a_founded_community(community):
    call_command("seed_demo")

    assert Community.current().name == "Test Commons"
    assert not Amendment.objects.exists()


@pytest.mark.django_db
def test_the_demo_shows_a_chosen_speaker_a_collision_and_the_agreements_as_of_a_date(client):
    from agreements.models import Collision
    from occasions.models import Occasion

    call_command("seed_demo")

    fair = Occasion.objects.get(speaker__isnull=False)
    page = client.get(fair.get_absolute_url()).content.decode()
    assert "Hana</a> speaks for the community at this occasion" in page
    assert "Who is your leader?" in page and "/agreements/idea/v/1/#p-4" in page
    assert Occasion.objects.filter(stage="nominating").exists()  # the next one, still open

    collision = Collision.objects.get()
    amendment = client.get(collision.amendment.get_absolute_url()).content.decode()
    assert "Collides with 1 other amendment" in amendment
    assert "collides with another amendment" in client.get("/amendments/").content.decode()

    history = client.get("/agreements/tool-library/history/").content.decode()
    link = re.search(r'href="(/agreements/\?as_of=[0-9-]+)"', history)
    past = client.get(link[1].replace("&amp;", "&"))
    assert past.status_code == 200 and "A past view." in past.content.decode()
