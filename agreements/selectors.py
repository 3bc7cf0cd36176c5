"""Reads that take more than one query or some computing; views call these, templates never do."""

import json
import re

from django.core.cache import cache

from .diffing import compare


class Comparison:
    def __init__(self, old, new, diff):
        self.old = old
        self.new = new
        self.diff = diff


# Part of every diff's cache key: a release that changes what a `Diff` holds bumps it, so no page
# ever meets a cached diff of the old shape.
DIFF_FORMAT = 2


def _cached_compare(key, old_text, new_text):
    """Versions and revisions never change once written, so their diff (rendered paragraphs and
    all) is computed once a day at most, whatever the traffic. `old_text` may be a function
    returning it: a text that must be read from the history is then read only to compute."""
    key = f"{key}:f{DIFF_FORMAT}"
    diff = cache.get(key)
    if diff is None:
        diff = compare(old_text() if callable(old_text) else old_text, new_text)
        cache.set(key, diff, 24 * 3600)
    return diff


def compare_versions(agreement, a, b):
    """Word-level comparison of versions `a` and `b` of `agreement`, or None if one is unknown."""
    old, new = agreement.get_version(a), agreement.get_version(b)
    if old is None or new is None:
        return None
    return Comparison(
        old, new, _cached_compare(f"agreement-diff:{agreement.pk}:{a}:{b}", old.body, new.body)
    )


# A header value is written as it is only when it cannot be read as anything else: letters,
# digits and plain punctuation, not starting with a character YAML gives a meaning to.
PLAIN_VALUE = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\x00-\x1f\x7f-\x9f\u2028\u2029]*$")
# Characters some readers take for a line break (YAML 1.1: NEL, LS, PS) or that change how the
# text reads (bidi, zero-width): written as \u escapes inside a quoted value.
UNSAFE_IN_QUOTES = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def front_matter_value(value):
    """`value` for one `key: value` line of the header: as it is when that is safe, else as a
    double-quoted (JSON) string, so no text can add a line or change what a line means."""
    value = str(value)
    if (
        PLAIN_VALUE.match(value)
        and not UNSAFE_IN_QUOTES.search(value)
        and ": " not in value
        and " #" not in value
        and value.strip() == value
    ):
        return value
    quoted = json.dumps(value, ensure_ascii=False)
    return UNSAFE_IN_QUOTES.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)


def markdown_export(agreement, url):
    """A version's text with a metadata header, so a downloaded copy says what it is. Takes the
    agreement (its current version) or a historical record (any version); the format is the one
    `agreements.texts.parse` reads, and the one borrowing and the community export use. Every
    value goes through `front_matter_value`, so no text can forge a line of the header."""
    fields = [
        ("slug", agreement.slug),
        ("title", agreement.title),
        ("version", agreement.version),
        ("effective", agreement.effective_at.isoformat(timespec="seconds")),
        ("status", agreement.status),
        ("origin", agreement.origin),
    ]
    if agreement.summary:
        fields.append(("summary", agreement.summary))
    if agreement.source_url:
        fields.append(("source", agreement.source_url))
    if agreement.source_version:
        fields.append(("source_version", agreement.source_version))
    if agreement.change_note:
        fields.append(("note", agreement.change_note))
    fields.append(("url", url))
    lines = ["---", *(f"{key}: {front_matter_value(value)}" for key, value in fields), "---"]
    lines += ["", agreement.body.strip(), ""]
    return "\n".join(lines)


def compare_texts(old, new):
    return compare(old or "", new or "")
