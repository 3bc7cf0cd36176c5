"""Keeping the search index in step with the texts: called when a text is saved (receivers.py)
and by `manage.py rebuild_search_index`, which writes the whole index from the rows."""

import html
import re

from django.db import transaction
from django.utils import translation
from django.utils.html import strip_tags

from agreements.models import Agreement, Amendment, Comment, Community
from news.models import NewsItem

from .models import Entry

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
LATIN = re.compile(r"[a-z]", re.IGNORECASE)
# Snippet highlight marks (search/queries.py); never allowed into the indexed text.
MARKS = re.compile("[\ue000\ue001]")
CLAUSE_START = re.compile(r'<div class="clause" id="p-(\d+)">')
CLAUSE_LINK = re.compile(r'<a [^>]*class="clause-link"[^>]*>.*?</a>')


def language_of(text, default="en"):
    """ "ru" or "en": whichever alphabet the text is mostly written in, so each text is matched
    with the stemming rules of its own language (a Russian comment in an English community)."""
    sample = text[:20_000]
    cyrillic, latin = len(CYRILLIC.findall(sample)), len(LATIN.findall(sample))
    if cyrillic == latin == 0:
        return default
    return "ru" if cyrillic > latin else "en"


def _community_language():
    community = Community.current()
    return community.language if community else "en"


def plain(html_text):
    """Readable text of stored, sanitised HTML, without the clauses' ¶ links."""
    text = strip_tags(CLAUSE_LINK.sub("", html_text))
    return MARKS.sub("", html.unescape(text)).strip()


def clauses(body_html):
    """(number, text) for each citable clause of a rendered text, numbered as rendering did."""
    found = []
    starts = list(CLAUSE_START.finditer(body_html))
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(body_html)
        text = plain(body_html[match.end() : end])
        if text:
            found.append((int(match[1]), text))
    return found


def _entry(*, kind, title, text, moment, default, **about):
    title = MARKS.sub("", title)[:300]
    document = f"{title}\n{text}"
    return Entry(
        kind=kind,
        title=title,
        document=document,
        language=language_of(document, default),
        moment=moment,
        **about,
    )


@transaction.atomic
def index_agreement(agreement, default=None):
    """The clauses of the version in force; a repealed agreement is no longer found."""
    Entry.objects.filter(kind=Entry.Kind.AGREEMENT, agreement_id=agreement.pk).delete()
    if not agreement.is_in_force:
        return
    default = default or _community_language()
    Entry.objects.bulk_create(
        [
            _entry(
                kind=Entry.Kind.AGREEMENT,
                title=agreement.title,
                text=text,
                moment=agreement.effective_at,
                default=default,
                agreement_id=agreement.pk,
                slug=agreement.slug,
                version=agreement.version,
                paragraph=number,
            )
            for number, text in clauses(agreement.body_html)
        ]
    )


@transaction.atomic
def index_amendment(amendment, default=None):
    Entry.objects.filter(kind=Entry.Kind.AMENDMENT, amendment_id=amendment.pk).delete()
    text = "\n".join(
        part
        for part in (
            amendment.proposed_title,
            plain(amendment.rationale_html),
            plain(amendment.body_html),
        )
        if part
    )
    _entry(
        kind=Entry.Kind.AMENDMENT,
        title=amendment.title,
        text=text,
        moment=amendment.proposed_at,
        default=default or _community_language(),
        amendment_id=amendment.pk,
    ).save()


@transaction.atomic
def index_comment(comment, default=None):
    Entry.objects.filter(kind=Entry.Kind.COMMENT, comment_id=comment.pk).delete()
    title = Amendment.objects.filter(pk=comment.amendment_id).values_list("title", flat=True)
    _entry(
        kind=Entry.Kind.COMMENT,
        title=title.first() or "",
        text=plain(comment.body_html),
        moment=comment.created_at,
        default=default or _community_language(),
        amendment_id=comment.amendment_id,
        comment_id=comment.pk,
    ).save()


@transaction.atomic
def index_news_item(item, default=None):
    Entry.objects.filter(kind=Entry.Kind.NEWS, news_item_id=item.pk).delete()
    default = default or _community_language()
    with translation.override(default):
        # An event's title is what it is about; its headline says what happened.
        title = str(item.headline)
    _entry(
        kind=Entry.Kind.NEWS,
        title=title,
        text=plain(item.body_html),
        moment=item.published_at,
        default=default,
        news_item_id=item.pk,
    ).save()


@transaction.atomic
def rebuild():
    """Write the whole index again from the rows; returns how many entries it holds."""
    Entry.objects.all().delete()
    default = _community_language()
    for agreement in Agreement.objects.in_force().iterator(chunk_size=100):
        index_agreement(agreement, default)
    for amendment in Amendment.objects.iterator(chunk_size=200):
        index_amendment(amendment, default)
    for comment in Comment.objects.iterator(chunk_size=1000):
        index_comment(comment, default)
    for item in NewsItem.objects.iterator(chunk_size=1000):
        index_news_item(item, default)
    return Entry.objects.count()
