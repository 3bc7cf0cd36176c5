"""Reads for the amendment pages; views call these, templates never do."""

from django.db.models import Count
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from .. import procedure as procedure_text
from ..models import Amendment, Comment, Procedure, Vote
from ..paging import paginate
from ..selectors import Comparison, _cached_compare
from .collisions import colliding_ids, collisions_of


def base_text(amendment):
    """The text of the version an amendment was written against."""
    if amendment.agreement is None or amendment.base_version is None:
        return ""
    record = amendment.agreement.get_version(amendment.base_version)
    return record.body if record else ""


def amendment_diff(amendment):
    """The proposal against its base version; cached per (amendment, revision, base)."""
    if amendment.kind != Amendment.Kind.CHANGE:
        return None
    key = f"amendment-diff:{amendment.pk}:{amendment.revision}:{amendment.base_version}"
    # The base text is a historical record: read only when the diff is not cached.
    return _cached_compare(key, lambda: base_text(amendment), amendment.body)


def compare_revisions(amendment, a, b):
    old, new = amendment.get_revision(a), amendment.get_revision(b)
    if old is None or new is None:
        return None
    key = f"amendment-revisions:{amendment.pk}:{a}:{b}"
    return Comparison(old, new, _cached_compare(key, old.body, new.body))


def revision_list(amendment):
    """One record per revision, oldest first."""
    records = amendment.history.order_by("history_date", "history_id").defer(
        "body", "body_html", "rationale", "rationale_html"
    )
    seen = {}
    for record in records:
        seen.setdefault(record.revision, record)
    return list(seen.values())


PHASE_GROUPS = [
    Amendment.Phase.VOTING,
    Amendment.Phase.DISCUSSION,
    Amendment.Phase.NEEDS_UPDATE,
    Amendment.Phase.ADOPTED,
    Amendment.Phase.REJECTED,
    Amendment.Phase.WITHDRAWN,
]
CLOSED_LIMIT = 20


def amendments_by_phase(*, agreement=None, phase=None, now=None):
    """Amendments grouped by the phase they are in now (computed from the deadlines).

    Open amendments are few by nature and all shown; closed ones are capped per group, with the
    full list one click away (`?phase=`).
    """
    now = now or timezone.now()
    queryset = Amendment.objects.select_related("agreement", "author").defer(
        "body", "body_html", "rationale", "rationale_html", "conflict"
    )
    if agreement is not None:
        queryset = queryset.filter(agreement=agreement)
    groups = {key: [] for key in PHASE_GROUPS}
    open_ones = queryset.filter(phase__in=Amendment.OPEN_PHASES)
    for amendment in open_ones:
        groups[amendment.phase_at(now)].append(amendment)
    limit = None if phase else CLOSED_LIMIT
    for closed in Amendment.CLOSED_PHASES:
        if phase and phase != closed:
            continue
        # Ordered along an index, so the newest few are read without sorting them all.
        moment = "withdrawn_at" if closed == Amendment.Phase.WITHDRAWN else "voting_ends_at"
        rows = queryset.filter(phase=closed).order_by(f"-{moment}", "-id")
        groups[closed] += list(rows[:limit] if limit else rows[:500])
    # Pending ones (discussion, voting, adopted and not in effect) that collide are marked.
    mark_collisions([a for key in PHASE_GROUPS[:4] for a in groups[key]])
    return [
        (Amendment.Phase(key), items) for key, items in groups.items() if not phase or key == phase
    ]


def mark_collisions(amendments):
    """Set `collides` on each amendment that collides with another pending one."""
    colliding = colliding_ids(amendments)
    for amendment in amendments:
        amendment.collides = amendment.pk in colliding
    return amendments


THREADS_PER_PAGE = 50


def thread_page(amendment, *, after=None, paragraph=None):
    """A page of the discussion, oldest first: top-level comments (optionally only those about
    one paragraph) with all their replies, `THREADS_PER_PAGE` at a time."""
    top = Comment.objects.filter(amendment=amendment, parent__isnull=True).select_related("author")
    if paragraph:
        top = top.filter(paragraph=paragraph)
    page = paginate(top, after, "created_at", newest_first=False, size=THREADS_PER_PAGE)
    replies = {}
    for reply in (
        Comment.objects.filter(parent__in=page.items)
        .select_related("author")
        .order_by("created_at", "id")
    ):
        replies.setdefault(reply.parent_id, []).append(reply)
    for comment in page.items:
        comment.reply_list = replies.get(comment.pk, [])
    return page


def reply_target(amendment, pk):
    """The top-level comment of `amendment` a reply would answer (`pk` as given in the
    address or the form), or None: replies stay one level deep."""
    if not (isinstance(pk, str) and pk.isascii() and pk.isdigit() and len(pk) < 19):
        return None
    return (
        Comment.objects.filter(amendment=amendment, pk=int(pk), parent__isnull=True)
        .select_related("author")
        .first()
    )


def _paragraph_counts(amendment):
    """Comments per paragraph of the current revision, counted by the database."""
    return dict(
        Comment.objects.filter(
            amendment=amendment, revision=amendment.revision, paragraph__isnull=False
        )
        .values_list("paragraph")
        .annotate(n=Count("id"))
        .values_list("paragraph", "n")
    )


def _with_comment_counts(html, counts):
    """Insert, after each clause's anchor, a link to the comments about it (ints only)."""
    for paragraph, number in counts.items():
        marker = f'<div class="clause" id="p-{paragraph}">'
        label = escape(
            ngettext("%(count)s comment", "%(count)s comments", number) % {"count": number}
        )
        link = f'<a class="clause-comments" href="?paragraph={paragraph}#comments">{label}</a>'

        html = html.replace(marker, marker + link, 1)
    return html


def amendment_page(amendment, user, *, after=None, paragraph=None, now=None):
    """Everything the amendment page shows, in a fixed number of queries."""
    now = now or timezone.now()
    threads = thread_page(amendment, after=after, paragraph=paragraph)
    counts = _paragraph_counts(amendment)
    votes = list(
        Vote.objects.filter(amendment=amendment, round=amendment.round)
        .select_related("member")
        .order_by("-changed_at")[:VOTERS_SHOWN]
    )
    my_vote = None
    if user.is_authenticated:
        my_vote = next((v for v in votes if v.member_id == user.pk), None) or (
            Vote.objects.filter(amendment=amendment, round=amendment.round, member=user).first()
        )
    phase = amendment.phase_at(now)
    procedure = Procedure.current()
    following = previous_visit = None
    if user.is_authenticated:
        following = user.is_following(amendment=amendment)
        shown = [c.created_at for t in threads.items for c in (t, *t.reply_list)]
        previous_visit = user.visit_thread(amendment, now, newest=max(shown, default=None))
    return {
        "amendment": amendment,
        "is_following": following,
        "previous_visit": previous_visit,
        "phase": phase,
        "timeline": timeline(amendment, now),
        "outcome": amendment.outcome(),
        "procedure": procedure,
        "procedure_changes": procedure_change_rows(amendment, procedure),
        "diff": amendment_diff(amendment),
        "body_html": _with_comment_counts(amendment.body_html, counts),
        "threads": threads,
        "paragraph": paragraph,
        "votes": votes,
        "my_vote": my_vote,
        "vote_choices": VOTE_CHOICES,
        "can_vote": amendment.is_open_for_votes(now)
        and user.is_authenticated
        and user.is_in_good_standing,
        "can_comment": amendment.is_open_for_comments(now)
        and user.is_authenticated
        and user.may_write,
        "is_author": user.is_authenticated and user.pk == amendment.author_id,
        "revisions": amendment.revision,
        "collisions": collisions_of(amendment, now),
    }


VOTERS_SHOWN = 500
# The vote buttons, in this order, all alike: the page never suggests a choice.
VOTE_CHOICES = [
    (Vote.Choice.SUPPORT, gettext_lazy("Support")),
    (Vote.Choice.OPPOSE, gettext_lazy("Oppose")),
    (Vote.Choice.ABSTAIN, gettext_lazy("Abstain")),
]


def timeline(amendment, now):
    """The steps of this amendment with their dates, marking which are done."""
    P = Amendment.Phase
    phase = amendment.phase_at(now)
    steps = [
        ("proposed", _("Proposed"), amendment.proposed_at, True),
        ("discussion", _("Discussion ends"), amendment.discussion_ends_at,
         now >= amendment.discussion_ends_at),
        ("voting", _("Voting ends"), amendment.voting_ends_at, now >= amendment.voting_ends_at),
    ]  # fmt: skip
    if phase == P.WITHDRAWN:
        steps = [s for s in steps if s[3]]
        steps.append(("withdrawn", _("Withdrawn"), amendment.withdrawn_at, True))
    elif phase == P.NEEDS_UPDATE:
        # Its deadlines no longer apply; new ones are set when the author resolves it.
        steps = [steps[0], ("needs_update", _("Waiting for its author to update it"), None, False)]
    elif phase != P.REJECTED:
        steps.append(
            (
                "effect",
                _("Takes effect"),
                amendment.applied_at or amendment.planned_effective_at,
                amendment.applied_at is not None,
            )
        )
    # The step the amendment is in now is the first not yet done (none once it is all over).
    current = next((key for key, _label, _when, done in steps if not done), None)
    return [
        {"key": key, "label": label, "when": when, "done": done, "current": key == current}
        for key, label, when, done in steps
    ]


class Announcement:
    """An adopted change that has not taken effect yet, as members are shown it beforehand:
    what the agreement will say (its frozen text, merged onto the version in force if that
    moved since) and the date it binds."""

    def __init__(self, amendment):
        self.amendment = amendment
        self.agreement = amendment.agreement
        self.effective_at = amendment.effective_at
        self.accepted_in_advance = getattr(amendment, "accepted_in_advance", False)

    @property
    def kind(self):
        return self.amendment.kind

    @cached_property
    def coming_text(self):
        """The text the agreement will have, or None if the merge will need its author."""
        if self.kind != Amendment.Kind.CHANGE:
            return self.amendment.body
        if self.amendment.base_version == self.agreement.version:
            return self.amendment.body
        from .advancing import merge_onto

        return merge_onto(self.amendment, self.agreement)

    @cached_property
    def diff(self):
        """The version in force against what will be in force (a change only); cached."""
        if self.kind != Amendment.Kind.CHANGE or self.coming_text is None:
            return None
        key = (
            f"announced-diff:{self.amendment.pk}:{self.amendment.revision}:{self.agreement.version}"
        )
        return _cached_compare(key, self.agreement.body, self.coming_text)


def announcements(queryset):
    """Adopted amendments not yet in effect (from `queryset`), soonest first, as announcements."""
    rows = (
        queryset.filter(phase=Amendment.Phase.ADOPTED, applied_at__isnull=True)
        .select_related("agreement")
        .order_by("effective_at", "id")
    )
    return [Announcement(amendment) for amendment in rows]


def procedure_change_rows(amendment, procedure):
    """What an amendment to the procedure's text changes in its table: label, in force, proposed,
    written as the table writes them, in the reader's language."""
    if not amendment.procedure_changes:
        return []
    language = "ru" if get_language() == "ru" else "en"
    rows = []
    for value in procedure_text.VALUES:
        if value.field in amendment.procedure_changes:
            field = Procedure._meta.get_field(value.field)
            rows.append(
                {
                    "label": value.labels[language],
                    "current": procedure_text.format_value(
                        value, getattr(procedure, value.field), language
                    ),
                    "proposed": procedure_text.format_value(
                        value,
                        field.to_python(amendment.procedure_changes[value.field]),
                        language,
                    ),
                }
            )
    return rows
