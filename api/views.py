"""The public read-only JSON API (docs/api.md). Views are thin: read, shape, answer."""

from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import condition

from agreements import exchange
from agreements.models import Agreement, Amendment, Community, Edition, Procedure
from agreements.models.amendment import members_in_good_standing
from agreements.paging import paginate
from members.selectors import role_counts
from news.models import NewsItem

from . import shapes
from .responses import api_view, error_response, json_response, with_cors

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


def _limit(request):
    value = request.GET.get("limit", "")
    if value.isdigit() and len(value) < 4:
        return max(1, min(int(value), MAX_LIMIT))
    return DEFAULT_LIMIT


def _page_payload(request, kind, items, next_cursor):
    """The list envelope: the items and the absolute address of the next page (or null)."""
    next_url = None
    if next_cursor:
        query = request.GET.copy()
        query["cursor"] = next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"type": kind, "items": items, "next": next_url}


def _not_found(request, message):
    return error_response(request, 404, message)


@api_view
def index(request):
    link = shapes.Links(request)
    community = Community.current()
    return json_response(
        request,
        {
            "type": "index",
            "software": "soglasie",
            "api_version": shapes.API_VERSION,
            "community": community.name if community else None,
            "links": {
                "community": link.to("api:community"),
                "procedure": link.to("api:procedure"),
                "agreements": link.to("api:agreements"),
                "amendments": link.to("api:amendments"),
                "news": link.to("api:news"),
                "export": link.to("api:export"),
                "documentation": "docs/api.md",
            },
        },
    )


@api_view
def community(request):
    link = shapes.Links(request)
    current = Community.current()
    counts = role_counts()
    return json_response(
        request,
        {
            "type": "community",
            "name": current.name,
            "language": current.language,
            "founded_at": shapes.iso(current.founded_at),
            "edition": Edition.current_number(),
            "agreements_in_force": Agreement.objects.in_force().count(),
            "counts": {
                "members": counts.members,
                "in_good_standing": counts.in_good_standing,
                "active_core": counts.active_core,
                "volunteers": counts.volunteers,
                "dormant": counts.dormant,
                "former": counts.former,
            },
            "url": link.to("home"),
            "members_url": link.to("members:list"),
        },
    )


@api_view
def procedure(request):
    current = Procedure.current()
    latest = current.history.order_by("-history_date").values_list("history_date", flat=True)
    return json_response(
        request, shapes.procedure(current, shapes.Links(request)), last_modified=latest.first()
    )


STATUS_FILTERS = {"in_force": [Agreement.Status.IN_FORCE], "repealed": [Agreement.Status.REPEALED]}
STATUS_FILTERS["all"] = STATUS_FILTERS["in_force"] + STATUS_FILTERS["repealed"]


def _agreements_changed_at():
    latest = Edition.objects.order_by("-id").values_list("started_at", flat=True).first()
    return latest


@api_view
def agreements(request):
    """Agreements in force (`?status=repealed` or `all` for the others), in reading order. A
    community has tens of agreements, not thousands: the list comes whole, `next` is null."""
    status = request.GET.get("status", "in_force")
    if status not in STATUS_FILTERS:
        return error_response(request, 400, "status must be in_force, repealed or all")
    link = shapes.Links(request)
    rows = (
        Agreement.objects.filter(status__in=STATUS_FILTERS[status])
        .in_reading_order()
        .defer("body", "body_html")
    )
    items = [shapes.agreement_summary(a, link) for a in rows]
    return json_response(
        request,
        _page_payload(request, "agreement_list", items, None),
        last_modified=_agreements_changed_at(),
    )


def _agreement(slug):
    return Agreement.objects.filter(slug=slug).first()


@api_view
def agreement(request, slug):
    found = _agreement(slug)
    if found is None:
        return _not_found(request, "no such agreement")
    return json_response(
        request,
        shapes.agreement_detail(found, shapes.Links(request)),
        last_modified=found.effective_at,
    )


@api_view
def version(request, slug, number):
    found = _agreement(slug)
    record = found.get_version(number) if found else None
    if record is None:
        return _not_found(request, "no such agreement or version")
    return json_response(
        request,
        shapes.version_detail(found, record, shapes.Links(request)),
        last_modified=found.effective_at,
    )


@api_view
def history(request, slug):
    """Every version, oldest first, without texts; `cursor` is the last version number seen."""
    found = _agreement(slug)
    if found is None:
        return _not_found(request, "no such agreement")
    cursor = request.GET.get("cursor", "")
    after = int(cursor) if cursor.isdigit() and len(cursor) < 10 else 0
    size = _limit(request)
    records = {}
    for record in (
        found.history.filter(version__gt=after, version__lte=after + size + 1)
        .order_by("version", "history_date", "history_id")
        .defer("body", "body_html")
    ):
        records.setdefault(record.version, record)
    versions = sorted(records.values(), key=lambda r: r.version)
    more = len(versions) > size
    versions = versions[:size]
    link = shapes.Links(request)
    return json_response(
        request,
        _page_payload(
            request,
            "agreement_history",
            [shapes.version_entry(found, record, link) for record in versions],
            str(versions[-1].version) if more else None,
        ),
        last_modified=found.effective_at,
    )


def _amendments():
    return Amendment.objects.select_related("agreement", "author").defer(
        "body_html", "conflict", "agreement__body", "agreement__body_html"
    )


@api_view
def amendments(request):
    """Newest first, keyset-paginated; `?phase=` (stored phase) and `?agreement=<slug>`."""
    queryset = _amendments().defer("body", "rationale", "rationale_html")
    phase = request.GET.get("phase")
    if phase:
        if phase not in Amendment.Phase.values:
            return error_response(request, 400, "no such phase")
        queryset = queryset.filter(phase=phase)
    slug = request.GET.get("agreement")
    if slug:
        queryset = queryset.filter(agreement__slug=slug)
    page = paginate(queryset, request.GET.get("cursor"), "proposed_at", size=_limit(request))
    members, now, link = members_in_good_standing(), timezone.now(), shapes.Links(request)
    Amendment.count_for_list(page.items)
    items = [shapes.amendment_summary(a, link, members=members, now=now) for a in page.items]
    return json_response(request, _page_payload(request, "amendment_list", items, page.next_cursor))


@api_view
def amendment(request, pk):
    found = _amendments().filter(pk=pk).first()
    if found is None:
        return _not_found(request, "no such amendment")
    payload = shapes.amendment_detail(
        found, shapes.Links(request), members=members_in_good_standing(), now=timezone.now()
    )
    return json_response(request, payload)


@api_view
def news(request):
    """Newest first, keyset-paginated; `?kind=post` or `event`."""
    queryset = NewsItem.objects.select_related("author", "agreement").defer(
        "agreement__body", "agreement__body_html"
    )
    kind = request.GET.get("kind")
    if kind:
        if kind not in NewsItem.Kind.values:
            return error_response(request, 400, "kind must be post or event")
        queryset = queryset.filter(kind=kind)
    page = paginate(queryset, request.GET.get("cursor"), "published_at", size=_limit(request))
    community = Community.current()
    link = shapes.Links(request)
    items = [shapes.news_item(item, link, language=community.language) for item in page.items]
    modified = max((item.edited_at or item.published_at for item in page.items), default=None)
    return json_response(
        request,
        _page_payload(request, "news_list", items, page.next_cursor),
        last_modified=modified,
    )


def _export_etag(request):
    # Every change to an agreement starts an edition; the procedure has its own version.
    return f'"export-{Edition.current_number()}-{Procedure.current().version}"'


def _export_modified(request):
    return _agreements_changed_at()


@api_view
@condition(etag_func=_export_etag, last_modified_func=_export_modified)
def export(request):
    """The whole community, every version of every agreement, as one archive."""
    archive = exchange.export_archive(site_url=request.build_absolute_uri(reverse("home")))
    response = with_cors(
        exchange.archive_response(archive, filename=exchange.archive_name(Community.current()))
    )
    response["Cache-Control"] = "public, max-age=60"
    return response
