"""How every API answer is sent: JSON, a strong ETag from its bytes, Last-Modified where the
resource has a real modification time, 304 for a client that already has it, and CORS so any
page may read it (`Access-Control-Allow-Origin: *`, never with credentials)."""

import hashlib
import json
from datetime import UTC

from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Last-Modified",
    "Access-Control-Max-Age": "86400",
}
# Clients revalidate after a minute; a 304 costs them nothing but the request.
CACHE_CONTROL = "public, max-age=60"


def iso(moment):
    """ISO 8601 in UTC, to the second (`2026-05-01T12:00:00Z`), or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def with_cors(response):
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


def api_view(view):
    """Answer GET and HEAD with the view's response, OPTIONS with the CORS preflight, and
    anything else with 405. The view returns an HttpResponse (usually from `json_response`)."""

    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        elif request.method in ("GET", "HEAD"):
            response = view(request, *args, **kwargs)
        else:
            response = HttpResponseNotAllowed(["GET", "HEAD", "OPTIONS"])
        return with_cors(response)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    wrapped.csrf_exempt = True
    return wrapped


def json_response(request, payload, *, last_modified=None, status=200):
    """`payload` as JSON with its ETag (and Last-Modified), or a 304 when the client has it."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    modified = int(last_modified.timestamp()) if last_modified else None
    if status == 200:
        not_modified = get_conditional_response(request, etag=etag, last_modified=modified)
        if not_modified is not None:
            return _headers(not_modified, etag, modified)
    response = HttpResponse(body, status=status, content_type="application/json")
    return _headers(response, etag, modified)


def _headers(response, etag, modified):
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = CACHE_CONTROL
    return response


def error_response(request, status, message):
    payload = {"type": "error", "status": status, "message": message}
    return json_response(request, payload, status=status)
