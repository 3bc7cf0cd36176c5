"""Reads that take more than one query or some computing; views call these, templates never do."""

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
    all) is computed once a day at most, whatever the traffic."""
    key = f"{key}:f{DIFF_FORMAT}"
    diff = cache.get(key)
    if diff is None:
        diff = compare(old_text, new_text)
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


def _line(value):
    """A front-matter value on one line, whatever the text held."""
    return " ".join(str(value).split())


def markdown_export(agreement, url):
    """A version's text with a metadata header, so a downloaded copy says what it is. Takes the
    agreement (its current version) or a historical record (any version); the format is the one
    `agreements.texts.parse` reads, and the one borrowing and the community export use."""
    lines = [
        "---",
        f"slug: {agreement.slug}",
        f"title: {_line(agreement.title)}",
        f"version: {agreement.version}",
        f"effective: {agreement.effective_at.isoformat(timespec='seconds')}",
        f"status: {agreement.status}",
        f"origin: {agreement.origin}",
    ]
    if agreement.summary:
        lines.append(f"summary: {_line(agreement.summary)}")
    if agreement.source_url:
        lines.append(f"source: {_line(agreement.source_url)}")
    if agreement.source_version:
        lines.append(f"source_version: {_line(agreement.source_version)}")
    if agreement.change_note:
        lines.append(f"note: {_line(agreement.change_note)}")
    lines += [f"url: {url}", "---", "", agreement.body.strip(), ""]
    return "\n".join(lines)


def compare_texts(old, new):
    return compare(old or "", new or "")
