"""Reads for the news pages: keyset pagination, so any page costs the same at any depth."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q

from agreements.models import Agreement

from .models import NewsItem, Notification

PAGE_SIZE = 20
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CURSOR = re.compile(r"^(\d{1,19})-(\d{1,19})$")


def make_cursor(item, moment_field="published_at"):
    moment = getattr(item, moment_field)
    return f"{(moment - EPOCH) // timedelta(microseconds=1)}-{item.pk}"


def parse_cursor(value):
    """(moment, id) from a cursor, or None for anything malformed: that gives the first page."""
    match = CURSOR.match(value or "")
    if not match:
        return None
    try:
        moment = EPOCH + timedelta(microseconds=int(match[1]))
    except OverflowError:
        return None
    pk = int(match[2])
    return (moment, pk) if pk < 2**63 else None


@dataclass
class Page:
    items: list
    next_cursor: str | None
    is_first: bool


def paginate(queryset, cursor, moment_field):
    """One page, newest first, after `cursor` (ties on the moment are broken by id)."""
    position = parse_cursor(cursor)
    if position is not None:
        moment, pk = position
        queryset = queryset.filter(
            Q(**{f"{moment_field}__lt": moment}) | Q(**{moment_field: moment, "pk__lt": pk})
        )
    items = list(queryset.order_by(f"-{moment_field}", "-id")[: PAGE_SIZE + 1])
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    return Page(items, make_cursor(items[-1], moment_field) if more else None, position is None)


@dataclass
class NewsFilter:
    kind: str = ""
    agreement: Agreement | None = None

    @classmethod
    def from_query(cls, query):
        kind = query.get("kind", "")
        slug = query.get("agreement", "")
        return cls(
            kind=kind if kind in NewsItem.Kind.values else "",
            agreement=Agreement.objects.filter(slug=slug).first() if slug else None,
        )

    def apply(self, queryset):
        if self.kind:
            queryset = queryset.filter(kind=self.kind)
        if self.agreement is not None:
            queryset = queryset.filter(
                Q(agreement=self.agreement) | Q(amendment__agreement=self.agreement)
            )
        return queryset

    def query(self):
        parts = []
        if self.kind:
            parts.append(f"kind={self.kind}")
        if self.agreement:
            parts.append(f"agreement={self.agreement.slug}")
        return "&".join(parts)


def _news():
    return NewsItem.objects.select_related("author", "agreement", "amendment").defer(
        "body", "amendment__body", "amendment__body_html", "amendment__rationale",
        "amendment__rationale_html", "amendment__conflict", "agreement__body",
        "agreement__body_html",
    )  # fmt: skip


def news_page(filters, cursor):
    return paginate(filters.apply(_news()), cursor, "published_at")


def latest(count):
    return list(_news().order_by("-published_at", "-id")[:count])


def notification_page(member, cursor):
    queryset = Notification.objects.filter(recipient=member).select_related(
        "item", "item__agreement", "comment", "comment__author", "comment__amendment"
    )
    return paginate(queryset, cursor, "created_at")


def unread_count(member, limit=100):
    """Unread notifications, counted up to `limit` (the header shows "99+" beyond)."""
    return (
        Notification.objects.filter(recipient=member, read_at__isnull=True)
        .values("pk")[:limit]
        .count()
    )
