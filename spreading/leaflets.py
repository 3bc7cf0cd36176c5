"""Printable leaflets: the one active action the agreements ask of a member is spreading the idea
("Spreading the idea": the site provides printable leaflets and share links)."""

import re

import segno
from django.utils.safestring import mark_safe

SIZES = ("a4", "a5")
CLAUSE_START = re.compile(r'<div class="clause" id="p-\d+">')
FIRST_CLAUSES = 3


def qr_svg(url, *, title):
    """The address as a QR code, an inline SVG drawn here: no image service, no network."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=4, border=4, omitsize=True, svgclass="qr-code", title=title)
    return mark_safe(svg)  # noqa: S308 - segno's own markup; the title is escaped by segno


def first_clauses(body_html, count=FIRST_CLAUSES):
    """The first `count` clauses of a stored rendered text, and whether more follow. Clauses are
    top-level blocks of sanitised HTML, so cutting before one keeps the markup whole."""
    starts = [match.start() for match in CLAUSE_START.finditer(body_html)]
    if len(starts) <= count:
        return body_html, False
    return body_html[: starts[count]], True


def display_address(url):
    """The address as people type it: without the scheme and the final slash."""
    return re.sub(r"^https?://", "", url).rstrip("/")
