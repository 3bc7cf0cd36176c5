"""Borrowing refuses what it must not fetch or take, with a clear message next to the field,
the member's input kept, and nothing proposed."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements.models import Amendment
from tests.factories import make_member
from tests.forms import form_data

GOOD = {
    "type": "agreement",
    "slug": "quiet-hours",
    "title": "Quiet hours",
    "summary": "When we keep noise down.",
    "status": "in_force",
    "version": 4,
    "body": "Quiet from 22:00.\n",
}


class Hostile(BaseHTTPRequestHandler):
    """A site that answers each path in its own bad way (and one good way)."""

    requests = []

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", content_type="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's API name
        Hostile.requests.append(self.path)
        slug = self.path.strip("/").split("/")[2] if self.path.count("/") >= 3 else ""
        if slug == "quiet-hours":
            self._send(200, json.dumps(GOOD).encode())
        elif slug == "declared-huge":
            self._send(200, None, headers=[("Content-Length", str(50_000_000))])
        elif slug == "streamed-huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b" " * 1024)
        elif slug == "slow":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            for _ in range(30):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
        elif slug == "to-private":
            self._send(302, headers=[("Location", "http://10.20.30.40/api/agreements/x/")])
        elif slug == "to-metadata":
            self._send(302, headers=[("Location", "http://169.254.169.254/latest/meta-data/")])
        elif slug == "loop":
            self._send(302, headers=[("Location", self.path)])
        elif slug == "html-page":
            self._send(200, b"<html><body>A blog</body></html>", content_type="text/html")
        elif slug == "other-json":
            self._send(200, json.dumps({"hello": "world"}).encode())
        else:
            self._send(404, b"{}")


@pytest.fixture(scope="module")
def hostile_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def alice(community):
    return make_member("alice")


def borrow(client, **fields):
    page = client.get("/amendments/borrow/").content.decode()
    _action, data = form_data(page, containing="address")
    data.update(rationale="Their rules are good.", **fields)
    response = client.post("/amendments/borrow/", data)
    assert response.status_code == 200
    return response.content.decode()


def assert_refused(page, message):
    assert message in page
    assert 'class="field-errors"' in page or 'class="form-errors"' in page
    assert "Their rules are good." in page  # the rationale is kept
    assert not Amendment.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:9/agreements/quiet-hours/",
        "http://10.0.0.7/agreements/quiet-hours/",
        "http://192.168.1.1/agreements/quiet-hours/",
        "http://169.254.169.254/agreements/quiet-hours/",
        "http://[::1]/agreements/quiet-hours/",
        "http://0.0.0.0/agreements/quiet-hours/",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused_before_connecting(
    client, alice, address
):
    client.force_login(alice)

    page = borrow(client, address=address)

    assert_refused(page, "leads to a private or local network")
    assert f'value="{address}"' in page


def test_a_host_name_that_resolves_to_loopback_is_refused(client, alice, hostile_site):
    client.force_login(alice)
    before = len(Hostile.requests)
    port = hostile_site.rsplit(":", 1)[1]

    page = borrow(client, address=f"http://localhost:{port}/agreements/quiet-hours/")

    assert_refused(page, "leads to a private or local network")
    assert len(Hostile.requests) == before


def test_the_allowed_test_network_is_fetched(client, alice, hostile_site, loopback_allowed):
    client.force_login(alice)

    response = client.post(
        "/amendments/borrow/",
        {"address": f"{hostile_site}/agreements/quiet-hours/", "rationale": "Good."},
    )

    assert response.status_code == 302
    assert Amendment.objects.get().source_version == "4"


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("to-private", "leads to a private or local network (10.20.30.40)"),
        ("to-metadata", "leads to a private or local network (169.254.169.254)"),
        ("loop", "The site redirected too many times."),
        ("declared-huge", "The answer is too large to be an agreement."),
        ("streamed-huge", "The answer is too large to be an agreement."),
        ("slow", "The site took too long to answer."),
        ("html-page", "did not answer as an agreement of a community on Soglasie"),
        ("other-json", "did not answer as an agreement of a community on Soglasie"),
        ("missing", "The site answered “404 Not Found”."),
    ],
)
def test_hostile_or_foreign_answers_are_refused_with_a_clear_message(
    client, alice, hostile_site, loopback_allowed, slug, message
):
    loopback_allowed.BORROW_MAX_BYTES = 20_000
    loopback_allowed.BORROW_TIMEOUT = 1.5
    client.force_login(alice)
    started = time.monotonic()

    page = borrow(client, address=f"{hostile_site}/agreements/{slug}/")

    assert_refused(page, message)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("ftp://example.org/agreements/x/", "Only http:// and https:// addresses"),
        ("https://example.org/blog/post/", "Give the address of an agreement"),
        ("https://user:secret@example.org/agreements/x/", "user name or password"),
    ],
)
def test_addresses_that_are_not_agreements_are_refused(client, alice, address, message):
    client.force_login(alice)

    assert_refused(borrow(client, address=address), message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Just some notes.\n", "is not an agreement exported by a community on Soglasie"),
        (b"---\ntitle: X\n---\n\nText.\n", "is not an agreement exported by a community"),
        (b"---\ntitle: X\nversion: 2\nurl: https://e.org/blog/\n---\n\nT\n", "does not give the"),
        (b"---\ntitle: X\nversion: 2\nurl: https://e.org/agreements/x/\n---\n\n", "has no text"),
        (b"\xff\xfe\x00binary", "is not text (UTF-8)"),
        (b"x" * 1_000_001, "too large to be an agreement"),
    ],
)
def test_files_not_in_our_format_are_refused(client, alice, content, message):
    client.force_login(alice)
    upload = SimpleUploadedFile("agreement.md", content, "text/markdown")

    assert_refused(borrow(client, export_file=upload), message)


def test_an_agreement_borrowed_twice_points_to_the_update_instead(
    client, alice, hostile_site, loopback_allowed
):
    from members.services import accept_agreements
    from tests.factories import make_agreement, versions_in_force

    make_agreement(
        title="Quiet hours", origin="borrowed", source_version="3",
        source_url=f"{hostile_site}/agreements/quiet-hours/",
    )  # fmt: skip
    accept_agreements(member=alice, versions=versions_in_force(), complete=True)
    client.force_login(alice)

    page = borrow(client, address=f"{hostile_site}/agreements/quiet-hours/")

    assert_refused(page, "already has “Quiet hours” from that source")


def test_the_form_asks_for_an_address_or_a_file(client, alice):
    client.force_login(alice)

    assert_refused(
        borrow(client), "Give the agreement&#x27;s address, or upload its exported file."
    )


def test_advance_checks_sources_that_are_due_and_records_failures(
    community, hostile_site, loopback_allowed
):
    from datetime import timedelta

    from django.utils import timezone

    from agreements.borrowing.services import check_sources
    from agreements.models import SourceCheck
    from tests.factories import make_agreement

    reachable = make_agreement(
        title="Quiet hours", origin="borrowed", source_version="3",
        source_url=f"{hostile_site}/agreements/quiet-hours/",
    )  # fmt: skip
    gone = make_agreement(
        title="Gone", origin="borrowed", source_version="1",
        source_url=f"{hostile_site}/agreements/missing/",
    )  # fmt: skip
    by_file = make_agreement(
        title="By file", origin="borrowed", source_version="1",
        source_url="https://unreachable.example/agreements/by-file/",
    )  # fmt: skip
    SourceCheck.objects.create(agreement=by_file, method="file", version=1)
    now = timezone.now()

    done = check_sources(now=now)

    assert len(done) == 2
    assert SourceCheck.objects.get(agreement=reachable).version == 4
    assert "404" in SourceCheck.objects.get(agreement=gone).error
    assert SourceCheck.objects.get(agreement=by_file).checked_at < now
    assert check_sources(now=now + timedelta(hours=1)) == []
    assert len(check_sources(now=now + timedelta(hours=7))) == 2
