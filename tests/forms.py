"""Submit a form as the page renders it: its action, method and every field with its value."""

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"attrs": attrs, "fields": [], "files": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            name = attrs.get("name")
            if not name or kind in ("submit", "button", "image", "reset"):
                return
            if kind == "file":
                self._form["files"].append(name)
            elif kind not in ("checkbox", "radio") or "checked" in attrs:
                self._form["fields"].append((name, attrs.get("value", "")))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], ""]
        elif tag == "select" and attrs.get("name"):
            self._select = {"name": attrs["name"], "value": None, "first": None}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["value"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            # Browsers drop one newline right after <textarea>.
            name, value = self._textarea
            self._form["fields"].append((name, value[1:] if value.startswith("\n") else value))
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            value = self._select["value"]
            if value is None:
                value = self._select["first"] or ""
            self._form["fields"].append((self._select["name"], value))
            self._select = None


def forms(html):
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_data(html, *, containing):
    """The fields of the first form whose markup holds a field named `containing`, with the
    form's action: (action, {name: value})."""
    for form in forms(html):
        names = [name for name, _ in form["fields"]] + form["files"]
        if containing in names:
            return form["attrs"].get("action", ""), dict(form["fields"])
    raise AssertionError(f"no form with a field {containing!r} on the page")
