"""Three-way merge of agreement texts, paragraph by paragraph.

Agreements are read and cited by paragraph (`#p-3`), so two changes to one text are compared by
the paragraphs they change. Each text is compared with the common base (the version both were
written against); a *change* is a run of base paragraphs replaced, removed, or a place between
two base paragraphs where paragraphs are added.

Two changes **overlap** — and the texts cannot be merged without a person — when:

- they change at least one paragraph of the base in common (rewording it, removing it, or moving
  it away: a moved paragraph is removed in one place and added in another), unless both make
  exactly the same change, which is then made once;
- or both add different paragraphs at the same place (which comes first is a decision);
- or one adds paragraphs inside a run of paragraphs the other replaces.

Changes to different paragraphs never overlap, even neighbouring ones: rewording paragraph 3 and
paragraph 4, or adding a paragraph right after the one the other text rewords, merge cleanly.
This one rule decides rebasing an amendment when its agreement gets a new version, merging a
frozen text at effect, updating a borrowed agreement, and finding amendments that collide.
"""

import difflib
from dataclasses import dataclass, field

from .diffing import paragraphs


@dataclass(frozen=True)
class Change:
    """Base paragraphs [start, end) replaced by `new` (start == end: added before `start`)."""

    start: int
    end: int
    new: tuple

    @property
    def adds_only(self):
        return self.start == self.end


def changes(base, text):
    """The changes that turn the base paragraphs into the text's paragraphs."""
    matcher = difflib.SequenceMatcher(None, base, text, autojunk=False)
    return [
        Change(i1, i2, tuple(text[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def overlap(a, b):
    """Do two changes (of different texts against the same base) overlap? See the module."""
    if a == b:
        return False
    if a.adds_only and b.adds_only:
        return a.start == b.start
    if a.adds_only:
        return b.start < a.start < b.end
    if b.adds_only:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


def _apply(base, start, end, side):
    """Base paragraphs [start, end) with one side's changes inside that span made."""
    out, position = [], start
    for change in sorted(side, key=lambda c: (c.start, c.end)):
        if start <= change.start and change.end <= end:
            out += base[position : change.start]
            out += change.new
            position = change.end
    return out + base[position:end]


@dataclass
class Conflict:
    """Where two texts overlap: the base paragraphs [start, end) and what each text makes of
    them. Paragraph numbers for people count from 1 (`first`, `last`)."""

    start: int
    end: int
    base: list
    ours: list
    theirs: list

    @property
    def first(self):
        return self.start + 1

    @property
    def last(self):
        return max(self.end, self.start + 1)


@dataclass
class Merge:
    parts: list = field(default_factory=list)  # paragraphs (str) and Conflicts, in order

    @property
    def conflicts(self):
        return [part for part in self.parts if isinstance(part, Conflict)]

    @property
    def clean(self):
        return not self.conflicts

    def text(self, *, ours_name="", theirs_name=""):
        """The merged text; where the texts overlap, both versions between conflict markers."""
        out = []
        for part in self.parts:
            if isinstance(part, Conflict):
                out.append(
                    f"<<<<<<< {ours_name}\n"
                    + "\n\n".join(part.ours)
                    + "\n=======\n"
                    + "\n\n".join(part.theirs)
                    + f"\n>>>>>>> {theirs_name}"
                )
            else:
                out.append(part)
        return "\n\n".join(out) + "\n" if out else ""


def merge(base_text, ours_text, theirs_text):
    """Merge two texts written against `base_text`; overlaps become `Conflict`s."""
    base = paragraphs(base_text)
    ours = changes(base, paragraphs(ours_text))
    theirs = changes(base, paragraphs(theirs_text))
    shared = set(ours) & set(theirs)
    # Groups of changes that overlap one another, each a span of base paragraphs.
    groups = [[change] for change in ours + [c for c in theirs if c not in shared]]
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if _groups_overlap(groups[i], groups[j]):
                    groups[i] += groups.pop(j)
                    merged = True
                    break
            if merged:
                break
    edits = []
    for group in groups:
        start = min(c.start for c in group)
        end = max(c.end for c in group)
        if len(group) == 1:
            edits.append((start, end, list(group[0].new)))
        else:
            conflict = Conflict(
                start, end, base[start:end], _apply(base, start, end, ours),
                _apply(base, start, end, theirs),
            )  # fmt: skip
            edits.append((start, end, conflict))
    result, position = Merge(), 0
    for start, end, made in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        result.parts += base[position:start]
        result.parts += made if isinstance(made, list) else [made]
        position = end
    result.parts += base[position:]
    return result


def _groups_overlap(a, b):
    """Two groups overlap when a change of one overlaps a change of the other (sides differ by
    construction within a pair that overlaps), or one's span reaches inside the other's."""
    if any(overlap(x, y) for x in a for y in b):
        return True
    a_start, a_end = min(c.start for c in a), max(c.end for c in a)
    b_start, b_end = min(c.start for c in b), max(c.end for c in b)
    if len(a) > 1 or len(b) > 1:
        return a_start < b_end and b_start < a_end
    return False
