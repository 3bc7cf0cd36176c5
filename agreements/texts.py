"""Agreement texts shipped as Markdown files with a small front-matter header.

    ---
    slug: public-agreements
    title: Rule by public agreements
    summary: One sentence.
    version: 1
    ---

    Body in Markdown…

Standard agreements (written by the Soglasie authors, in every language of the UI) live in
`agreements/standard/<language>/`; the demo community's texts in
`agreements/demo/texts/<language>/`.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

STANDARD_DIR = Path(__file__).resolve().parent / "standard"


@dataclass(frozen=True)
class Text:
    slug: str
    title: str
    body: str
    summary: str = ""
    meta: dict = field(default_factory=dict)


def _unquote(value):
    """A value the Markdown export wrote as a double-quoted (JSON) string, read back."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def parse(source):
    """Split a front-matter header (plain `key: value` lines) from the Markdown body."""
    meta = {}
    body = source
    if source.startswith("---\n"):
        header, _, body = source[4:].partition("\n---\n")
        for line in header.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip()] = _unquote(value.strip())
    return Text(
        slug=meta.pop("slug", ""),
        title=meta.pop("title", ""),
        summary=meta.pop("summary", ""),
        body=body.strip() + "\n",
        meta=meta,
    )


def read(path):
    return parse(Path(path).read_text(encoding="utf-8"))


def text_language(language):
    """The shipped language closest to `language` (`ru-RU` → `ru`), English otherwise."""
    available = {code for code, _name in settings.LANGUAGES}
    short = (language or "").split("-")[0].lower()
    return short if short in available else "en"


def standard_texts(language):
    """The standard agreements in `language`, in their intended reading order."""
    folder = STANDARD_DIR / text_language(language)
    return [read(path) for path in sorted(folder.glob("*.md"))]
