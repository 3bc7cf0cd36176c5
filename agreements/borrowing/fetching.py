"""Fetching from another community's site, safely: the address comes from a member, so the
server must not be turned against its own network or held up by a hostile answer.

- http and https only, no passwords in the address;
- every address the host resolves to must be public (no private, loopback, link-local,
  reserved or multicast address), unless it lies in `BORROW_ALLOWED_NETWORKS` (tests);
- the connection goes to the address that was checked, not to a second lookup;
- redirects are followed by hand, at most `BORROW_MAX_REDIRECTS`, each checked the same way;
- the whole exchange must finish within `BORROW_TIMEOUT` seconds and send at most
  `BORROW_MAX_BYTES` bytes.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024


class FetchError(Exception):
    """The address could not be fetched; the message says why, for the member who gave it."""


def _setting(name, default):
    return getattr(settings, name, default)


def _allowed_networks():
    return [
        ipaddress.ip_network(net, strict=False) for net in _setting("BORROW_ALLOWED_NETWORKS", [])
    ]


def check_address(address):
    """Refuse an address that is not on the public internet (unless allowed by the settings)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in network for network in _allowed_networks()):
        return
    if not ip.is_global or ip.is_multicast:
        raise FetchError(
            _(
                "That address leads to a private or local network (%(ip)s); only sites on the "
                "public internet can be borrowed from."
            )
            % {"ip": ip}
        )


def _resolve(host, port):
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(_("The site %(host)s could not be found.") % {"host": host}) from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError(_("The site %(host)s could not be found.") % {"host": host})
    for address in addresses:
        check_address(address)
    return addresses[0]


class _HTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked; the Host header still names the site."""

    def __init__(self, host, *, address, port, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _HTTPSConnection(http.client.HTTPSConnection):
    """As above, with the certificate checked against the site's name."""

    def __init__(self, host, *, address, port, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _target(url):
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchError(_("That is not a valid address.")) from error
    if parts.scheme not in ("http", "https"):
        raise FetchError(_("Only http:// and https:// addresses can be borrowed from."))
    if not parts.hostname:
        raise FetchError(_("That is not a valid address."))
    if parts.username or parts.password:
        raise FetchError(_("Addresses with a user name or password are not accepted."))
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def _remaining(deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(_("The site took too long to answer."))
    return left


def fetch(url, *, accept="application/json"):
    """GET `url` within the limits above; return (final url, content type, body bytes)."""
    timeout = float(_setting("BORROW_TIMEOUT", 5))
    limit = int(_setting("BORROW_MAX_BYTES", 2_000_000))
    deadline = time.monotonic() + timeout
    for _hop in range(int(_setting("BORROW_MAX_REDIRECTS", 3)) + 1):
        scheme, host, port, path = _target(url)
        address = _resolve(host, port)
        kind = _HTTPSConnection if scheme == "https" else _HTTPConnection
        connection = kind(host, address=address, port=port, timeout=_remaining(deadline))
        try:
            connection.request(
                "GET",
                path,
                headers={
                    "Accept": accept,
                    "Accept-Encoding": "identity",
                    "User-Agent": "Soglasie (borrowing an agreement)",
                },
            )
            # Kept: the connection hands its socket to the response and forgets it.
            sock = connection.sock
            response = connection.getresponse()
            if response.status in REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(_("The site answered with a redirect to nowhere."))
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(
                    _("The site answered “%(status)s %(reason)s”.")
                    % {"status": response.status, "reason": response.reason}
                )
            length = response.getheader("Content-Length", "")
            if length.isdigit() and int(length) > limit:
                raise FetchError(_("The answer is too large to be an agreement."))
            body = bytearray()
            while True:
                sock.settimeout(_remaining(deadline))
                # One receive at a time, so a site sending a byte a second meets the deadline.
                chunk = response.read1(CHUNK)
                if not chunk:
                    break
                body += chunk
                if len(body) > limit:
                    raise FetchError(_("The answer is too large to be an agreement."))
                _remaining(deadline)
            return url, response.getheader("Content-Type", ""), bytes(body)
        except TimeoutError as error:
            raise FetchError(_("The site took too long to answer.")) from error
        except ssl.SSLError as error:
            raise FetchError(_("A secure connection to the site could not be made.")) from error
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(_("The site could not be reached.")) from error
        finally:
            connection.close()
    raise FetchError(_("The site redirected too many times."))
