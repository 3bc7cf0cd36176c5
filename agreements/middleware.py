from django.shortcuts import redirect
from django.urls import reverse

from .services import is_founded
from .views import found

# Paths that work before founding: the installer must be able to log in to found the site, and
# `/healthz` answers whether or not the database can say if the site is founded.
EXEMPT_PREFIXES = ("/admin/", "/accounts/", "/i18n/", "/static/", "/healthz")


class FoundingMiddleware:
    """Until the community is founded, every public page is the founding page.

    A fresh installation has no agreements, so there is nothing else to show: the installer sees
    "State the idea", everyone else a plain notice. Founding is permanent, so once it is seen the
    check is skipped for the life of the process.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.founded = False

    def __call__(self, request):
        if request.path.startswith(EXEMPT_PREFIXES):
            return self.get_response(request)
        if not self.founded:
            self.founded = is_founded()
        if self.founded:
            return self.get_response(request)
        if request.path != reverse("home"):
            return redirect("home")
        return found(request)
