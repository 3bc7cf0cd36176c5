"""Guards every request and response passes through, whatever app answers it.

- `ContentSecurityPolicyMiddleware`: a strict Content-Security-Policy on every response. No
  template needs inline script or style (site.js is loaded from a file), so the policy allows
  scripts, styles and images from this site only: a text that slipped past the sanitiser still
  could not run.
- `RejectNulMiddleware`: a NUL character can be in no address. PostgreSQL refuses it in any
  query, so instead of each lookup failing with a server error, such a request gets a plain
  "400 Bad Request" before any view runs. (Form fields refuse NUL themselves, next to the field,
  so a pasted text is never lost.)
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _


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
