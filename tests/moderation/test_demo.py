import pytest
from django.core.management import call_command

from moderation.models import AppealMessage, ModerationAction, Report
from moderation.services import current_grants


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_demo_tells_its_moderation_chapter_through_the_services(client, language):
    call_command("seed_demo", "--language", language)

    acts = list(ModerationAction.objects.order_by("created_at").values_list("act", flat=True))
    assert acts == ["grant", "grant", "lapse", "grant", "hide", "hide", "reverse"]
    assert {grant.member.username for grant in current_grants()} == {"anna", "fatima"}
    assert list(AppealMessage.objects.values_list("decision", flat=True)) == [
        "",
        "upheld",
        "",
        "reversed",
    ]
    assert Report.objects.get().outcome == "acted"
    lapse = ModerationAction.objects.get(act="lapse")
    assert lapse.reason == (
        "The term set by the procedure ended."
        if language == "en"
        else "Закончился срок, установленный порядком принятия решений."
    )
    log = client.get("/moderation/")
    assert log.status_code == 200
