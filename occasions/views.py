from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agreements.amendments.services import NotAllowed, require_formed
from agreements.models import forming_progress

from . import accounts, selectors, services
from .forms import MAX_ROWS, ROWS, NominationForm, OccasionForm, SpeakerVoteForm, answer_formset
from .models import Occasion


def _refuse(error):
    raise PermissionDenied(str(error)) from error


def _show_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, str(error))


@require_safe
def occasion_list(request):
    return render(
        request,
        "occasions/list.html",
        {
            "upcoming": selectors.upcoming(),
            "past": selectors.past_page(request.GET.get("before")),
            "forming": forming_progress(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def occasion_new(request):
    """Announce an occasion at which the community is to be represented."""
    if not (request.user.is_authenticated and request.user.is_in_good_standing):
        _refuse(NotAllowed(_("Only members in good standing may announce occasions.")))
    try:
        require_formed()
    except NotAllowed as error:
        _refuse(error)
    form = OccasionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            occasion = services.create_occasion(author=request.user, **form.cleaned_data)
        except NotAllowed as error:
            _refuse(error)
        except services.OccasionError as error:
            _show_error(form, error)
        else:
            messages.success(
                request, _("The occasion is announced. Members may nominate themselves now.")
            )
            return redirect(occasion)
    status = 400 if request.method == "POST" else 200
    return render(request, "occasions/new.html", {"form": form}, status=status)


def _occasion(pk):
    return get_object_or_404(Occasion.objects.select_related("created_by", "speaker"), pk=pk)


def _detail(request, occasion, *, nomination_form=None, vote_form=None, status=200):
    context = selectors.occasion_page(occasion, request.user)
    if nomination_form is None:
        mine = context["my_nomination"]
        nomination_form = NominationForm(initial={"statement": mine.statement} if mine else None)
    if vote_form is None:
        my_vote = context["my_vote"]
        vote_form = SpeakerVoteForm(
            nominations=context["voteable"],
            initial={"nomination": my_vote.nomination_id} if my_vote else None,
        )
    context["nomination_form"] = nomination_form
    context["vote_form"] = vote_form
    return render(request, "occasions/detail.html", context, status=status)


@require_safe
def occasion_detail(request, pk):
    return _detail(request, _occasion(pk))


@require_POST
def nominate(request, pk):
    occasion = _occasion(pk)
    form = NominationForm(request.POST)
    if form.is_valid():
        try:
            services.nominate(
                occasion=occasion, member=request.user, statement=form.cleaned_data["statement"]
            )
        except NotAllowed as error:
            _refuse(error)
        except services.OccasionError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("You are nominated. Your statement is public."))
            return redirect(f"{occasion.get_absolute_url()}#nominations")
    return _detail(request, occasion, nomination_form=form, status=400)


@require_POST
def vote(request, pk):
    occasion = _occasion(pk)
    nominations = list(occasion.nominations.select_related("member"))
    form = SpeakerVoteForm(request.POST, nominations=nominations)
    if form.is_valid():
        nomination = next(n for n in nominations if n.pk == form.cleaned_data["nomination"])
        try:
            services.vote(occasion=occasion, member=request.user, nomination=nomination)
        except NotAllowed as error:
            _refuse(error)
        except services.OccasionError as error:
            _show_error(form, error)
        else:
            messages.success(
                request, _("Your vote is recorded. You can change it until voting closes.")
            )
            return redirect(f"{occasion.get_absolute_url()}#vote")
    return _detail(request, occasion, vote_form=form, status=400)


def _rows(request):
    rows = request.GET.get("rows", "")
    return min(max(int(rows), ROWS), MAX_ROWS) if rows.isdigit() and len(rows) < 4 else ROWS


@require_http_methods(["GET", "HEAD", "POST"])
def account(request, pk):
    """Write the account of an occasion: the questions asked and the answers given, each
    answer citing the clauses of the brief it rests on."""
    occasion = _occasion(pk)
    if not (request.user.is_authenticated and request.user.is_in_good_standing):
        _refuse(NotAllowed(_("Only members in good standing may write accounts.")))
    formset = answer_formset(
        request.POST if request.method == "POST" else None, rows=_rows(request)
    )
    status, refusal = 200, None
    if request.method == "POST":
        status = 400
        if formset.is_valid():
            pairs = [
                (f.cleaned_data.get("question"), f.cleaned_data.get("answer")) for f in formset
            ]
            try:
                posted = accounts.post_account(
                    occasion=occasion, author=request.user, answers=pairs
                )
            except NotAllowed as error:
                _refuse(error)
            except accounts.AccountRefused as error:
                for position, problems in error.errors.items():
                    for problem in problems:
                        formset.forms[position - 1].add_error("answer", problem)
            except services.OccasionError as error:
                refusal = str(error)
            else:
                messages.success(request, _("Your account is published."))
                return redirect(posted.get_absolute_url())
    return render(
        request,
        "occasions/account.html",
        {
            "occasion": occasion,
            "formset": formset,
            "refusal": refusal,
            "brief": accounts.brief(occasion),
            "more_rows": min(len(formset.forms) + ROWS, MAX_ROWS),
        },
        status=status,
    )


@login_required
@require_POST
def follow(request, pk):
    occasion = _occasion(pk)
    if request.POST.get("action") == "unfollow":
        services.unfollow(occasion=occasion, member=request.user)
        messages.success(request, _("You no longer follow this."))
    else:
        services.follow(occasion=occasion, member=request.user)
        messages.success(request, _("You follow this now: you will be notified of what happens."))
    return redirect(occasion)
