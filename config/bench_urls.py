"""The site's URLs, plus the bench's floor (config/bench_settings.py); never in normal settings."""

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

FLOOR_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Floor</title></head>'
    "<body><p>A constant response: the cost of a request before any view works.</p></body></html>"
)


# Never kept by the anonymous page cache: the floor is what a bare Django response costs through
# all the middleware, so a kept page (one cache round trip) may well cost less than it.
@never_cache
@require_safe
def floor(request):
    return HttpResponse(FLOOR_PAGE)


urlpatterns = [
    path("__bench__/floor/", floor, name="bench_floor"),
    path("", include("config.urls")),
]

handler500 = "config.views.server_error"
