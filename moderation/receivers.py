"""The installer's changes in the admin go to the public log (connected in ModerationConfig)."""

from django.dispatch import receiver

from agreements.signals import community_changed

from .models import ModerationAction
from .services import record_installer_change


@receiver(community_changed)
def log_community_change(sender, community, user, field, before, after, reason, when, **kwargs):
    record_installer_change(
        installer=user,
        target=ModerationAction.Target.COMMUNITY,
        reason=reason,
        before=before,
        after=after,
        now=when,
    )
