from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Entry
from .queries import MAX_QUERY_LENGTH, clean_query, search


@require_GET
def search_page(request):
    query = clean_query(request.GET.get("q"))
    kind = request.GET.get("kind", "")
    if kind not in Entry.Kind.values:
        kind = ""
    return render(
        request,
        "search/results.html",
        {
            "query": query,
            "kind": kind,
            "kinds": Entry.Kind.choices,
            "results": search(query, kind=kind or None) if query else [],
            "max_length": MAX_QUERY_LENGTH,
        },
    )
