from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .amendment import Amendment


class Collision(models.Model):
    """Two pending change amendments of one agreement that change the same paragraphs of their
    common base (the rule: agreements/merging.py; finding them: amendments/collisions.py).

    Computed when either is proposed, revised or rebased, and kept, so pages read it and never
    compare texts per request. `amendment` is the lower id of the two. `passages` holds, per
    overlapping stretch, the base paragraphs [start, end) and each side's wording, with a word
    diff of each side against the base as ready HTML (built from escaped text only).
    """

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="+")
    base_version = models.PositiveIntegerField()
    amendment_revision = models.PositiveIntegerField()
    other_revision = models.PositiveIntegerField()
    passages = models.JSONField(default=list)
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("collision")
        verbose_name_plural = _("collisions")
        constraints = [
            models.UniqueConstraint(fields=["amendment", "other"], name="one_collision_per_pair"),
            models.CheckConstraint(
                condition=models.Q(amendment__lt=models.F("other")), name="collision_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["other"], name="collision_by_other")]

    def __str__(self):
        return f"#{self.amendment_id} × #{self.other_id}"

    def seen_from(self, amendment):
        """This collision from one side: (the other amendment, passages with `this` and
        `that` wording), for that amendment's page."""
        mine = amendment.pk == self.amendment_id
        other = self.other if mine else self.amendment
        passages = [
            {
                # For people, paragraphs count from 1; an empty span adds text after `start`.
                "after": passage["start"] if passage["start"] == passage["end"] else None,
                "first": passage["start"] + 1,
                "last": passage["end"],
                "base": passage["base"],
                "this_html": passage["amendment_html" if mine else "other_html"],
                "that_html": passage["other_html" if mine else "amendment_html"],
            }
            for passage in self.passages
        ]
        return other, passages
