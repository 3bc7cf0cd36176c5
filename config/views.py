"""Error pages that tell the truth about what happened to the visitor's request.

They are rendered without the request's context: the header's context processors read the
database, and these pages must show when the database cannot be read.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config import health

# The database could not be reached or gave up (connect or statement timeout): an outage, not a
# bug, so the visitor is told to come back, with a time to wait.
OUTAGES = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60


def server_error(request, template_name="500.html"):
    error = sys.exc_info()[1]
    if isinstance(error, OUTAGES):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template(template_name).render())


@require_safe
@never_cache
def healthz(request):
    """For load balancers and monitoring: one word per part of the machinery (config/health.py),
    503 only when the primary database is unreachable, since nothing can be served then; with
    anything else down the site still answers ("degraded"). Touches no session and sets no
    cookie, so probing it every second costs nothing but the probes."""
    report = health.report()
    return JsonResponse(report, status=503 if report["status"] == "down" else 200)
