from django.shortcuts import render
from django.views.decorators.http import require_GET

from agreements.models import Agreement, Amendment
from members.selectors import role_counts


@require_GET
def home(request):
    """The front page: the idea, the agreements in force, what closes soon, member counts."""
    in_force = Agreement.objects.in_force()
    return render(
        request,
        "home.html",
        {
            "idea": in_force.filter(is_idea=True).first(),
            "agreements": in_force.filter(is_idea=False)
            .in_reading_order()
            .defer("body", "body_html"),
            "closing_soon": Amendment.objects.closing_soon()
            .select_related("agreement", "author")
            .defer("body", "body_html", "rationale", "rationale_html", "conflict")[:5],
            "counts": role_counts(),
        },
    )
