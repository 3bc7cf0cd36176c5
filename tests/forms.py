"""Submit a form exactly as the page renders it: the fields a browser would send, nothing else.

A test that builds its own POST data can pass while the real form is broken (a hidden field the
service refuses, a checkbox never rendered). These helpers read the form from the HTML the test
client received, so the test posts what a person's browser would post.
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
    fields: list = field(default_factory=list)  # (name, value) as a browser would send them
    buttons: list = field(default_factory=list)
    files: list = field(default_factory=list)  # names of file inputs (a test supplies the file)
    text: str = ""  # everything readable inside the form, to find it by what it says

    def data(self, *, button=None, fill=None, uncheck=()):
        """The POST body: every successful control, `fill` overriding or adding values,
        `uncheck` leaving out checkboxes, and the clicked button's own name and value."""
        fill = dict(fill or {})
        data = {}
        for name, value in self.fields:
            if name in uncheck:
                continue
            data.setdefault(name, []).append(value)
        for name, value in fill.items():
            data[name] = value if isinstance(value, list) else [value]
        clicked = self.button(button)
        if clicked is not None and clicked.name:
            data[clicked.name] = [clicked.value]
        return data

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
                if name and "checked" in attrs and "disabled" not in attrs:
                    self.form.fields.append((name, attrs.get("value", "on")))
            elif kind == "file" and name:
                self.form.files.append(name)
            elif kind not in ("button", "reset", "file") and name and "disabled" not in attrs:
                self.form.fields.append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = [name, None, None]  # name, first option, selected option
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
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
        elif tag == "textarea" and self.textarea is not None:
            name, value = self.textarea
            # Browsers drop the one newline that follows <textarea>.
            self.form.fields.append((name, value[1:] if value.startswith("\n") else value))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            name, first, chosen = self.select
            if chosen is not None or first is not None:
                self.form.fields.append((name, chosen if chosen is not None else first))
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
    """The one form posting to `action` and/or whose text contains `containing`."""
    found = [
        form
        for form in forms_on(html, url)
        if form.method == "post"
        and (action is None or form.action == action)
        and (containing is None or containing in form.text)
    ]
    assert found, f"no POST form to {action!r} containing {containing!r} on {url}"
    assert len(found) == 1, f"{len(found)} forms to {action!r} containing {containing!r} on {url}"
    return found[0]


def submit(client, url, *, action=None, containing=None, button=None, fill=None, uncheck=()):
    """GET `url`, find the form, and POST it as a browser would; return the response."""
    page = client.get(url)
    assert page.status_code == 200, f"GET {url}: {page.status_code}"
    form = find_form(page.content.decode(), url=url, action=action, containing=containing)
    return client.post(form.action, form.data(button=button, fill=fill, uncheck=uncheck))


def form_data(html, *, containing):
    """The first form with a field named `containing`: (action, {name: value}), for tests that
    add a file or change a field before posting."""
    for form in forms_on(html, url=""):
        if containing in [name for name, _value in form.fields] + form.files:
            return form.action, dict(form.fields)
    raise AssertionError(f"no form with a field {containing!r} on the page")
