import re

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from config.pagecache import public_condition

from . import as_of, selectors
from .amendments.selectors import announcements, mark_collisions
from .forms import AsOfForm, CompareForm, FoundingForm
from .models import Agreement, Procedure, SourceCheck, forming_progress
from .services import FoundingError, found_community

HISTORY_PAGE_SIZE = 20
PAGE_CURSOR = re.compile("[0-9]{1,9}")


def _as_of(request):
    """(form, AsOf or None) for a `?as_of=` request; the form carries the error if any."""
    form = AsOfForm(request.GET)
    if not form.is_valid():
        return form, None
    moment = form.cleaned_data["as_of"]
    return AsOfForm(initial={"as_of": moment.day.isoformat()}), moment


@require_safe
def agreement_list(request):
    if "as_of" in request.GET:
        return _past_list(request)
    agreements = Agreement.objects.in_reading_order().defer("body", "body_html")
    return render(
        request,
        "agreements/list.html",
        {
            "in_force": [a for a in agreements if a.is_in_force],
            "repealed": [a for a in agreements if not a.is_in_force],
        },
    )


def _past_list(request):
    """The agreements as they stood at a past moment, each at the exact version then in force."""
    form, moment = _as_of(request)
    context = {"as_of_form": form, "as_of": moment}
    if moment is None:
        return render(request, "agreements/list_as_of.html", context, status=400)
    context["agreements"] = as_of.agreements_in_force_at(moment.moment)
    return render(request, "agreements/list_as_of.html", context)


def _past_detail(request, agreement):
    """One agreement as it stood at a past moment: the version then in force, or the notice
    that it was not in force then."""
    form, moment = _as_of(request)
    context = {"agreement": agreement, "as_of_form": form, "as_of": moment}
    if moment is None:
        return render(request, "agreements/detail_as_of.html", context, status=400)
    record = as_of.agreement_at(agreement, moment.moment)
    context["record"] = record
    if record is not None:
        context["until"] = as_of.in_force_until(agreement, record)
    status = 200 if record is not None and record.status == Agreement.Status.IN_FORCE else 404
    return render(request, "agreements/detail_as_of.html", context, status=status)


@require_safe
@public_condition
def agreement_detail(request, slug):
    agreement = get_object_or_404(Agreement, slug=slug)
    if "as_of" in request.GET:
        return _past_detail(request, agreement)
    announced = announcements(agreement.amendments.all())
    if announced and request.user.is_authenticated:
        accepted = request.user.accepted_in_advance([a.amendment for a in announced])
        for announcement in announced:
            announcement.accepted_in_advance = announcement.amendment.pk in accepted
    return render(
        request,
        "agreements/detail.html",
        {
            "agreement": agreement,
            "accepted_version": _accepted_version(request.user, agreement),
            "announced": announced,
            "open_amendments": mark_collisions(
                list(
                    agreement.amendments.open()
                    .select_related("author")
                    .defer("body", "body_html", "rationale", "rationale_html", "conflict")
                )
            ),
            "procedure": _procedure_set_by(agreement),
            "entrenchment": Procedure.current() if agreement.is_entrenched else None,
            "is_following": request.user.is_authenticated
            and request.user.is_following(agreement=agreement),
            "can_repeal": agreement.is_in_force and not agreement.is_entrenched,
            "forming": forming_progress(),
            "source_check": SourceCheck.objects.filter(agreement=agreement).first()
            if agreement.origin == Agreement.Origin.BORROWED
            else None,
        },
    )


def _procedure_set_by(agreement):
    """The procedure in force, if this is the agreement that sets it (shown on its page)."""
    procedure = Procedure.current()
    return procedure if procedure.agreement_id == agreement.pk else None


def _accepted_version(user, agreement):
    """Which version of `agreement` the visitor accepts, asked of the user object (members/)."""
    return user.accepted_version_of(agreement) if user.is_authenticated else None


@require_safe
@public_condition
def agreement_version(request, slug, number):
    agreement = get_object_or_404(Agreement.objects.defer("body", "body_html"), slug=slug)
    version = agreement.get_version(number)
    if version is None:
        raise Http404(_("This agreement has no version %(number)s.") % {"number": number})
    return render(request, "agreements/version.html", {"agreement": agreement, "version": version})


@require_safe
@public_condition
def agreement_history(request, slug):
    agreement = get_object_or_404(Agreement.objects.defer("body", "body_html"), slug=slug)
    before = request.GET.get("before", "")
    before = int(before) if PAGE_CURSOR.fullmatch(before) else None
    versions, next_before = agreement.version_page(before, size=HISTORY_PAGE_SIZE)
    return render(
        request,
        "agreements/history.html",
        {
            "agreement": agreement,
            "versions": versions,
            "next_before": next_before,
            "is_first_page": before is None,
            "compare": _compare_choice(agreement),
            "as_of_form": AsOfForm(),
        },
    )


def _compare_choice(agreement, a=None, b=None):
    """The versions the compare form starts at (it is drawn directly, not through a form's
    widgets: two lists of every version cost more than the rest of the page)."""
    if a is None:
        a, b = max(agreement.version - 1, 1), agreement.version
    return {"a": a, "b": b}


@require_safe
@public_condition
def agreement_diff(request, slug, a, b):
    agreement = get_object_or_404(Agreement.objects.defer("body", "body_html"), slug=slug)
    comparison = selectors.compare_versions(agreement, a, b)
    if comparison is None:
        raise Http404(_("This agreement has no such version."))
    return render(
        request,
        "agreements/diff.html",
        {
            "agreement": agreement,
            "comparison": comparison,
            "compare": _compare_choice(agreement, a, b),
            "accepted_version": _accepted_version(request.user, agreement),
        },
    )


@require_safe
def agreement_compare(request, slug):
    """The no-JavaScript version picker on the history page submits here."""
    agreement = get_object_or_404(Agreement.objects.defer("body", "body_html"), slug=slug)
    form = CompareForm(request.GET, agreement=agreement)
    if not form.is_valid():
        return redirect("agreements:history", slug=slug)
    return redirect(agreement.diff_url(form.cleaned_data["a"], form.cleaned_data["b"]))


@require_safe
def agreement_markdown(request, slug):
    agreement = get_object_or_404(Agreement, slug=slug)
    response = HttpResponse(
        selectors.markdown_export(
            agreement, request.build_absolute_uri(agreement.get_absolute_url())
        ),
        content_type="text/markdown; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{agreement.slug}.md"'
    return response


@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def found(request):
    """State the idea: the founding form for the installer, a plain notice for everyone else.

    It is called from FoundingMiddleware, not through the URLs, so CsrfViewMiddleware never sees
    it: `csrf_protect` checks the token here, or a cross-site form could found the site."""
    if not request.user.is_superuser:
        return render(request, "agreements/not_founded.html")
    if request.method == "POST":
        form = FoundingForm(request.POST)
        if form.is_valid():
            try:
                found_community(founder=request.user, **form.cleaned_data)
            except FoundingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The community is founded. Welcome."))
                return redirect("home")
    else:
        form = FoundingForm(initial={"language": request.LANGUAGE_CODE})
    return render(request, "agreements/found.html", {"form": form})
