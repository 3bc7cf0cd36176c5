from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agreements.models import Agreement

from . import leaflets


def _options(request):
    size = request.GET.get("size", "a4")
    return {
        "size": size if size in leaflets.SIZES else "a4",
        "strips": request.GET.get("strips") == "1",
    }


def _page(request, *, target_path, context):
    url = request.build_absolute_uri(target_path)
    return render(
        request,
        "spreading/leaflet.html",
        {
            **context,
            **_options(request),
            "target_url": url,
            "address": leaflets.display_address(url),
            "qr": leaflets.qr_svg(url, title=_("QR code: %(url)s") % {"url": url}),
            "strip_count": range(8 if request.GET.get("size") != "a5" else 6),
        },
    )


@require_GET
def leaflet(request):
    """The idea in full and the call to unite, with the site's address and a QR code to it."""
    idea = Agreement.objects.in_force().filter(is_idea=True).first()
    if idea is None:
        raise Http404(_("The idea is not in force."))
    return _page(request, target_path=reverse("home"), context={"agreement": idea, "is_idea": True})


@require_GET
def agreement_leaflet(request, slug):
    """An agreement's summary and first clauses, with "read the rest at" its address."""
    agreement = get_object_or_404(Agreement.objects.in_force(), slug=slug)
    if agreement.is_idea:
        return leaflet(request)
    excerpt, more = leaflets.first_clauses(agreement.body_html)
    return _page(
        request,
        target_path=agreement.get_absolute_url(),
        context={"agreement": agreement, "excerpt": excerpt, "more": more, "is_idea": False},
    )
