"""Keyset (cursor) pagination: a page costs the same at any depth, unlike OFFSET.

A cursor is "<microseconds since 1970>-<id>" of the last row shown. Anything malformed, or out
of range, reads as no cursor (the first page); a forged but well-formed one just pages from
there, which shows nothing that is not public anyway.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q

PAGE_SIZE = 20
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CURSOR = re.compile(r"^(\d{1,19})-(\d{1,19})$")


def make_cursor(row, moment_field):
    return f"{(getattr(row, moment_field) - EPOCH) // timedelta(microseconds=1)}-{row.pk}"


def parse_cursor(value):
    """(moment, id) from a cursor, or None for anything malformed."""
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


def paginate(queryset, cursor, moment_field, *, newest_first=True, size=PAGE_SIZE):
    """One page after `cursor`, ordered by `moment_field` then id (ties broken by id)."""
    position = parse_cursor(cursor)
    if position is not None:
        moment, pk = position
        op = "lt" if newest_first else "gt"
        queryset = queryset.filter(
            Q(**{f"{moment_field}__{op}": moment}) | Q(**{moment_field: moment, f"pk__{op}": pk})
        )
    sign = "-" if newest_first else ""
    items = list(queryset.order_by(f"{sign}{moment_field}", f"{sign}id")[: size + 1])
    more = len(items) > size
    items = items[:size]
    return Page(items, make_cursor(items[-1], moment_field) if more else None, position is None)
