"""Submit a form as the page renders it: parse its fields and values, change what a person would
type or choose, post the rest unchanged (hidden fields, CSRF token, pre-filled text)."""

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
            self._form = {"attrs": attrs, "fields": [], "choices": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                self._form["choices"].setdefault(name, []).append(attrs.get("value", "on"))
                if "checked" in attrs:
                    self._form["fields"].append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset"):
                self._form["fields"].append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "selected": None}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._form["choices"].setdefault(self._select["name"], []).append(value)
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["selected"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # The HTML parser drops the newline that may follow <textarea>, as browsers do.
            self._form["fields"].append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            value = self._select["selected"]
            if value is None:
                value = self._select["first"]
            if value is not None:
                self._form["fields"].append((self._select["name"], value))
            self._select = None
        elif tag == "form":
            self._form = None


class RenderedForm:
    def __init__(self, parsed):
        self.action = parsed["attrs"].get("action")
        self.attrs = parsed["attrs"]
        self.fields = dict(parsed["fields"])
        self.choices = parsed["choices"]

    def data(self, **changes):
        """The fields as rendered, with `changes` typed in (a name not in the form is refused,
        so a test cannot post a field the page does not offer)."""
        for name in changes:
            assert name in self.fields or name in self.choices, f"the form has no field {name!r}"
        return {**self.fields, **changes}


def forms_in(html):
    parser = _Forms()
    parser.feed(html)
    return [RenderedForm(form) for form in parser.forms]


def form_in(html, *, action=None, containing=None):
    """The one form posting to `action` (or the first that has the field `containing`)."""
    for form in forms_in(html):
        if action is not None and (form.action or "").split("#")[0] != action:
            continue
        if (
            containing is not None
            and containing not in form.fields
            and containing not in form.choices
        ):
            continue
        return form
    raise AssertionError(f"no form for action={action!r} containing={containing!r}")


def submit(client, page, *, action=None, containing=None, **changes):
    """GET `page`, find the form, post it as rendered with `changes`; return the response."""
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    form = form_in(response.content.decode(), action=action, containing=containing)
    target = (form.action or page).split("#")[0] or page
    return client.post(target, form.data(**changes))
