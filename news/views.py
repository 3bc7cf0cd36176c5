from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agreements.amendments.services import NotAllowed
from agreements.models import Agreement, Amendment, forming_progress
from config.ratelimit import for_member, refusal_message
from members.selectors import role_counts
from members.services import record_follow

from . import selectors, services
from .forms import PostForm
from .models import NewsItem

LATEST_ON_HOME = 5


@require_safe
def home(request):
    """The front page: the idea, news, what closes soon, the agreements, member counts."""
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
            "news": selectors.latest(LATEST_ON_HOME),
            "counts": role_counts(),
            "forming": forming_progress(),
        },
    )


def _previous_visit(request):
    """Record that this member follows the news (at most once an hour) and return the visit
    before, for the "new since your last visit" markers."""
    user = request.user
    if not user.is_authenticated:
        return None
    previous = user.followed_at
    record_follow(member=user)
    return previous


@require_safe
def news_list(request):
    filters = selectors.NewsFilter.from_query(request.GET)
    page = selectors.news_page(filters, request.GET.get("before"))
    return render(
        request,
        "news/list.html",
        {
            "page": page,
            "filters": filters,
            "previous_visit": _previous_visit(request),
            "agreements": Agreement.objects.in_reading_order().only("slug", "title"),
        },
    )


@require_safe
def news_item(request, pk):
    item = get_object_or_404(
        NewsItem.objects.select_related("author", "agreement", "amendment"), pk=pk
    )
    return render(
        request,
        "news/item.html",
        {"item": item, "versions": item.history.order_by("-history_date") if item.is_post else []},
    )


def _refuse(error):
    raise PermissionDenied(str(error)) from error


@require_http_methods(["GET", "HEAD", "POST"])
def post_new(request):
    if not (request.user.is_authenticated and request.user.may_write):
        _refuse(NotAllowed(_("Only members in good standing may post news.")))
    form = PostForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        limit = for_member("post", request.user)
        refusal = limit.check()
        if refusal:
            form.add_error(None, refusal_message(_("posts"), refusal))
            status = 429
        else:
            post = services.publish_post(author=request.user, **form.cleaned_data)
            limit.count()
            messages.success(request, _("Your post is published."))
            return redirect(post)
    return render(request, "news/post_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def post_edit(request, pk):
    post = get_object_or_404(NewsItem, pk=pk, kind=NewsItem.Kind.POST)
    if request.user != post.author:
        _refuse(NotAllowed(_("Only the author may edit a post.")))
    if not request.user.may_write:
        _refuse(NotAllowed(_("Only members in good standing may edit posts.")))
    if post.hidden:
        _refuse(NotAllowed(_("A hidden post cannot be edited; you may appeal the act.")))
    form = PostForm(request.POST or None, initial={"title": post.title, "body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(post=post, author=request.user, **form.cleaned_data)
        except NotAllowed as error:
            _refuse(error)
        messages.success(request, _("Your post is saved; the earlier version stays visible."))
        return redirect(post)
    return render(request, "news/post_form.html", {"form": form, "post": post})


@login_required
@require_safe
def notifications(request):
    page = selectors.notification_page(request.user, request.GET.get("before"))
    return render(request, "news/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request):
    services.mark_all_read(request.user)
    return redirect("notifications")
