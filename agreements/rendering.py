"""Markdown → sanitised HTML, rendered once when a text is saved and stored next to it.

Two independent layers keep hostile input off the page:

1. Raw HTML is never interpreted: python-markdown's HTML block and inline HTML handlers are removed,
   so `<script>` written in a text is shown as the text `<script>`.
2. The HTML that Markdown produces is passed through bleach with an allowlist of tags, attributes
   and URL schemes, so a link to `javascript:` or an image (not allowed) cannot come through even
   if Markdown itself had a bug.

Every top-level block (paragraph, heading, list, quote, table, code block) is wrapped in a
`<div class="clause" id="p-N">` with a visible link to its permanent address, so any clause can be
cited. N counts blocks from 1 in document order; for a given version it never changes, and a
version never changes, so `…/v/<n>/#p-N` is a permanent citation.
"""

import re
import xml.etree.ElementTree as etree

import bleach
import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "em", "strong",
        "a", "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "hr", "br",
    }
)  # fmt: skip
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
CLAUSE_ID = re.compile(r"^p-\d{1,6}$")
CLAUSE_LINK_CLASS = "clause-link"
LINK_REL = "nofollow noopener"


def _allowed_attribute(tag, name, value):
    if tag == "a":
        return name in {"href", "title", "rel"} or (name == "class" and value == CLAUSE_LINK_CLASS)
    if tag == "div":
        return (name == "id" and CLAUSE_ID.match(value)) or (name == "class" and value == "clause")
    if tag in {"th", "td"}:
        return name == "align" and value in {"left", "right", "center"}
    if tag == "ol":
        return name == "start" and value.isdigit()
    return False


_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


class _ClauseAnchors(Treeprocessor):
    """Wraps each top-level block in a citable clause and marks every link as untrusted."""

    def __init__(self, md, anchor_base):
        super().__init__(md)
        self.anchor_base = anchor_base

    def run(self, root):
        for link in root.iter("a"):
            link.set("rel", LINK_REL)
        if self.anchor_base is None:
            return
        blocks = list(root)
        for child in blocks:
            root.remove(child)
        for number, block in enumerate(blocks, start=1):
            clause = etree.SubElement(root, "div", {"class": "clause", "id": f"p-{number}"})
            anchor = etree.SubElement(
                clause,
                "a",
                {"class": CLAUSE_LINK_CLASS, "href": f"{self.anchor_base}#p-{number}"},
            )
            # The visible number is the link's name: "¶ 3" reads the same in every language,
            # and the stored HTML is shared by all.
            anchor.text = f"¶ {number}"
            anchor.tail = None
            clause.append(block)


class _SafeMarkdown(Extension):
    def __init__(self, anchor_base):
        super().__init__()
        self.anchor_base = anchor_base

    def extendMarkdown(self, md):  # noqa: N802 - python-markdown's API name
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # Images are not part of the allowlist; drop the parsers so `![x](…)` stays plain text.
        md.inlinePatterns.deregister("image_link")
        md.inlinePatterns.deregister("image_reference")
        md.inlinePatterns.deregister("short_image_ref")
        md.treeprocessors.register(_ClauseAnchors(md, self.anchor_base), "clause_anchors", 0)


def render_markdown(text, *, anchor_base=None):
    """Return sanitised HTML for `text`.

    With `anchor_base` (the permanent address of this wording, e.g. `/agreements/idea/v/3/`), each
    top-level block becomes a citable `#p-N` clause whose link points there, so the link a reader
    copies keeps pointing to this wording. Without it (comments, posts) no clauses are made, so
    their ids never collide with those of the text they are shown next to.
    """
    md = markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "sane_lists",
            _SafeMarkdown(anchor_base),
        ],
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )
    html = md.convert(text or "")
    return _cleaner.clean(html)


def count_clauses(html):
    """How many citable clauses a rendered text has (for anchoring comments to one)."""
    return html.count('<div class="clause" id="p-')
