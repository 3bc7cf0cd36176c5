"""The shapes the API answers with: plain dicts, the same keys every time (a missing value is
null, never an absent key), dates in ISO 8601 UTC, every address absolute.

docs/api.md describes each shape; change them only by adding keys.
"""

from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement

from .responses import iso

API_VERSION = 1


class Links:
    """Absolute addresses for one request (the host the client used)."""

    def __init__(self, request):
        self.request = request

    def __call__(self, path):
        return self.request.build_absolute_uri(path)

    def to(self, name, *args):
        return self(reverse(name, args=args))


def _source(record):
    if record.origin != Agreement.Origin.BORROWED and not record.source_url:
        return None
    return {"url": record.source_url or None, "version": record.source_version or None}


def agreement_summary(agreement, link):
    return {
        "type": "agreement",
        "slug": agreement.slug,
        "title": agreement.title,
        "summary": agreement.summary,
        "status": agreement.status,
        "is_idea": agreement.is_idea,
        "origin": agreement.origin,
        "source": _source(agreement),
        "version": agreement.version,
        "effective_at": iso(agreement.effective_at),
        "url": link(agreement.get_absolute_url()),
        "api_url": link.to("api:agreement", agreement.slug),
    }


def agreement_detail(agreement, link):
    """An agreement with the text of its current version."""
    return {
        **agreement_summary(agreement, link),
        "change_note": agreement.change_note,
        "body": agreement.body,
        "body_html": agreement.body_html,
        "version_url": link(agreement.version_url(agreement.version)),
        "markdown_url": link.to("agreements:markdown", agreement.slug),
        "history_url": link.to("api:history", agreement.slug),
        "amendments_url": link(f"{reverse('api:amendments')}?agreement={agreement.slug}"),
    }


def _amendment_link(amendment_id, link):
    if not amendment_id:
        return None
    return {
        "id": amendment_id,
        "url": link.to("amendments:detail", amendment_id),
        "api_url": link.to("api:amendment", amendment_id),
    }


def version_entry(agreement, record, link):
    """One version in an agreement's history (without its text)."""
    return {
        "type": "agreement_version",
        "slug": agreement.slug,
        "version": record.version,
        "title": record.title,
        "summary": record.summary,
        "effective_at": iso(record.effective_at),
        "change_note": record.change_note,
        "amendment": _amendment_link(record.amendment_id, link),
        "url": link(agreement.version_url(record.version)),
        "api_url": link.to("api:version", agreement.slug, record.version),
    }


def version_detail(agreement, record, link):
    return {
        **version_entry(agreement, record, link),
        "is_current": record.version == agreement.version,
        "origin": record.origin,
        "source": _source(record),
        "body": record.body,
        "body_html": record.body_html,
        "agreement": {
            "slug": agreement.slug,
            "status": agreement.status,
            "version": agreement.version,
            "url": link(agreement.get_absolute_url()),
            "api_url": link.to("api:agreement", agreement.slug),
        },
    }


def person(user, link):
    if user is None:
        return None
    return {
        "username": user.username,
        "display_name": user.public_name,
        "url": link(user.get_absolute_url()),
    }


def tally(amendment, members):
    outcome = amendment.outcome(members=members)
    return {
        "support": amendment.support_count,
        "oppose": amendment.oppose_count,
        "abstain": amendment.abstain_count,
        "votes": outcome.votes,
        "quorum": outcome.quorum,
        "has_quorum": outcome.has_quorum,
        "support_percent": float(outcome.support_share)
        if outcome.support_share is not None
        else None,
        "threshold_percent": float(outcome.threshold),
    }


def amendment_summary(amendment, link, *, members, now):
    agreement = amendment.agreement
    return {
        "type": "amendment",
        "id": amendment.pk,
        "title": amendment.title,
        "kind": amendment.kind,
        "phase": amendment.phase_at(now),
        "agreement": {
            "slug": agreement.slug,
            "title": agreement.title,
            "url": link(agreement.get_absolute_url()),
            "api_url": link.to("api:agreement", agreement.slug),
        }
        if agreement
        else None,
        "base_version": amendment.base_version,
        "proposed_title": amendment.proposed_title,
        "source": {"url": amendment.source_url, "version": amendment.source_version or None}
        if amendment.source_url
        else None,
        "author": person(amendment.author, link),
        "revision": amendment.revision,
        "proposed_at": iso(amendment.proposed_at),
        "discussion_ends_at": iso(amendment.discussion_ends_at),
        "voting_ends_at": iso(amendment.voting_ends_at),
        "effective_at": iso(amendment.effective_at),
        "applied_at": iso(amendment.applied_at),
        "withdrawn_at": iso(amendment.withdrawn_at),
        "adopted_version": amendment.adopted_version,
        "tally": tally(amendment, members),
        "comment_count": amendment.comment_count,
        "url": link(amendment.get_absolute_url()),
        "api_url": link.to("api:amendment", amendment.pk),
    }


def amendment_detail(amendment, link, *, members, now):
    return {
        **amendment_summary(amendment, link, members=members, now=now),
        "proposed_summary": amendment.proposed_summary,
        "body": amendment.body,
        "rationale": amendment.rationale,
        "rationale_html": amendment.rationale_html,
        "procedure": {
            "version": amendment.procedure_version,
            "discussion_days": amendment.discussion_days,
            "voting_days": amendment.voting_days,
            "quorum_percent": float(amendment.quorum_percent),
            "quorum_minimum": amendment.quorum_minimum,
            "threshold_percent": float(amendment.threshold_percent),
            "effect_delay_days": amendment.effect_delay_days,
        },
    }


def news_item(item, link, *, language):
    with translation.override(language):
        headline = str(item.headline)
    return {
        "type": "news",
        "id": item.pk,
        "kind": item.kind,
        "event": item.event or None,
        "title": item.title,
        "headline": headline,
        "body": item.body,
        "body_html": item.body_html,
        "author": person(item.author, link),
        "published_at": iso(item.published_at),
        "edited_at": iso(item.edited_at),
        "agreement": link.to("api:agreement", item.agreement.slug) if item.agreement else None,
        "amendment": link.to("api:amendment", item.amendment_id) if item.amendment_id else None,
        "target_url": link(item.target_url()),
        "url": link(item.get_absolute_url()),
    }


def procedure(current, link):
    return {
        "type": "procedure",
        "version": current.version,
        "discussion_days": current.discussion_days,
        "voting_days": current.voting_days,
        "quorum_percent": float(current.quorum_percent),
        "quorum_minimum": current.quorum_minimum,
        "threshold_percent": float(current.threshold_percent),
        "effect_delay_days": current.effect_delay_days,
        "set_by": link.to("api:agreement", current.agreement.slug) if current.agreement else None,
        "changed_by": _amendment_link(current.changed_by_id, link),
    }
