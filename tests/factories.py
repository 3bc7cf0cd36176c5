"""Small builders for test data: real rows through the same services the site uses."""

import itertools

from django.contrib.auth import get_user_model

from agreements.models import Agreement
from agreements.services import create_agreement, found_community
from agreements.texts import standard_texts

PASSWORD = "a-long-test-password-42"
_sequence = itertools.count(1)

IDEA = """We are neighbours who share what we have.

We unite to keep a garden, lend tools and meet every month.

Join us by accepting these agreements."""


def found_test_community(*, language="en", standard=True, founder=None, people_to_form=1):
    """Found a test community. It forms as soon as one person accepts its agreements, so a
    story may propose from its first member on; tests of the forming state ask for more."""
    found_community(
        people_to_form=people_to_form,
        name="Test Commons",
        idea_title="Our idea",
        idea_body=IDEA,
        standard_slugs=[t.slug for t in standard_texts(language)] if standard else [],
        language=language,
        founder=founder,
    )
    return Agreement.objects.get(is_idea=True)


def make_agreement(*, title=None, body="First clause.\n\nSecond clause.", **kwargs):
    n = next(_sequence)
    kwargs.setdefault("origin", Agreement.Origin.OWN)
    return create_agreement(title=title or f"Agreement {n}", body=body, **kwargs)


def make_user(username=None, **fields):
    username = username or f"member{next(_sequence)}"
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)


def versions_in_force():
    return dict(Agreement.objects.in_force().values_list("id", "version"))


def make_member(username=None, *, now=None, **fields):
    """A user who has accepted every agreement in force (a member in good standing)."""
    from members.services import accept_agreements

    user = make_user(username, **fields)
    accept_agreements(member=user, versions=versions_in_force(), complete=True, now=now)
    user.refresh_from_db()
    return user


def make_amendment(*, author, agreement=None, kind="change", body=None, now=None, **fields):
    """A proposal through the real service; a change appends a clause to the agreement."""
    from agreements.amendments.services import propose_amendment

    if kind == "change" and body is None:
        body = agreement.body.rstrip() + "\n\nAn added clause.\n"
    fields.setdefault("title", f"Amendment {next(_sequence)}")
    fields.setdefault("rationale", "Because it helps.")
    if kind == "new":
        fields.setdefault("proposed_title", f"New agreement {next(_sequence)}")
    return propose_amendment(
        author=author, kind=kind, agreement=agreement, body=body or "", now=now, **fields
    )
