"""Reads for the moderation pages: the public log (keyset pages), one entry, the report queue."""

from dataclasses import dataclass

from django.utils import timezone

from agreements.paging import paginate
from members.models import User

from .models import AppealMessage, ModerationAction, Report


def _entries():
    return ModerationAction.objects.select_related(
        "actor", "member", "comment", "comment__author", "amendment", "post", "reverses"
    ).defer("original", "original_html", "comment__body", "amendment__body",
            "amendment__body_html", "amendment__rationale", "amendment__rationale_html",
            "amendment__conflict", "post__body")  # fmt: skip


@dataclass
class LogFilter:
    act: str = ""
    target: str = ""
    by: User | None = None

    @classmethod
    def from_query(cls, query):
        act, target, by = query.get("act", ""), query.get("target", ""), query.get("by", "")
        return cls(
            act=act if act in ModerationAction.Act.values else "",
            target=target if target in ModerationAction.Target.values else "",
            by=User.objects.filter(username__iexact=by[:150]).first() if by else None,
        )

    def apply(self, queryset):
        if self.act:
            queryset = queryset.filter(act=self.act)
        if self.target:
            queryset = queryset.filter(target=self.target)
        if self.by is not None:
            queryset = queryset.filter(actor=self.by)
        return queryset

    def query(self):
        parts = [
            f"act={self.act}" if self.act else "",
            f"target={self.target}" if self.target else "",
        ]
        if self.by is not None:
            parts.append(f"by={self.by.username}")
        return "&".join(part for part in parts if part)


def log_page(filters, cursor):
    """A page of the public log, newest first, at the same cost at any depth."""
    return paginate(filters.apply(_entries()), cursor, "created_at")


def latest(count):
    return list(_entries().order_by("-created_at", "-id")[:count])


def entry(pk):
    return (
        ModerationAction.objects.select_related(
            "actor", "member", "comment", "comment__author", "comment__amendment", "amendment",
            "amendment__author", "post", "post__author", "reverses", "reverses__actor",
        )
        .filter(pk=pk)
        .first()
    )  # fmt: skip


def appeal_thread(action):
    return list(AppealMessage.objects.filter(action=action).select_related("author", "reversal"))


def current_suspension(member, now=None):
    """The act that suspended `member`, if they are suspended now (for the notice they see)."""
    now = now or timezone.now()
    if not member.is_suspended(now):
        return None
    return (
        ModerationAction.objects.filter(
            member=member, act=ModerationAction.Act.SUSPEND, ends_at=member.suspended_until
        )
        .select_related("actor")
        .order_by("-created_at")
        .first()
    )


REPORTS_PER_PAGE = 50


def report_queue():
    """Open reports, oldest first: what moderators are asked to look at."""
    return list(
        Report.objects.filter(resolved_at__isnull=True)
        .select_related("reporter", "comment", "comment__author", "amendment", "post", "member")
        .order_by("created_at", "id")[:REPORTS_PER_PAGE]
    )


def reports_by(member, limit=100):
    """What a member reported and what came of it, newest first."""
    return list(
        Report.objects.filter(reporter=member)
        .select_related("comment", "amendment", "post", "member", "action", "resolved_by")
        .order_by("-created_at", "-id")[:limit]
    )
