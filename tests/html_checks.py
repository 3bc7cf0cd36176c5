"""Structural checks that rendered HTML carries nothing executable."""

import html as htmllib
from html.parser import HTMLParser

from agreements.rendering import ALLOWED_PROTOCOLS, ALLOWED_TAGS

SAFE_SCHEMES = {f"{scheme}:" for scheme in ALLOWED_PROTOCOLS}


class Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def problems(html):
    parser = Tags()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.found:
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "src", "srcset", "action", "formaction"}:
                problems.append(f"attribute {name} on <{tag}>")
            if name == "href":
                url = "".join(htmllib.unescape(value or "").split()).lower()
                scheme = url.split(":", 1)[0] + ":" if ":" in url.split("/", 1)[0] else None
                if scheme and scheme not in SAFE_SCHEMES:
                    problems.append(f"href {value!r}")
    return problems


def attribute_text(html):
    """Every attribute value, entity-decoded and lower-cased."""
    parser = Tags()
    parser.feed(html)
    return " ".join(str(value).lower() for _tag, attrs in parser.found for _n, value in attrs)


# Tags no page of ours renders: any of them on a page came from someone's text.
FOREIGN_TAGS = {
    "iframe", "frame", "object", "embed", "svg", "math", "img", "image", "style", "base",
    "applet", "video", "audio", "source", "marquee", "xmp", "plaintext", "template",
}  # fmt: skip
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")


def page_problems(html):
    """What on a whole page (our templates around someone's text) could run or restyle it."""
    parser = Tags()
    parser.feed(html)
    found = []
    for tag, attrs in parser.found:
        attributes = dict(attrs)
        if tag in FOREIGN_TAGS:
            found.append(f"tag <{tag}>")
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            found.append("inline or foreign <script>")
        if tag == "meta" and "http-equiv" in attributes:
            found.append("<meta http-equiv>")
        if tag == "link" and not (attributes.get("href") or "").startswith(
            ("/", "http://testserver")
        ):
            found.append(f"<link href={attributes.get('href')!r}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                found.append(f"attribute {name} on <{tag}>")
            if name in {"href", "src", "action", "xlink:href"}:
                url = "".join(htmllib.unescape(value or "").split()).lower()
                if url.startswith(DANGEROUS_SCHEMES):
                    found.append(f"{name}={value!r} on <{tag}>")
    return found


class _Buttons(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._open = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "button":
            self._open = {**dict(attrs), "text": ""}
            self.found.append(self._open)

    def handle_endtag(self, tag):
        if tag == "button":
            self._open["text"] = " ".join(self._open["text"].split())
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data


def buttons(html):
    """Every <button> of a page: its attributes, and its visible text under "text"."""
    parser = _Buttons()
    parser.feed(html)
    return parser.found
