"""Finding things: full-text search on PostgreSQL, a plain substring match elsewhere.

On PostgreSQL each entry is matched with the configuration of its own language (English or
Russian stemming), through the partial GIN indexes of migration 0001, ranked with ts_rank and
cut into a snippet with ts_headline. The snippet is escaped here and only our own highlight
marks become <mark>, so no text can bring markup onto the results page.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, FloatField, Q, TextField, When
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .indexing import MARKS
from .models import Entry

START, STOP = "\ue000", "\ue001"
MAX_QUERY_LENGTH = 200
RESULTS = 30
CONFIGS = {"en": "english", "ru": "russian"}


@dataclass
class Result:
    entry: Entry
    snippet: str
    rank: float

    @property
    def kind(self):
        return self.entry.kind

    @property
    def title(self):
        return self.entry.title

    @property
    def url(self):
        return self.entry.get_absolute_url()


def highlighted(text):
    """Escape `text`, then turn our highlight marks (and only those) into <mark>."""
    parts = re.split(f"({START}|{STOP})", text)
    out, open_mark = [], False
    for part in parts:
        if part == START and not open_mark:
            out.append("<mark>")
            open_mark = True
        elif part == STOP and open_mark:
            out.append("</mark>")
            open_mark = False
        elif part not in (START, STOP):
            out.append(escape(part))
    if open_mark:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 - every piece was escaped just above


def clean_query(query):
    return " ".join(MARKS.sub("", query or "").split())[:MAX_QUERY_LENGTH]


def search(query, *, kind=None, limit=RESULTS):
    """The best `limit` entries for `query`, best first (newest first on the fallback)."""
    query = clean_query(query)
    if not query:
        return []
    entries = Entry.objects.all()
    if kind:
        entries = entries.filter(kind=kind)
    if connection.vendor == "postgresql":
        return _full_text(entries, query, limit)
    return _substring(entries, query, limit)


def _per_language(build, output_field):
    """One expression choosing the English or Russian variant by the entry's language."""
    return Case(
        When(language="ru", then=build("ru")),
        default=build("en"),
        output_field=output_field,
    )


def _full_text(entries, query, limit):
    vectors = {code: SearchVector("document", config=config) for code, config in CONFIGS.items()}
    queries = {
        code: SearchQuery(query, config=config, search_type="websearch")
        for code, config in CONFIGS.items()
    }
    matched = entries.alias(vector_en=vectors["en"], vector_ru=vectors["ru"]).filter(
        Q(language="en", vector_en=queries["en"]) | Q(language="ru", vector_ru=queries["ru"])
    )
    ranked = matched.annotate(
        rank=_per_language(lambda code: SearchRank(vectors[code], queries[code]), FloatField()),
        snippet=_per_language(
            lambda code: SearchHeadline(
                "document",
                queries[code],
                config=CONFIGS[code],
                start_sel=START,
                stop_sel=STOP,
                max_words=40,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
            TextField(),
        ),
    ).order_by("-rank", "-moment", "-id")
    return [
        Result(entry, highlighted(entry.snippet), entry.rank)
        for entry in ranked.defer("document")[:limit]
    ]


def _substring(entries, query, limit):
    words = query.split()[:8]
    for word in words:
        entries = entries.filter(document__icontains=word)
    results = []
    for entry in entries.order_by("-moment", "-id")[:limit]:
        results.append(Result(entry, highlighted(_window(entry.document, words)), 0.0))
    return results


def _window(document, words, width=160):
    """About `width` characters around the first match, with the matches marked."""
    lowered = document.lower()
    positions = [lowered.find(word.lower()) for word in words if word.lower() in lowered]
    start = max(min(positions, default=0) - width // 3, 0)
    text = document[start : start + width]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    text = pattern.sub(lambda m: f"{START}{m[0]}{STOP}", text)
    return ("… " if start else "") + " ".join(text.split()) + " …"
