"""Events are written as things happen, inside their transaction (connected in NewsConfig.ready)."""

from django.dispatch import receiver

from agreements.models import Community, Edition
from agreements.signals import (
    agreement_changed,
    amendment_changed,
    amendments_collided,
    comment_posted,
    community_formed,
)
from members.signals import member_joined
from occasions.models import OccasionFollower
from occasions.signals import occasion_changed

from .models import NewsItem
from .services import notify_comment, record_event

Event = NewsItem.Event

AMENDMENT_EVENTS = {
    "voting": Event.VOTING,
    "adopted": Event.ADOPTED,
    "rejected": Event.REJECTED,
    "withdrawn": Event.WITHDRAWN,
    "needs_update": Event.NEEDS_UPDATE,
    "resolved": Event.RESUMED,
    "rebased": Event.REBASED,
}


@receiver(agreement_changed)
def report_agreement(sender, agreement, edition, change, amendment=None, **kwargs):
    when = agreement.effective_at
    if edition.reason == Edition.Reason.FOUNDED:
        if agreement.is_idea:
            community = Community.current()
            record_event(
                event=Event.FOUNDED,
                title=community.name if community else agreement.title,
                key="founded",
                agreement=agreement,
                when=when,
            )
        return
    if change == "created":
        event, key = Event.NEW_AGREEMENT, f"agreement:{agreement.pk}:created"
    elif change == "repealed":
        event, key = Event.REPEALED, f"agreement:{agreement.pk}:repealed"
    else:
        event, key = Event.NEW_VERSION, f"agreement:{agreement.pk}:v{agreement.version}"
    record_event(
        event=event,
        title=agreement.title,
        key=key,
        agreement=agreement,
        amendment=amendment,
        version=agreement.version,
        when=when,
    )


@receiver(amendment_changed)
def report_amendment(sender, amendment, change, when=None, **kwargs):
    if change == "proposed":
        borrowed = amendment.kind == amendment.Kind.NEW and amendment.source_url
        record_event(
            event=Event.BORROWED_PROPOSED if borrowed else Event.PROPOSED,
            title=amendment.title,
            key=f"amendment:{amendment.pk}:proposed",
            amendment=amendment,
            author=amendment.author,
            when=when,
        )
        return
    also = ()
    key = f"amendment:{amendment.pk}:r{amendment.round}:{change}"
    if change == "rebased":
        # Each new version it is merged onto is news for its followers.
        key = f"amendment:{amendment.pk}:rebased:v{amendment.base_version}"
    if change == "needs_update":
        # Its voters decided on a text that will not take effect as it stood: they are told,
        # whether or not they follow it, and so is its author.
        also = {amendment.author_id} | set(
            amendment.votes.filter(round=amendment.round).values_list("member_id", flat=True)
        )
    record_event(
        event=AMENDMENT_EVENTS[change],
        title=amendment.title,
        key=key,
        amendment=amendment,
        version=amendment.base_version if change == "rebased" else None,
        when=when,
        also=also,
    )


@receiver(amendments_collided)
def report_collision(sender, amendment, other, collision, when=None, **kwargs):
    """Two pending amendments change the same paragraphs: both authors are told (and whoever
    follows the amendment that made them collide), once per pair of revisions."""
    record_event(
        event=Event.COLLISION,
        title=amendment.title,
        key=(
            f"collision:{collision.amendment_id}:{collision.other_id}:"
            f"r{collision.amendment_revision}-{collision.other_revision}"
        ),
        amendment=amendment,
        number=other.pk,
        when=when,
        also={amendment.author_id, other.author_id},
    )


@receiver(community_formed)
def report_formation(sender, community, **kwargs):
    record_event(
        event=Event.FORMED,
        title=community.name,
        key="formed",
        number=community.people_to_form,
        when=community.formed_at,
    )


@receiver(comment_posted)
def tell_the_thread(sender, comment, **kwargs):
    notify_comment(comment)


def is_milestone(count):
    """10, 100, 1 000, 10 000 …"""
    return count >= 10 and str(count).strip("0") == "1"


@receiver(member_joined)
def report_milestone(sender, member, count, **kwargs):
    if is_milestone(count):
        record_event(
            event=Event.MILESTONE,
            title=str(count),
            key=f"milestone:{count}",
            number=count,
            when=member.joined_at,
        )


OCCASION_EVENTS = {
    "created": Event.OCCASION,
    "voting": Event.SPEAKER_VOTE,
    "chosen": Event.SPEAKER_CHOSEN,
    "no_speaker": Event.NO_SPEAKER,
    "account": Event.ACCOUNT,
}


@receiver(occasion_changed)
def report_occasion(sender, occasion, change, when=None, account=None, **kwargs):
    """Occasions in the news, once each; whoever follows the occasion is told (its announcer,
    nominees, voters, and who pressed Follow)."""
    key = f"occasion:{occasion.pk}:{change}"
    if account is not None:
        key = f"occasion:{occasion.pk}:account:{account.pk}"
    record_event(
        event=OCCASION_EVENTS[change],
        title=occasion.title,
        key=key,
        occasion=occasion,
        # Who did it (not told of their own act; their own followers are).
        author=account.author
        if account is not None
        else occasion.created_by
        if change == "created"
        else None,
        when=when,
        also=set(
            OccasionFollower.objects.filter(occasion=occasion).values_list("member_id", flat=True)
        ),
    )
