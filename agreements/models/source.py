from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .agreement import Agreement


class SourceCheck(models.Model):
    """What this community last learned about the source of a borrowed agreement: the newest
    version there, with its text, so the agreement page can say when the source moved on and a
    member can propose to follow it (agreements/borrowing/)."""

    class Method(models.TextChoices):
        ADDRESS = "address", _("fetched from the source's site")
        FILE = "file", _("from an export file a member uploaded")

    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, related_name="source_check"
    )
    method = models.CharField(max_length=8, choices=Method.choices)
    checked_at = models.DateTimeField(default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The newest version found at the source (None until a check succeeds).
    version = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    # Why the last check failed, shown on the source page; empty when it succeeded.
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("source check")
        verbose_name_plural = _("source checks")

    def __str__(self):
        return f"source of {self.agreement_id}: v{self.version}"

    @property
    def followed_version(self):
        """The source's version this community's text follows now."""
        value = self.agreement.source_version
        return int(value) if value.isdigit() else None

    @property
    def has_newer_version(self):
        followed = self.followed_version
        return self.version is not None and (followed is None or self.version > followed)
