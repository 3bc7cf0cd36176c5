"""Submit a form exactly as the page renders it: the fields a browser would send, nothing else.

A test that builds its own POST data can pass while the real form is broken (a hidden field the
service refuses, a checkbox never rendered). These helpers read the form from the HTML the test
client received, so the test posts what a person's browser would post: hidden fields, the CSRF
token and pre-filled text unchanged, with what a person would type or choose changed.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Button:
    name: str | None
    value: str
    text: str = ""


@dataclass
class Form:
    action: str
    method: str
    attrs: dict = field(default_factory=dict)
    pairs: list = field(default_factory=list)  # (name, value) as a browser would send them
    choices: dict = field(default_factory=dict)  # name → values a checkbox, radio or select offers
    buttons: list = field(default_factory=list)
    files: list = field(default_factory=list)  # names of file inputs (a test supplies the file)
    text: str = ""  # everything readable inside the form, to find it by what it says

    @property
    def fields(self):
        """The fields as a mapping (the last value of a repeated name)."""
        return dict(self.pairs)

    def offers(self, name):
        return name in self.fields or name in self.choices or name in self.files

    def data(self, *, button=None, fill=None, uncheck=(), **changes):
        """The POST body: every successful control; `fill` (or keyword `changes`) typed in — a
        name the form does not offer is refused, so a test cannot post a field the page lacks;
        `uncheck` leaving out checkboxes; and the name and value of the `button` clicked (by its
        text or value; with none, no button's name is sent)."""
        fill = {**(fill or {}), **changes}
        for name in changes:
            assert self.offers(name), f"the form to {self.action} has no field {name!r}"
        data = {}
        for name, value in self.pairs:
            if name not in uncheck:
                data.setdefault(name, []).append(value)
        for name, value in fill.items():
            data[name] = value if isinstance(value, list) else [value]
        clicked = self.button(button) if button is not None else None
        if clicked is not None and clicked.name:
            data[clicked.name] = [clicked.value]
        return {name: values[0] if len(values) == 1 else values for name, values in data.items()}

    def button(self, text=None):
        if text is None:
            return self.buttons[0] if self.buttons else None
        for candidate in self.buttons:
            if text in candidate.text or text == candidate.value:
                return candidate
        raise AssertionError(f"no button {text!r} in form to {self.action}: {self.buttons}")


class _Forms(HTMLParser):
    def __init__(self, url):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms = []
        self.form = None
        self.textarea = None
        self.select = None
        self.button = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = Form(
                # A browser never sends the fragment.
                action=(attrs.get("action") or self.url).split("#")[0],
                method=(attrs.get("method") or "get").lower(),
                attrs=attrs,
            )
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = attrs.get("name")
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "image"):
                value = attrs.get("value", "")
                self.form.buttons.append(Button(name, value, value))
            elif kind in ("checkbox", "radio"):
                if name:
                    self.form.choices.setdefault(name, []).append(attrs.get("value", "on"))
                if name and "checked" in attrs and "disabled" not in attrs:
                    self.form.pairs.append((name, attrs.get("value", "on")))
            elif kind == "file" and name:
                self.form.files.append(name)
            elif kind not in ("button", "reset") and name and "disabled" not in attrs:
                self.form.pairs.append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = [name, None, None]  # name, first option, selected option
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.form.choices.setdefault(self.select[0], []).append(value)
            if self.select[1] is None:
                self.select[1] = value
            if "selected" in attrs:
                self.select[2] = value
        elif tag == "button":
            kind = (attrs.get("type") or "submit").lower()
            if kind == "submit":
                self.button = Button(name, attrs.get("value", ""), "")
                self.form.buttons.append(self.button)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            name, value = self.textarea
            # Browsers drop the one newline that follows <textarea>.
            self.form.pairs.append((name, value[1:] if value.startswith("\n") else value))
            self.textarea = None
        elif tag == "select" and self.select is not None and self.form is not None:
            name, first, chosen = self.select
            if chosen is not None or first is not None:
                self.form.pairs.append((name, chosen if chosen is not None else first))
            self.select = None
        elif tag == "button":
            self.button = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data
        if self.button is not None:
            self.button.text += data.strip()
        if self.form is not None:
            self.form.text += data


def forms_on(html, url="/"):
    parser = _Forms(url)
    parser.feed(html)
    return parser.forms


def find_form(html, *, url="/", action=None, containing=None):
    """The POST form posting to `action` and/or holding `containing`: a field of that name, or
    else that text. With several, the one with such a field wins; otherwise there must be one."""
    candidates = [
        form
        for form in forms_on(html, url)
        if form.method == "post" and (action is None or form.action == action)
    ]
    if containing is not None:
        by_field = [form for form in candidates if form.offers(containing)]
        if by_field:
            return by_field[0]
        candidates = [form for form in candidates if containing in form.text]
    assert candidates, f"no POST form to {action!r} containing {containing!r} on {url}"
    assert len(candidates) == 1, f"{len(candidates)} forms to {action!r} containing {containing!r}"
    return candidates[0]


def form_in(html, *, action=None, containing=None):
    """`find_form` for a page whose address does not matter (the form names its action)."""
    return find_form(html, url="", action=action, containing=containing)


def form_data(html, *, containing):
    """The form with a field named `containing`: (action, {name: value}), for tests that add a
    file or change a field before posting."""
    form = form_in(html, containing=containing)
    return form.action, form.fields


def submit(
    client, url, *, action=None, containing=None, button=None, fill=None, uncheck=(), **changes
):
    """GET `url`, find the form, and POST it as a browser would; return the response."""
    page = client.get(url)
    assert page.status_code == 200, f"GET {url}: {page.status_code}"
    form = find_form(page.content.decode(), url=url, action=action, containing=containing)
    target = form.action or url
    return client.post(target, form.data(button=button, fill=fill, uncheck=uncheck, **changes))
