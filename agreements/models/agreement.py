from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.pagecache import for_generation

from ..rendering import render_markdown

# A proposed or adopted text longer than this is refused with a clear message (issue #4); the
# founding idea and standard agreements are far below it.
MAX_TEXT_LENGTH = 200_000
# Holds (name, language of the agreements): both are set once, at founding.
COMMUNITY_NAME_CACHE_KEY = "community-name-language"
FORMED_CACHE_KEY = "community-formed"
# The standard agreement whose text sets the decision procedure ("How amendments are decided").
PROCEDURE_SLUG = "amendments"
# Change notes the site writes itself are stored as these keys and translated when shown, so a
# Russian reader of an English-founded community reads them in Russian (and the other way round).
# A note written by people (an amendment's title) is stored and shown as written.
FOUNDING_NOTE = "founding"
CHANGE_NOTES = {FOUNDING_NOTE: _("Adopted at founding.")}


def change_note_text(record):
    """The change note of an agreement or one of its versions, in the reader's language."""
    note = record.change_note
    if note in CHANGE_NOTES and not record.amendment_id:
        return str(CHANGE_NOTES[note])
    return note


class FormingProgress(NamedTuple):
    count: int
    needed: int


class Community(models.Model):
    """The one community this installation serves. It exists once the site has been founded.

    A community begins when several people agree (the seeds: "when several people agree with the
    author's idea, a community forms; from then on it may adopt, change or reject agreements").
    Until `people_to_form` people have accepted its agreements it is *forming*: it publishes its
    idea and agreements and people join, but no amendment is proposed or decided. `formed_at`
    records, once, the moment the last of them accepted.
    """

    name = models.CharField(_("name"), max_length=120)
    language = models.CharField(_("language of the agreements"), max_length=8)
    founded_at = models.DateTimeField(_("founded at"), default=timezone.now)
    founded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("founded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    people_to_form = models.PositiveSmallIntegerField(
        _("people needed to form the community"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "The community forms when this many people have accepted its agreements; until "
            "then no amendment can be proposed."
        ),
    )
    formed_at = models.DateTimeField(_("formed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("community")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="community_is_a_singleton"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(COMMUNITY_NAME_CACHE_KEY)
        cache.delete(FORMED_CACHE_KEY)

    @classmethod
    def current(cls):
        return cls.objects.filter(pk=1).first()

    @property
    def is_forming(self):
        return self.formed_at is None

    def is_formed_at(self, moment):
        return self.formed_at is not None and self.formed_at <= moment

    def forming_progress(self):
        """While forming: how many people accept the agreements now, of how many needed."""
        if not self.is_forming:
            return None
        return FormingProgress(self.people_so_far(), self.people_to_form)

    def people_so_far(self):
        """How many people accept the agreements now: the forming progress. Asked of the user
        model (members/ keeps the count), so agreements imports nothing of ours."""
        from django.contrib.auth import get_user_model

        return get_user_model().member_count()


class AgreementQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(status=Agreement.Status.IN_FORCE)

    def in_reading_order(self):
        return self.order_by("-is_idea", "position", "title")


class Agreement(models.Model):
    """A public agreement: the only official source of what the community has agreed.

    The row always holds the version in force; every earlier version is a historical record
    (django-simple-history) and never changes. `body_html` is rendered once when the text is
    saved, with clause links pointing at this version's permanent address.
    """

    class Origin(models.TextChoices):
        STANDARD = "standard", _("standard")
        BORROWED = "borrowed", _("borrowed")
        OWN = "own", _("own")

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("in force")
        REPEALED = "repealed", _("repealed")

    slug = models.SlugField(_("address"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text (Markdown)"), max_length=MAX_TEXT_LENGTH)
    body_html = models.TextField(editable=False)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    source_url = models.URLField(_("source address"), blank=True)
    source_version = models.CharField(_("source version"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.IN_FORCE
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    effective_at = models.DateTimeField(_("in force since"), default=timezone.now)
    is_idea = models.BooleanField(
        _("the community's idea"),
        default=False,
        help_text=_("The founding agreement: the idea and the call to unite."),
    )
    position = models.PositiveIntegerField(_("position"), default=100)
    change_note = models.CharField(_("change summary"), max_length=300, blank=True)
    # The adopted amendment that made this version (none for founding texts).
    amendment = models.ForeignKey(
        "agreements.Amendment",
        verbose_name=_("made by amendment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords(verbose_name=_("agreement version"), excluded_fields=["position"])
    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-is_idea", "position", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_idea"], condition=models.Q(is_idea=True), name="one_idea"
            ),
            models.UniqueConstraint(Lower("slug"), name="agreement_slug_ci_unique"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="version_from_one"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body, anchor_base=self.version_url(self.version))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("agreements:detail", args=[self.slug])

    def version_url(self, number):
        return reverse("agreements:version", args=[self.slug, number])

    def diff_url(self, a, b):
        return reverse("agreements:diff", args=[self.slug, a, b])

    @property
    def is_in_force(self):
        return self.status == self.Status.IN_FORCE

    @property
    def is_entrenched(self):
        """The idea and the procedure change only under the higher bar the procedure sets; they
        are never repealed ("How amendments are decided")."""
        return self.is_idea or self.slug == PROCEDURE_SLUG

    def get_version(self, number):
        """The historical record that introduced version `number`, or None."""
        if not 1 <= number <= self.version:
            return None
        return (
            self.history.filter(version=number)
            .order_by("history_date", "history_id")
            .select_related("history_user")
            .first()
        )

    def version_page(self, before=None, size=20):
        """Up to `size` versions, newest first, below version `before` (from the newest when
        None), and the version to page on from (None on the last page): version numbers are
        their own keyset, so a page costs the same at any depth."""
        top = self.version if before is None else min(before - 1, self.version)
        low = max(top - size + 1, 1)
        records = (
            self.history.filter(version__gte=low, version__lte=top)
            .order_by("history_date", "history_id")
            .select_related("history_user")
            .defer("body", "body_html")
        )
        seen = {}
        for record in records:
            seen.setdefault(record.version, record)
        return list(reversed(seen.values())), (low if low > 1 else None)

    def versions(self):
        """One record per version, oldest first: the record that introduced it."""
        records = (
            self.history.order_by("history_date", "history_id")
            .select_related("history_user")
            .defer("body", "body_html")
        )
        seen = {}
        for record in records:
            seen.setdefault(record.version, record)
        return list(seen.values())


class Edition(models.Model):
    """The set of agreement versions in force at one moment.

    A new edition begins whenever that set changes: an agreement is added, gets a new version,
    or is repealed. Each member records the newest edition they accepted in full (members/).

    A change never silences the community: it binds only after the grace period the procedure
    sets ("How amendments are decided"), and until then whoever accepted the edition before it
    stays in good standing. So a member is in good standing when the edition they accepted is at
    least the newest edition that binds by now (`binding_floor`): one comparison of two numbers.
    """

    class Reason(models.TextChoices):
        FOUNDED = "founded", _("the community was founded")
        ADDED = "added", _("an agreement was added")
        NEW_VERSION = "new_version", _("a new version took effect")
        REPEALED = "repealed", _("an agreement was repealed")

    started_at = models.DateTimeField(default=timezone.now)
    # When this edition binds: until then, members who accepted an earlier edition keep their
    # good standing (the grace period the procedure sets for accepting a change).
    binds_at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        get_latest_by = "id"

    def __str__(self):
        return f"#{self.number} ({self.get_reason_display()})"

    @property
    def number(self):
        # The sequence numbers editions: concurrent changes to two agreements never collide.
        return self.id

    @property
    def requirements_shrank(self):
        """True when this edition asks less of members than the one before (a repeal): whoever
        was in good standing stays so, and some who were not may now be."""
        return self.reason == self.Reason.REPEALED

    @classmethod
    def current_number(cls):
        return cls.objects.aggregate(number=models.Max("id"))["number"] or 0

    @classmethod
    def binding_floor(cls, at=None):
        """The newest edition that binds at `at` (now by default): members who accepted an
        older one have let a grace period pass without accepting a change."""
        return cls.floor_and_current(at)[0]

    @classmethod
    def floor_and_current(cls, at=None):
        """(binding floor, current edition number), in one query; for the present, once per
        request (a member's standing is asked by every part of a page) and shared by the
        requests of one site generation until the next edition binds."""
        if at is not None:
            return cls._floor_current_and_next(at)[:2]
        found = for_generation(
            "editions",
            lambda: cls._floor_current_and_next(timezone.now()),
            still_true=lambda found: found[2] is None or timezone.now() < found[2],
        )
        return found[:2]

    @classmethod
    def _floor_current_and_next(cls, at):
        found = cls.objects.aggregate(
            floor=models.Max("id", filter=models.Q(binds_at__lte=at)),
            current=models.Max("id"),
            next_binding=models.Min("binds_at", filter=models.Q(binds_at__gt=at)),
        )
        return found["floor"] or 0, found["current"] or 0, found["next_binding"]

    @classmethod
    def grace_deadline(cls, accepted_edition, at=None):
        """When a member who accepted `accepted_edition` in full stops being in good standing
        unless they accept what changed since (None: nothing newer binds them later)."""
        at = at or timezone.now()
        return cls.objects.filter(id__gt=accepted_edition, binds_at__gt=at).aggregate(
            deadline=models.Min("binds_at")
        )["deadline"]


def forming_progress():
    """The forming progress of the community (None once formed, or before founding). Once
    formed a community stays formed, so pages ask the cache, not the database, from then on."""
    if cache.get(FORMED_CACHE_KEY):
        return None
    community = Community.current()
    if community is None:
        return None
    progress = community.forming_progress()
    if progress is None:
        cache.set(FORMED_CACHE_KEY, True, 3600)
    return progress
