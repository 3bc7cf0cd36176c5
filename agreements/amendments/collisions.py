"""Amendments that collide, found as soon as they are proposed or revised.

Two pending change amendments of the same agreement *collide* when their texts overlap against
their common base: they change at least one paragraph of it in common (rewording, removing or
moving it away), unless both make exactly the same change; or they add different paragraphs at
the same place; or one adds paragraphs inside a run the other replaces. Changes to different
paragraphs, even neighbouring ones, do not collide. This is the rule that decides rebasing
(agreements/merging.py), so a collision shown now is exactly a conflict that will send one of
them back to its author when the other takes effect, and no other.

*Pending* means in discussion, in voting, or adopted and not yet in effect: the amendments whose
text may still become the agreement's. One that needs an update is left out until its author
resolves it (its text is being rewritten), and so are withdrawn, rejected and applied ones.

The common base is the newer of the two base versions: an amendment written on an older version
is first merged onto it, as will happen when it takes effect. One whose own changes overlap the
newer version cannot be merged onto it; it will need an update anyway, and is not compared.

Collisions are computed when an amendment is proposed, revised, resolved or rebased, stored as
`Collision` rows (so pages never compare texts per request), and dropped when it stops being
pending. A pair that starts colliding is announced once (`amendments_collided`): news tells both
authors.
"""

from django.db.models import Q
from django.utils import timezone

from ..diffing import compare
from ..merging import merge
from ..models import Amendment, Collision
from ..signals import amendments_collided

P = Amendment.Phase
PENDING = Q(phase__in=[P.DISCUSSION, P.VOTING]) | Q(phase=P.ADOPTED, applied_at__isnull=True)


def is_pending(amendment, now=None):
    phase = amendment.phase_at(now)
    if phase in (P.DISCUSSION, P.VOTING):
        return True
    return phase == P.ADOPTED and amendment.applied_at is None


def _text_on(amendment, version, agreement):
    """The amendment's text as it would read on `version` of its agreement (None when its own
    changes overlap what changed between its base and that version)."""
    if amendment.base_version == version:
        return amendment.body
    old, new = agreement.get_version(amendment.base_version), agreement.get_version(version)
    if old is None or new is None:
        return None
    merged = merge(old.body, amendment.body, new.body)
    return merged.text() if merged.clean else None


def compare_pair(first, second):
    """(common base version, the overlapping stretches) of two change amendments of the same
    agreement, or None when they cannot be brought onto a common base."""
    agreement = first.agreement
    version = max(first.base_version, second.base_version)
    base = agreement.get_version(version)
    one, two = _text_on(first, version, agreement), _text_on(second, version, agreement)
    if base is None or one is None or two is None:
        return None
    return version, merge(base.body, one, two).conflicts


def _diff_html(base, text):
    """A word diff of one side's wording against the base, as HTML built from escaped text."""
    diff = compare("\n\n".join(base), "\n\n".join(text))
    blocks = []
    for part in diff.parts:
        blocks += part.blocks if part.kind == "fold" else [part]
    return "".join(f'<div class="diff-block diff-{b.kind}">{b.html}</div>' for b in blocks)


def _passages(conflicts):
    return [
        {
            "start": conflict.start,
            "end": conflict.end,
            "base": "\n\n".join(conflict.base),
            "amendment_html": _diff_html(conflict.base, conflict.ours),
            "other_html": _diff_html(conflict.base, conflict.theirs),
        }
        for conflict in conflicts
    ]


def _rows_of(amendment):
    return Collision.objects.filter(Q(amendment=amendment) | Q(other=amendment))


def find_collisions(amendment, now=None):
    """Recompute which pending amendments `amendment` collides with; store them and announce
    the pairs that were not colliding before. Runs inside the caller's transaction."""
    now = now or timezone.now()
    before = {
        (row.amendment_id, row.other_id): row.amendment_id
        for row in _rows_of(amendment).only("amendment_id", "other_id")
    }
    _rows_of(amendment).delete()
    if amendment.kind != Amendment.Kind.CHANGE or amendment.agreement_id is None:
        return []
    if not is_pending(amendment, now):
        return []
    others = (
        Amendment.objects.filter(PENDING, kind=Amendment.Kind.CHANGE)
        .filter(agreement_id=amendment.agreement_id)
        .exclude(pk=amendment.pk)
        .select_related("agreement", "author")
        .order_by("pk")
    )
    found = []
    for other in others:
        if not is_pending(other, now):
            continue
        compared = compare_pair(amendment, other)
        if compared is None or not compared[1]:
            continue
        version, conflicts = compared
        low, high = sorted((amendment, other), key=lambda a: a.pk)
        ordered = conflicts if low is amendment else [_swap(c) for c in conflicts]
        collision = Collision.objects.create(
            amendment=low,
            other=high,
            base_version=version,
            amendment_revision=low.revision,
            other_revision=high.revision,
            passages=_passages(ordered),
            found_at=now,
        )
        found.append(collision)
        if (low.pk, high.pk) not in before:
            amendments_collided.send(
                sender=Collision, amendment=amendment, other=other, collision=collision, when=now
            )
    return found


def _swap(conflict):
    conflict.ours, conflict.theirs = conflict.theirs, conflict.ours
    return conflict


def forget_collisions(amendment):
    """The amendment is no longer pending (withdrawn, rejected, needs an update, in effect):
    it collides with nothing any more."""
    _rows_of(amendment).delete()


def collisions_of(amendment, now=None):
    """The stored collisions of `amendment` with amendments still pending, each seen from it:
    (other amendment, passages), for its page."""
    if not is_pending(amendment, now):
        return []
    rows = _rows_of(amendment).select_related(
        "amendment", "other", "amendment__author", "other__author"
    )
    seen = [row.seen_from(amendment) + (row,) for row in rows]
    return [
        {"other": other, "passages": passages, "collision": row}
        for other, passages, row in seen
        if is_pending(other, now)
    ]


def _pending(prefix):
    return Q(**{f"{prefix}__phase__in": [P.DISCUSSION, P.VOTING]}) | Q(
        **{f"{prefix}__phase": P.ADOPTED, f"{prefix}__applied_at__isnull": True}
    )


def colliding_ids(amendments):
    """Of these amendments, the ids of those that collide with another pending one (to mark
    them in lists): one query, whatever the list."""
    ids = [a.pk for a in amendments]
    if not ids:
        return set()
    rows = (
        Collision.objects.filter(Q(amendment__in=ids) | Q(other__in=ids))
        .filter(_pending("amendment"), _pending("other"))
        .values_list("amendment_id", "other_id")
    )
    return {pk for pair in rows for pk in pair} & set(ids)
