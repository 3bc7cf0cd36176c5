import pytest

from moderation.services import grant_power
from tests.factories import make_agreement, make_amendment, make_member

# Paragraphs of the standard agreement "Power is public and accountable", version 1.
MODERATION_CLAUSE = "/agreements/public-power/v/1/#p-3"
GRANT_CLAUSE = "/agreements/public-power/v/1/#p-9"
APPEAL_CLAUSE = "/agreements/public-power/v/1/#p-11"


@pytest.fixture
def garden(community):
    return make_agreement(title="Garden", body="Beds are shared.\n\nWater on Tuesdays.\n")


@pytest.fixture
def moderator(garden, superuser):
    member = make_member("mod", display_name="Mo Derator")
    grant_power(
        installer=superuser, member=member, reason="Chosen at the meeting.", clause=GRANT_CLAUSE
    )
    return member


@pytest.fixture
def second_moderator(garden, superuser):
    member = make_member("mod2")
    grant_power(installer=superuser, member=member, reason="Chosen too.", clause=GRANT_CLAUSE)
    return member


@pytest.fixture
def alice(garden):
    return make_member("alice", display_name="Alice A.")


@pytest.fixture
def amendment(garden, alice):
    return make_amendment(author=alice, agreement=garden, title="Water more")


@pytest.fixture
def comment(amendment, alice):
    from agreements.amendments.services import post_comment

    return post_comment(amendment=amendment, author=alice, body="Tuesdays are *too dry*.")
