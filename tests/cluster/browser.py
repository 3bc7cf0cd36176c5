"""A person's browser over real HTTP (urllib with a cookie jar): pages, forms as rendered, and
a note of every write the site acknowledged, to look for afterwards in the primary database."""

import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field

from tests.forms import find_form


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the caller sees the 3xx itself, and follows it


@dataclass
class Page:
    status: int
    url: str
    text: str
    headers: dict = field(default_factory=dict)

    @property
    def json(self):
        return json.loads(self.text)


class Browser:
    def __init__(self, base_url):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )
        self.upstreams = Counter()  # app server address → responses it gave (nginx's header)
        self.passed_on = 0  # requests nginx passed to the next server after the first failed
        self.failures = []  # (method, path, status) of every 5xx

    def request(self, method, path, data=None, timeout=30):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, method=method)  # noqa: S310
        try:
            response = self.opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as error:  # 3xx (not followed here), 4xx, 5xx
            response = error
        with response:
            page = Page(
                response.status,
                path,
                response.read().decode("utf-8", "replace"),
                dict(response.headers),
            )
        if page.headers.get("X-Upstream"):
            # "first, second" when the first server failed and the second answered.
            tried = page.headers["X-Upstream"].split(", ")
            self.upstreams[tried[-1]] += 1
            self.passed_on += len(tried) > 1
        if page.status >= 500:
            self.failures.append((method, path, page.status))
        return page

    def get(self, path):
        """GET `path`, following redirects (at most five)."""
        for _ in range(5):
            page = self.request("GET", path)
            if page.status not in (301, 302, 303):
                return page
            path = _local(page.headers["Location"])
        raise AssertionError(f"too many redirects from {path}")

    def post(self, path, data):
        """POST; returns (the response to the POST itself, the page it leads to)."""
        response = self.request("POST", path, data)
        if response.status in (301, 302, 303):
            return response, self.get(_local(response.headers["Location"]))
        return response, response

    def form(self, path, *, action=None, containing=None):
        """The form on `path` as the page renders it (tests/forms.py)."""
        page = self.get(path)
        assert page.status == 200, f"GET {path}: {page.status}"
        form = find_form(page.text, url=path, action=action, containing=containing)
        form.action = form.action or path
        return form

    def submit(self, path, *, action=None, containing=None, button=None, **fill):
        """Fill in and send the form on `path` exactly as a person would."""
        form = self.form(path, action=action, containing=containing)
        return self.post(form.action, form.data(button=button, **fill))


def _local(location):
    parts = urllib.parse.urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")
