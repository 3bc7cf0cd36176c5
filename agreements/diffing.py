"""Word-level comparison of two Markdown texts, for people who read it, not for `patch`.

The texts are first aligned paragraph by paragraph (a paragraph is what a blank line separates),
then each changed stretch is compared word by word and shown inline with `<del>`/`<ins>`.
Long unchanged stretches fold into a `<details>` element, so a one-word change in a long agreement
shows as one paragraph with a little context, and the rest stays one click away (no JavaScript).
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
# Words keep their inner punctuation ("12:00", "tool's", "e-mail") so a changed time or number
# reads as one replaced word, not as fragments of one.
TOKEN = re.compile(r"\s+|\w+(?:[-:.,'’]\w+)*|[^\w\s]")
WORD = re.compile(r"\w")
# Paragraphs kept visible around a change; longer unchanged runs are folded.
CONTEXT = 1
# Above this many token comparisons a word-level diff gets slow (difflib is quadratic in the worst
# case); such a stretch is shown as a whole removed text and a whole added text instead.
WORD_DIFF_BUDGET = 25_000_000
# How alike two paragraphs must be (difflib's ratio) to be shown as one reworded paragraph.
SIMILAR = 0.5


@dataclass
class Block:
    """One aligned stretch: `equal`, `insert`, `delete` or `change`, with ready-to-show HTML."""

    kind: str
    html: str

    @property
    def safe_html(self):
        return mark_safe(self.html)  # noqa: S308 - built only from escape() and our own tags


@dataclass
class Fold:
    """Unchanged paragraphs hidden behind a summary."""

    blocks: list

    @property
    def kind(self):
        return "fold"


@dataclass
class Diff:
    parts: list = field(default_factory=list)
    words_added: int = 0
    words_removed: int = 0

    @property
    def has_changes(self):
        return any(part.kind != "equal" for part in self.parts if part.kind != "fold")


def paragraphs(text):
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return [p for p in PARAGRAPH_BREAK.split(text) if p.strip()] if text.strip() else []


def _words(tokens):
    return sum(1 for token in tokens if WORD.match(token))


def _wrap(tag, tokens):
    return f"<{tag}>{escape(''.join(tokens))}</{tag}>" if tokens else ""


def _inline(old, new, diff):
    """Inline word diff of two strings; counts words added/removed into `diff`."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    if len(a) * len(b) > WORD_DIFF_BUDGET:
        diff.words_removed += _words(a)
        diff.words_added += _words(b)
        return _wrap("del", a) + _wrap("ins", b)
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    opcodes = _absorb_lone_spaces(opcodes, a)
    out = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        diff.words_removed += _words(a[i1:i2])
        diff.words_added += _words(b[j1:j2])
        out.append(_wrap("del", a[i1:i2]) + _wrap("ins", b[j1:j2]))
    return "".join(out)


def _absorb_lone_spaces(opcodes, a):
    """Join changes separated only by whitespace, so a rewritten phrase reads as one edit
    (`<del>old words</del><ins>new words</ins>`) instead of alternating word by word."""
    result = []
    index = 0
    while index < len(opcodes):
        tag, i1, i2, j1, j2 = opcodes[index]
        is_gap_between_changes = (
            tag == "equal"
            and result
            and result[-1][0] != "equal"
            and index + 1 < len(opcodes)
            and all(token.isspace() for token in a[i1:i2])
        )
        if is_gap_between_changes:
            following = opcodes[index + 1]
            previous = result.pop()
            result.append(("replace", previous[1], following[2], previous[3], following[4]))
            index += 2
        else:
            result.append(opcodes[index])
            index += 1
    return result


def compare(old_text, new_text):
    """Compare two Markdown texts; return a `Diff` whose parts a template shows in order."""
    diff = Diff()
    old, new = paragraphs(old_text), paragraphs(new_text)
    blocks = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            blocks.extend(Block("equal", escape(p)) for p in old[i1:i2])
        elif tag == "delete":
            for p in old[i1:i2]:
                diff.words_removed += _words(TOKEN.findall(p))
                blocks.append(Block("delete", _wrap("del", [p])))
        elif tag == "insert":
            blocks.extend(_inserted(new[j1:j2], diff))
        else:
            blocks.extend(_changed_paragraphs(old[i1:i2], new[j1:j2], diff))
    diff.parts = _fold(blocks)
    return diff


def _changed_paragraphs(old, new, diff):
    """Pair each old paragraph with the next new one that resembles it (a reworded paragraph
    shows as one inline change); what has no counterpart is shown as removed or added whole."""
    blocks, start = [], 0
    new_tokens = [TOKEN.findall(p) for p in new]
    for paragraph in old:
        tokens = TOKEN.findall(paragraph)
        match = next(
            (j for j in range(start, len(new)) if _similar(tokens, new_tokens[j])),
            None,
        )
        if match is None:
            diff.words_removed += _words(TOKEN.findall(paragraph))
            blocks.append(Block("delete", _wrap("del", [paragraph])))
            continue
        blocks.extend(_inserted(new[start:match], diff))
        blocks.append(Block("change", _inline(paragraph, new[match], diff)))
        start = match + 1
    blocks.extend(_inserted(new[start:], diff))
    return blocks


def _similar(a, b):
    if len(a) * len(b) > WORD_DIFF_BUDGET:
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= SIMILAR and matcher.ratio() >= SIMILAR


def _inserted(paragraphs_added, diff):
    for paragraph in paragraphs_added:
        diff.words_added += _words(TOKEN.findall(paragraph))
        yield Block("insert", _wrap("ins", [paragraph]))


def _fold(blocks):
    changed = [i for i, block in enumerate(blocks) if block.kind != "equal"]
    if not changed:
        return [Fold(blocks)] if len(blocks) > 2 * CONTEXT + 1 else blocks
    visible = set()
    for i in changed:
        visible.update(range(max(0, i - CONTEXT), min(len(blocks), i + CONTEXT + 1)))
    parts, hidden = [], []
    for i, block in enumerate(blocks):
        if i in visible:
            if hidden:
                parts.append(Fold(hidden) if len(hidden) > 1 else hidden[0])
                hidden = []
            parts.append(block)
        else:
            hidden.append(block)
    if hidden:
        parts.append(Fold(hidden) if len(hidden) > 1 else hidden[0])
    return parts
