"""Demo members in every role. Everyone's password is DEMO_PASSWORD (see README); the demo is
for trying the site locally and must never be seeded on a public installation."""

from datetime import timedelta

from agreements.models import Agreement

from .models import User
from .services import accept_agreements, leave, record_follow, update_profile

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - documented, demo only

PEOPLE = [
    # username, display name, bio, volunteer offer
    ("anna", "Anna Petrova", "Keeps the tool shed and the seed box.", "I can repair bikes."),
    ("boris", "Boris", "Grows tomatoes, mostly.", ""),
    ("chen", "Chen Wei", "New to the street.", ""),
    ("dana", "Dana", "", ""),
    ("emil", "Emil", "Moved across town.", ""),
    ("fatima", "Fatima", "Loves the monthly dinners.", "I can cook for the monthly meeting."),
]


def _versions():
    return dict(Agreement.objects.in_force().values_list("id", "version"))


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


def join_all(people, usernames, *, now, days_ago):
    for offset, username in enumerate(usernames):
        member = people[username]
        member.refresh_from_db()
        if not member.is_member and not member.is_former_member:
            when = now - timedelta(days=days_ago - offset)
            accept_agreements(member=member, versions=_versions(), complete=True, now=when)


def accept_changes(people, usernames, *, now, days_ago):
    for username in usernames:
        member = people[username]
        member.refresh_from_db()
        if member.is_member and not member.is_in_good_standing:
            accept_agreements(
                member=member, versions=_versions(), now=now - timedelta(days=days_ago)
            )


def follow(people, usernames, *, now, days_ago):
    for username in usernames:
        record_follow(member=people[username], now=now - timedelta(days=days_ago))


def leave_community(people, username, *, now, days_ago):
    member = people[username]
    member.refresh_from_db()
    if member.is_member:
        leave(member=member, now=now - timedelta(days=days_ago))
