"""How membership follows what happens to the agreements (connected in MembersConfig.ready)."""

from django.dispatch import receiver

from agreements.signals import agreement_changed, member_acted

from . import services


@receiver(agreement_changed)
def start_edition(sender, edition, **kwargs):
    services.edition_started(edition=edition)


@receiver(member_acted)
def count_public_action(sender, member, **kwargs):
    services.record_action(member=member)
