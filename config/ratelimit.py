"""Who is asking, and how often: the client's address and cache-based rate limits.

The client address is `REMOTE_ADDR`, unless the site runs behind reverse proxies and says how
many (`TRUSTED_PROXIES=N`, docs/deploy.md): then it is the `X-Forwarded-For` entry N hops from
the right, the one the outermost trusted proxy saw. Entries further left were written by the
client and can say anything, so they are never read; without a configured proxy the header is
ignored altogether.

Rate limits count acts in fixed windows in Django's cache (local memory in development, Redis in
production, so every process shares the count). A limit is checked before an act and counted
after it succeeded, so a form refused for another reason costs nothing.
"""

import ipaddress
import math
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _


def _valid_address(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request):
    """The address of the person making `request` (also django-axes' AXES_CLIENT_IP_CALLABLE)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies > 0:
        hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop]
        if len(hops) >= proxies:
            forwarded = _valid_address(hops[-proxies])
            if forwarded:
                return forwarded
    return _valid_address(remote) or "0.0.0.0"  # noqa: S104 - an unknown address, never bound


@dataclass(frozen=True)
class Refusal:
    """A limit was reached: how many acts per how long, and how long until the next one."""

    limit: int
    period: int
    wait_seconds: int

    @property
    def wait(self):
        """ "23 minutes", in the active language."""
        now = timezone.now()
        return timeuntil(now + timedelta(seconds=max(self.wait_seconds, 60)), now)


class RateLimit:
    """At most `limit` acts of one kind (`scope`) per `period` seconds, per member or address.

    The numbers come from `settings.RATE_LIMITS[scope]` = (limit, period).
    """

    def __init__(self, scope, who):
        self.scope = scope
        self.who = who
        self.limit, self.period = settings.RATE_LIMITS[scope]

    def _window(self, now):
        start = math.floor(now / self.period) * self.period
        return start, f"ratelimit:{self.scope}:{self.who}:{start}"

    def check(self):
        """None if one more act is allowed now, else a `Refusal` saying how long to wait."""
        now = time.time()
        start, key = self._window(now)
        if (cache.get(key) or 0) < self.limit:
            return None
        return Refusal(self.limit, self.period, math.ceil(start + self.period - now))

    def count(self):
        """Count one act that was allowed and done."""
        start, key = self._window(time.time())
        if not cache.add(key, 1, self.period + 60):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, self.period + 60)


def for_member(scope, member):
    return RateLimit(scope, f"member-{member.pk}")


def for_address(scope, request):
    return RateLimit(scope, f"address-{client_address(request)}")


def refusal_message(what, refusal):
    """The clear message a refused person sees: the limit, and how long to wait."""
    now = timezone.now()
    period = timeuntil(now + timedelta(seconds=refusal.period), now)
    return _(
        "You have reached the limit for %(what)s: at most %(limit)s in %(period)s. "
        "Please wait %(wait)s and try again."
    ) % {"what": what, "limit": refusal.limit, "period": period, "wait": refusal.wait}
