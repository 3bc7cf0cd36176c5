"""How membership follows what happens to the agreements (connected in MembersConfig.ready)."""

from django.dispatch import receiver

from agreements.signals import agreement_changed, amendment_changed, comment_posted, member_acted

from . import services


@receiver(agreement_changed)
def start_edition(sender, agreement, edition, change, amendment=None, **kwargs):
    services.edition_started(edition=edition)
    if amendment is not None and change in ("created", "new_version"):
        services.carry_advance_acceptances(
            agreement=agreement, edition=edition, amendment=amendment
        )


@receiver(member_acted)
def count_public_action(sender, member, **kwargs):
    services.record_action(member=member)


@receiver(amendment_changed)
def follow_own_proposal(sender, amendment, change, **kwargs):
    if change == "proposed" and amendment.author.auto_follow:
        services.follow(member=amendment.author, amendment=amendment)


@receiver(comment_posted)
def follow_commented_amendment(sender, comment, **kwargs):
    if comment.author.auto_follow:
        services.follow(member=comment.author, amendment=comment.amendment)
