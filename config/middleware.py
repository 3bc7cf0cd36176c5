"""Guards every request and response passes through, whatever app answers it.

- `ContentSecurityPolicyMiddleware`: a strict Content-Security-Policy on every response. No
  template needs inline script or style (site.js is loaded from a file), so the policy allows
  scripts, styles and images from this site only: a text that slipped past the sanitiser still
  could not run.
- `RejectNulMiddleware`: a NUL character can be in no address. PostgreSQL refuses it in any
  query, so instead of each lookup failing with a server error, such a request gets a plain
  "400 Bad Request" before any view runs. (Form fields refuse NUL themselves, next to the field,
  so a pasted text is never lost.)
- `ReplicaMiddleware`: where a request's reads go when there are read replicas
  (config/db_router.py): a request that may write, and every request of a browser that wrote in
  the last READ_YOUR_WRITES_SECONDS, reads from the primary; other safe requests from a replica.
  If a replica fails during a request, it is left alone and the request is answered again from
  the primary, so a reader never sees an error because of a replica.
"""

import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.translation import gettext as _

from config import health
from config.db_router import ReplicaReads, current_replica_reads, reads_from_replicas, use_primary
from config.views import OUTAGES


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in (404, 500):
            # Django's technical debug pages style themselves inline; production never shows them.
            return response
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


def _has_nul(request):
    if "\x00" in request.path_info:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            return render(
                request,
                "400.html",
                {"reason": _("The address contains a character that no address can contain.")},
                status=400,
            )
        return self.get_response(request)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# A signed, timestamped cookie rather than the session: a visitor who has just signed up or
# logged out writes too, with no session (or a new one) to remember it by.
WROTE_COOKIE = "wrote"
WROTE_SALT = "config.middleware.ReplicaMiddleware"


def recently_wrote(request):
    return (
        request.get_signed_cookie(
            WROTE_COOKIE,
            default=None,
            salt=WROTE_SALT,
            max_age=settings.READ_YOUR_WRITES_SECONDS,
        )
        is not None
    )


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        if request.method not in SAFE_METHODS:
            with use_primary():
                response = self.get_response(request)
            response.set_signed_cookie(
                WROTE_COOKIE,
                "1",
                salt=WROTE_SALT,
                max_age=settings.READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
        if recently_wrote(request):
            with use_primary():
                return self.get_response(request)
        with reads_from_replicas(ReplicaReads()) as reads:
            response = self.get_response(request)
        if reads.failed:
            # Safe requests change nothing, so answering again is harmless.
            with use_primary():
                response = self.get_response(request)
        return response


@receiver(got_request_exception)
def leave_failed_replica(sender, request=None, **kwargs):
    """A database error in a request that reads from a replica: the replica is taken out of use
    until its next probe, and ReplicaMiddleware answers the request again from the primary."""
    reads = current_replica_reads()
    if reads is None or reads.alias is None or not isinstance(sys.exc_info()[1], OUTAGES):
        return
    health.mark_replica_down(reads.alias)
    reads.failed = True
