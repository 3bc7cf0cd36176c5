"""Demo members in every role. Everyone's password is DEMO_PASSWORD (see README); the demo is
for trying the site locally and must never be seeded on a public installation."""

from .models import User
from .services import update_profile

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - documented, demo only

PEOPLE = [
    # username, display name, bio, volunteer offer
    ("anna", "Anna Petrova", "Keeps the tool shed and the seed box.", "I can repair bikes."),
    ("boris", "Boris", "Grows tomatoes, mostly.", ""),
    ("chen", "Chen Wei", "New to the street.", ""),
    ("dana", "Dana", "", ""),
    ("emil", "Emil", "Moved across town.", ""),
    ("fatima", "Fatima", "Loves the monthly dinners.", "I can cook for the monthly meeting."),
    ("gleb", "Gleb", "Retired carpenter.", ""),
    ("hana", "Hana", "Bees, mostly.", ""),
]


def create_people():
    """Create the demo accounts (no membership yet) and an installer account for the admin."""
    people = {}
    for username, display_name, bio, offer in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username, password=DEMO_PASSWORD, display_name=display_name, bio=bio
            )
            if offer:
                user = update_profile(member=user, is_volunteer=True, volunteer_offer=offer)
        people[username] = user
    if not User.objects.filter(username="installer").exists():
        User.objects.create_superuser(username="installer", password=DEMO_PASSWORD)
    return people
