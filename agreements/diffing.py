"""Word-level comparison of two Markdown texts, for people who read it, not for `patch`.

The texts are first aligned paragraph by paragraph (a paragraph is what a blank line separates),
then each changed stretch is compared word by word and shown inline with `<del>`/`<ins>`, twice:
as the reader sees the text (each paragraph rendered, so `**Deposit.**` shows in bold, with the
changed words marked inside the rendered HTML) and as its Markdown source, one click away.
Long unchanged stretches fold into a `<details>` element, so a one-word change in a long agreement
shows as one paragraph with a little context, and the rest stays one click away (no JavaScript).

A `Diff` is computed once per pair of texts and cached (agreements/selectors.py): rendering every
paragraph is the expensive part, and stored versions never change.
"""

import difflib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import bleach
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .rendering import ALLOWED_PROTOCOLS, ALLOWED_TAGS, render_markdown

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
    """One aligned stretch: `equal`, `insert`, `delete` or `change`, with ready-to-show HTML:
    `html` is the rendered text with changes marked, `source` the marked Markdown source."""

    kind: str
    html: str
    source: str = ""

    @property
    def safe_html(self):
        return mark_safe(self.html)  # noqa: S308 - sanitised by _diff_cleaner

    @property
    def only_formatting(self):
        """A changed paragraph whose words are all the same: emphasis or a link address moved,
        which the rendered text cannot mark but the Markdown source shows."""
        return self.kind == "change" and "<ins>" not in self.html and "<del>" not in self.html

    @property
    def safe_source(self):
        return mark_safe(self.source)  # noqa: S308 - built only from escape() and our own tags


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


FENCE = re.compile(r"^ {0,3}(```|~~~)", re.MULTILINE)


def paragraphs(text):
    """The text's blocks, as a blank line separates them (blank lines inside a fenced code block
    do not: such a block is one paragraph, so it renders whole)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not text.strip():
        return []
    blocks = []
    for chunk in PARAGRAPH_BREAK.split(text):
        if blocks and len(FENCE.findall(blocks[-1])) % 2:
            blocks[-1] += "\n\n" + chunk
        elif chunk.strip():
            blocks.append(chunk)
    return blocks


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


def _absorb_lone_spaces(opcodes, a, is_space=str.isspace):
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
            and all(is_space(token) for token in a[i1:i2])
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
            blocks.extend(Block("equal", _rendered(p), escape(p)) for p in old[i1:i2])
        elif tag == "delete":
            blocks.extend(_deleted(old[i1:i2], diff))
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
            blocks.extend(_deleted([paragraph], diff))
            continue
        blocks.extend(_inserted(new[start:match], diff))
        source = _inline(paragraph, new[match], diff)
        html = _inline_rendered(_rendered(paragraph), _rendered(new[match]))
        blocks.append(Block("change", html, source))
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
        html = _clean(_marked("ins", _html_tokens(_rendered(paragraph))))
        yield Block("insert", html, _wrap("ins", [paragraph]))


def _deleted(paragraphs_removed, diff):
    for paragraph in paragraphs_removed:
        diff.words_removed += _words(TOKEN.findall(paragraph))
        html = _clean(_marked("del", _html_tokens(_rendered(paragraph))))
        yield Block("delete", html, _wrap("del", [paragraph]))


# -- the rendered side -------------------------------------------------------------------------
# Each paragraph is rendered on its own (sanitised, without clause anchors) and cut into tokens:
# tags, and the words and spaces of the text between them. The word diff runs over those tokens,
# so only text is ever marked; the result keeps the new text's tags (a deleted stretch keeps its
# own tags only when they open and close inside it) and passes the sanitiser once more, so it is
# well-formed and carries nothing the allowlist refuses.

VOID_TAGS = frozenset({"br", "hr"})

_diff_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS | {"ins", "del"},
    attributes={"a": ["href", "title", "rel"], "ol": ["start"], "th": ["align"], "td": ["align"]},
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


def _rendered(paragraph):
    return render_markdown(paragraph).strip()


def _clean(html):
    return _diff_cleaner.clean(html)


class _Tokens(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("start", tag, self.get_starttag_text()))

    def handle_startendtag(self, tag, attrs):
        self.tokens.append(("start", tag, self.get_starttag_text()))

    def handle_endtag(self, tag):
        self.tokens.append(("end", tag, f"</{tag}>"))

    def handle_data(self, data):
        self.tokens.extend(("text", None, word) for word in TOKEN.findall(data))


def _html_tokens(html):
    parser = _Tokens()
    parser.feed(html)
    parser.close()
    return parser.tokens


def _is_space(token):
    return token[0] == "text" and token[2].isspace()


def _balanced(tokens):
    """True when every tag in `tokens` opens and closes within them."""
    depth = []
    for kind, tag, _raw in tokens:
        if kind == "start" and tag not in VOID_TAGS:
            depth.append(tag)
        elif kind == "end" and (not depth or depth.pop() != tag):
            return False
    return not depth


def _marked(mark, tokens, *, keep_tags=True):
    """Tokens back to HTML, each run of text wrapped in `<mark>` (`ins` or `del`)."""
    out, run = [], []

    def flush():
        text = "".join(run)
        if text.strip():
            out.append(f"<{mark}>{escape(text)}</{mark}>")
        else:
            out.append(escape(text))
        run.clear()

    for kind, _tag, raw in tokens:
        if kind == "text":
            run.append(raw)
            continue
        flush()
        if keep_tags:
            out.append(raw)
    flush()
    return "".join(out)


def _slide_to_balance(opcodes, a, b):
    """Move a removed or added stretch along identical neighbours until its tags balance.

    Deleting the middle item of a list can be aligned as `b</li><li>` as well as `<li>b</li>`;
    both are correct, but only the second keeps the removed item's own tags, so it shows as a
    struck-through item instead of words merged into the next one."""
    opcodes = [list(op) for op in opcodes]
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag not in ("delete", "insert"):
            continue
        seq, lo, hi = (a, i1, i2) if tag == "delete" else (b, j1, j2)
        if _balanced(seq[lo:hi]):
            continue
        before = opcodes[index - 1] if index and opcodes[index - 1][0] == "equal" else None
        after = opcodes[index + 1] if index + 1 < len(opcodes) else None
        if before is None or after is None or after[0] != "equal":
            continue
        shift = _balancing_shift(seq, lo, hi, before, after, tag)
        if shift:
            # The identical tokens the stretch passes over move from one neighbour to the other.
            before[2], before[4] = before[2] + shift, before[4] + shift
            after[1], after[3] = after[1] + shift, after[3] + shift
            opcodes[index][1:] = [i1 + shift, i2 + shift, j1 + shift, j2 + shift]
    return [tuple(op) for op in opcodes if op[0] != "equal" or op[2] > op[1]]


def _balancing_shift(seq, lo, hi, before, after, tag):
    """How far (negative: left) the stretch seq[lo:hi] can slide to become balanced, or 0."""
    side = 1 if tag == "delete" else 3
    room_left = before[side + 1] - before[side] if before else 0
    room_right = after[side + 1] - after[side] if after else 0
    for step in range(1, hi - lo + 1):
        same = seq[lo - step : lo] == seq[hi - step : hi]
        left = step <= room_left and same
        if left and _balanced(seq[lo - step : hi - step]):
            return -step
        right = step <= room_right and seq[lo : lo + step] == seq[hi : hi + step]
        if right and _balanced(seq[lo + step : hi + step]):
            return step
    return 0


def _plain(tokens):
    return "".join(escape(raw) if kind == "text" else raw for kind, _tag, raw in tokens)


def _inline_rendered(old_html, new_html):
    """The new rendered paragraph with the words removed and added since the old one marked."""
    a, b = _html_tokens(old_html), _html_tokens(new_html)
    if len(a) * len(b) > WORD_DIFF_BUDGET:
        return _clean(_marked("del", a) + _marked("ins", b))
    keys_a = [(kind, raw) for kind, _tag, raw in a]
    keys_b = [(kind, raw) for kind, _tag, raw in b]
    opcodes = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes()
    opcodes = _slide_to_balance(_absorb_lone_spaces(opcodes, a, is_space=_is_space), a, b)
    out = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            out.append(_plain(a[i1:i2]))
            continue
        removed = a[i1:i2]
        out.append(_marked("del", removed, keep_tags=_balanced(removed)))
        out.append(_marked("ins", b[j1:j2]))
    return _clean("".join(out))


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
