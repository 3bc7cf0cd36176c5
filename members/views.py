from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from agreements.forms import AsOfForm
from agreements.models import Agreement, Amendment, Procedure
from config.ratelimit import for_address, refusal_message

from . import selectors, services
from .forms import AcceptForm, FollowForm, LoginForm, SettingsForm, SignupForm
from .models import ROLE_LABELS, User


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _with_language(response, user):
    """The interface speaks the language the person chose, from the next page on."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        user.language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request, reverse("join")))
    form = SignupForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        limit = for_address("signup", request)
        refusal = limit.check()
        if refusal:
            form.add_error(None, refusal_message(_("new accounts from one address"), refusal))
            return render(
                request,
                "registration/signup.html",
                {"form": form, "next": _safe_next(request, "")},
                status=429,
            )
        user = form.save()
        limit.count()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user})
        if not user.is_member:
            messages.info(
                request,
                _(
                    "Next step: read the agreements in force below and accept them to become "
                    "a member."
                ),
            )
        return _with_language(redirect(_safe_next(request, reverse("join"))), user)
    return render(
        request, "registration/signup.html", {"form": form, "next": _safe_next(request, "")}
    )


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        return _with_language(super().form_valid(form), form.get_user())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_settings(request, username):
    if request.user.username.lower() != username.lower():
        raise PermissionDenied(_("Only the owner of an account can change its settings."))
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.update_profile(member=request.user, **form.cleaned_data)
        messages.success(request, _("Your settings are saved."))
        return _with_language(redirect(user.get_absolute_url()), user)
    return render(
        request,
        "members/settings.html",
        {"form": form, "feed_key": request.user.feed_key()},
    )


@require_safe
def member_list(request):
    """Who is a member, since when, in which roles ("Membership by acceptance": the site shows
    who is a member). Filtered by `?role=`, keyset pages by `?before=`."""
    role = request.GET.get("role", "")
    if role and role not in selectors.LIST_ROLES:
        raise Http404(_("No such role."))
    return render(
        request,
        "members/list.html",
        {
            "page": selectors.member_page(role, request.GET.get("before")),
            "role": role,
            "roles": [(key, ROLE_LABELS[key]) for key in selectors.LIST_ROLES],
        },
    )


@require_safe
def profile(request, username):
    member = get_object_or_404(User, username__iexact=username)
    if member.username != username:
        return redirect(member.get_absolute_url(), permanent=True)
    # The membership record on a date: what this person had accepted then (`?as_of=`).
    as_of_form, record, status = AsOfForm(), None, 200
    if "as_of" in request.GET:
        as_of_form = AsOfForm(request.GET)
        if as_of_form.is_valid():
            moment = as_of_form.cleaned_data["as_of"]
            record = selectors.membership_record(member, moment)
            as_of_form = AsOfForm(initial={"as_of": moment.day.isoformat()})
        else:
            status = 400
    return render(
        request,
        "members/profile.html",
        {
            "as_of_form": as_of_form,
            "record": record,
            "member": member,
            "roles": [ROLE_LABELS[role] for role in member.roles()],
            "actions": selectors.public_actions(member),
            "is_owner": request.user == member,
            "suspended": member.is_suspended(),
            "is_following": request.user.is_authenticated
            and request.user.is_following(member=member),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def join(request):
    """Read the agreements in force and accept them all in one act; or, for a member, accept
    what changed since the version they accepted, and what is announced to change."""
    user = request.user
    stale = {}
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('signup')}?next={reverse('join')}")
        form = AcceptForm(request.POST)
        if not form.is_valid():
            for error in form.non_field_errors():
                messages.error(request, error)
            return redirect("join")
        try:
            result = services.accept_agreements(
                member=user,
                versions=form.cleaned_data["versions"],
                changes=form.cleaned_data["changes"],
                complete=form.cleaned_data["complete"],
            )
        except services.AcceptanceRefused as error:
            messages.error(request, _("%(reason)s Nothing was accepted.") % {"reason": error})
            return redirect("join")
        if not (result.stale or result.stale_changes):
            _announce(request, result)
            return HttpResponseRedirect(_safe_next(request, reverse("join")))
        stale = {
            "agreements": selectors.stale_changes(result.stale, form.cleaned_data["versions"]),
            "changes": result.stale_changes,
        }
        messages.warning(
            request,
            _(
                "Nothing was accepted: an agreement changed while you were reading. "
                "Here is what changed; please decide again."
            ),
        )
    return render(request, "members/join.html", {**selectors.join_page(user), "stale": stale})


def _announce(request, result):
    if result.joined:
        messages.success(request, _("You are a member now. Welcome!"))
    elif result.accepted or result.accepted_in_advance:
        titles = [a.title for a in result.accepted]
        titles += [a.title for a in result.accepted_in_advance]
        messages.success(request, _("Accepted: %(titles)s.") % {"titles": ", ".join(titles)})
    else:
        messages.info(request, _("You had already accepted this."))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def leave(request):
    if request.method == "POST":
        services.leave(member=request.user)
        messages.success(
            request,
            _("You have left. Your acceptances are withdrawn; you can join again at any time."),
        )
        return redirect(request.user.get_absolute_url())
    return render(request, "members/leave.html")


@require_safe
def community(request):
    return render(
        request,
        "members/community.html",
        {
            "counts": selectors.role_counts(),
            "agreements": selectors.agreements_with_acceptance_counts(),
            "procedure": Procedure.current(),
        },
    )


@login_required
@require_http_methods(["POST"])
def follow(request):
    """Follow or unfollow an agreement, an amendment or a member (buttons on their pages)."""
    form = FollowForm(request.POST)
    if not form.is_valid():
        raise Http404(_("Nothing to follow."))
    wanted = form.cleaned_data
    target = {}
    if wanted["agreement"]:
        target["agreement"] = get_object_or_404(Agreement, slug=wanted["agreement"])
    elif wanted["amendment"]:
        target["amendment"] = get_object_or_404(Amendment, pk=wanted["amendment"])
    elif wanted["member"]:
        target["followed_member"] = get_object_or_404(User, username=wanted["member"])
    else:
        raise Http404(_("Nothing to follow."))
    if wanted["action"] == "unfollow":
        services.unfollow(member=request.user, **target)
        messages.success(request, _("You no longer follow this."))
    else:
        services.follow(member=request.user, **target)
        messages.success(request, _("You follow this now: you will be notified of what happens."))
    return redirect(_safe_next(request, reverse("notifications")))
