"""The agreements as they stood at any moment since founding (`?as_of=` on the agreement pages,
the speaker's brief of an occasion, a member's acceptances on a date).

What was in force is read from the versions' history with django-simple-history's `as_of`: a
version is in force from the moment it took effect (its `effective_at`, which is its record's
`history_date`) until the next version, or a repeal, took effect. So at the very moment a version
takes effect it is the one in force, and a second before, the one it replaced still was.

A date alone (`2026-03-01`) means the end of that day in the site's time zone (`TIME_ZONE`):
what was in force when the day ended, after every change made that day. A date with a time
(`2026-03-01T18:00`, seconds optional) means that very moment, in the same time zone.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Agreement, Community

DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
MOMENT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$")


class AsOfError(ValueError):
    """A date that cannot be shown; the message says why, for the person who asked."""


@dataclass(frozen=True)
class AsOf:
    """A moment in the past, and how the person asked for it."""

    moment: datetime
    day: date
    # True when only a date was given: the view says "at the end of <day>".
    whole_day: bool

    @property
    def query(self):
        """The `as_of` value that asks for this moment again."""
        if self.whole_day:
            return self.day.isoformat()
        return timezone.localtime(self.moment).strftime("%Y-%m-%dT%H:%M:%S")

    @property
    def label(self):
        if self.whole_day:
            return _("at the end of %(date)s") % {"date": date_format(self.day, "DATE_FORMAT")}
        return _("on %(moment)s") % {
            "moment": date_format(timezone.localtime(self.moment), "DATETIME_FORMAT")
        }


def end_of_day(day):
    """The last instant of `day` in the site's time zone."""
    start_of_next = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return start_of_next - timedelta(microseconds=1)


def _read(value):
    """(moment, day, whole_day) from the text, or None if it is not a date."""
    value = (value or "").strip()
    try:
        if match := DATE.match(value):
            day = date(*map(int, match.groups()))
            return end_of_day(day), day, True
        if match := MOMENT.match(value):
            parts = [int(part) for part in match.groups(default="0")]
            moment = timezone.make_aware(datetime(*parts))
            return moment, timezone.localdate(moment), False
    except (ValueError, OverflowError):
        return None
    return None


def parse_as_of(value, *, now=None):
    """Read an `as_of` value: a date (the end of that day) or a date and time (that moment).

    Refused, with a message saying why: anything that is not such a date, a moment before the
    community was founded (there were no agreements), and a day still to come (what will be in
    force then is not known). Today means now: the day has not ended yet.
    """
    now = now or timezone.now()
    read = _read(value)
    if read is None:
        raise AsOfError(
            _("“%(value)s” is not a date. Write it as YYYY-MM-DD, for example %(example)s.")
            % {"value": (value or "")[:40], "example": timezone.localdate(now).isoformat()}
        )
    moment, day, whole_day = read
    community = Community.current()
    if community is None or moment < community.founded_at:
        founded = community.founded_at if community else now
        raise AsOfError(
            _(
                "The community was founded on %(date)s: there were no agreements before. "
                "Choose a later date."
            )
            % {"date": date_format(timezone.localtime(founded), "DATE_FORMAT")}
        )
    if day > timezone.localdate(now) or (not whole_day and moment > now):
        raise AsOfError(
            _("%(date)s has not come yet: only what was in force until now can be shown.")
            % {"date": date_format(day, "DATE_FORMAT")}
        )
    return AsOf(moment=min(moment, now), day=day, whole_day=whole_day)


def _records_at(moment, **filters):
    """The newest historical record of each agreement at `moment` (one per agreement, even if
    two records share a date)."""
    records = (
        Agreement.history.filter(history_date__lte=moment, **filters)
        .latest_of_each()
        .exclude(history_type="-")
        .defer("body")
        .order_by("id", "-history_date", "-history_id")
    )
    newest = {}
    for record in records:
        newest.setdefault(record.id, record)
    return list(newest.values())


@dataclass
class PastVersion:
    """One agreement as it stood at a moment: the version then in force, and what became of it."""

    record: object  # the historical record of that version (django-simple-history)
    current: Agreement  # the agreement as it is now

    @property
    def slug(self):
        return self.current.slug

    @property
    def title(self):
        return self.record.title

    @property
    def version(self):
        return self.record.version

    @property
    def summary(self):
        return self.record.summary

    @property
    def effective_at(self):
        return self.record.effective_at

    @property
    def is_idea(self):
        return self.current.is_idea

    def get_absolute_url(self):
        return self.current.version_url(self.record.version)

    @property
    def changed_since(self):
        return self.current.version != self.record.version or not self.current.is_in_force


def agreements_in_force_at(moment):
    """Every agreement in force at `moment`, with the exact version then in force, in reading
    order. A repealed agreement is absent from the moment its repeal took effect."""
    records = [r for r in _records_at(moment) if r.status == Agreement.Status.IN_FORCE]
    current = Agreement.objects.defer("body", "body_html").in_bulk([r.id for r in records])
    versions = [PastVersion(record, current[record.id]) for record in records]
    return sorted(
        versions,
        key=lambda v: (not v.current.is_idea, v.current.position, v.record.title),
    )


def agreement_at(agreement, moment):
    """The historical record of `agreement` at `moment` (None before it existed): its version
    then in force, or its repeal."""
    found = _records_at(moment, id=agreement.pk)
    if not found:
        return None
    # The text, deferred in lists, is wanted here.
    return agreement.history.get(history_id=found[0].history_id)


def in_force_until(agreement, record):
    """When the version of `record` stopped being in force (None: it still is)."""
    later = (
        agreement.history.filter(history_date__gt=record.history_date)
        .exclude(version=record.version, status=record.status)
        .order_by("history_date", "history_id")
        .values_list("history_date", flat=True)
        .first()
    )
    return later
