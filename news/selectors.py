"""Reads for the news pages: keyset pagination, so any page costs the same at any depth."""

from dataclasses import dataclass

from django.db.models import Q

from agreements.models import Agreement
from agreements.paging import PAGE_SIZE, make_cursor, paginate

from .models import NewsItem, Notification

__all__ = ["PAGE_SIZE", "NewsFilter", "latest", "make_cursor", "news_page", "notification_page"]


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
        "item",
        "item__agreement",
        "item__amendment",
        "comment",
        "comment__author",
        "comment__amendment",
    )
    return paginate(queryset, cursor, "created_at")


def unread_count(member, limit=100):
    """Unread notifications, counted up to `limit` (the header shows "99+" beyond)."""
    return (
        Notification.objects.filter(recipient=member, read_at__isnull=True)
        .values("pk")[:limit]
        .count()
    )
