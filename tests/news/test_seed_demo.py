import pytest
from django.core.management import call_command

from agreements.models import Agreement, Community


@pytest.mark.django_db
def test_seed_demo_builds_a_community_with_history_and_is_idempotent():
    call_command("seed_demo")
    counts = Agreement.objects.count(), Agreement.history.count()
    call_command("seed_demo")

    assert (Agreement.objects.count(), Agreement.history.count()) == counts
    assert Community.current().name == "Riverside Commons"
    assert Agreement.objects.filter(is_idea=True).exists()
    assert Agreement.objects.filter(origin="standard").count() >= 5
    tools = Agreement.objects.get(slug="tool-library")
    assert tools.version >= 3
    assert [v.version for v in tools.versions()] == list(range(1, tools.version + 1))
    borrowed = Agreement.objects.get(origin="borrowed")
    assert borrowed.source_url.startswith("https://")


@pytest.mark.django_db
def test_seed_demo_in_russian():
    call_command("seed_demo", "--language", "ru")

    assert Community.current().name == "Приречная община"
    assert Agreement.objects.get(slug="amendments").title == "Как принимаются поправки"
