from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agreements.models import Amendment, Comment, Procedure
from config.ratelimit import for_member, refusal_message
from members.models import User
from news.models import NewsItem

from . import selectors, services
from .forms import ActForm, AppealForm, DismissForm, ReportForm
from .models import ModerationAction, Report

Act = ModerationAction.Act


@require_safe
def log(request):
    """The public log of every use of power, newest first, with the moderators in office."""
    filters = selectors.LogFilter.from_query(request.GET)
    return render(
        request,
        "moderation/log.html",
        {
            "page": selectors.log_page(filters, request.GET.get("before")),
            "filters": filters,
            "acts": ModerationAction.Act.choices,
            "targets": ModerationAction.Target.choices,
            "grants": services.current_grants(),
            "term_days": Procedure.current().moderator_term_days,
        },
    )


def _entry_or_404(pk):
    action = selectors.entry(pk)
    if action is None:
        raise Http404(_("The log has no such entry."))
    return action


def _entry_page(request, action, form=None, status=200):
    user = request.user
    deciding = user.is_authenticated and services.may_decide(user, action)
    if form is None and user.is_authenticated and services.may_appeal(user, action):
        form = AppealForm(deciding=deciding)
    return render(
        request,
        "moderation/entry.html",
        {
            "action": action,
            "thread": selectors.appeal_thread(action),
            "reversals": list(action.reversals.select_related("actor")),
            "form": form,
            "deciding": deciding,
        },
        status=status,
    )


@require_safe
def entry(request, pk):
    return _entry_page(request, _entry_or_404(pk))


@require_POST
def appeal(request, pk):
    action = _entry_or_404(pk)
    user = request.user
    if not (user.is_authenticated and services.may_appeal(user, action)):
        raise PermissionDenied(_("Only members, and whoever the act concerns, write in appeals."))
    deciding = services.may_decide(user, action)
    form = AppealForm(request.POST, deciding=deciding)
    if form.is_valid():
        limit = for_member("appeal", user)
        refusal = limit.check()
        if refusal:
            form.add_error(None, refusal_message(_("messages in appeals"), refusal))
            return _entry_page(request, action, form, status=429)
        try:
            services.post_appeal(
                action=action,
                author=user,
                body=form.cleaned_data["body"],
                decision=form.cleaned_data.get("decision", ""),
                clause=form.cleaned_data.get("clause", ""),
            )
        except services.NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except services.ModerationError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            limit.count()
            messages.success(request, _("Your message is published in the appeal thread."))
            return redirect(f"{action.get_absolute_url()}#appeal")
    return _entry_page(request, action, form, status=400)


# -- acting ---------------------------------------------------------------------------------------

SUBJECTS = {"comment": Comment, "amendment": Amendment, "post": NewsItem, "member": User}

LABELS = {
    "hide:comment": gettext_lazy("Hide the comment"),
    "restore:comment": gettext_lazy("Restore the comment"),
    "hide:amendment": gettext_lazy("Hide the amendment's title and rationale"),
    "restore:amendment": gettext_lazy("Restore the amendment's title and rationale"),
    "lock:thread": gettext_lazy("Lock the discussion thread"),
    "unlock:thread": gettext_lazy("Unlock the discussion thread"),
    "hide:post": gettext_lazy("Hide the post"),
    "restore:post": gettext_lazy("Restore the post"),
    "hide:display_name": gettext_lazy("Hide the display name (the @username stays)"),
    "restore:display_name": gettext_lazy("Restore the display name"),
    "hide:profile": gettext_lazy("Hide the profile text"),
    "restore:profile": gettext_lazy("Restore the profile text"),
    "suspend:member": gettext_lazy("Suspend writing for some days"),
    "lift:member": gettext_lazy("Lift the suspension"),
    "grant:member": gettext_lazy("Grant moderator power for the term the procedure sets"),
    "revoke:member": gettext_lazy("Revoke moderator power"),
}


def available_acts(kind, row, user):
    """The acts `user` may choose for this thing in its present state (values "act:target")."""
    acts = []
    if services.is_moderator(user):
        if kind in ("comment", "amendment", "post"):
            acts.append(f"restore:{kind}" if row.hidden else f"hide:{kind}")
        if kind == "amendment":
            acts.append("unlock:thread" if row.thread_locked else "lock:thread")
        if kind == "member":
            if row.display_name_hidden or row.display_name:
                acts.append(
                    "restore:display_name" if row.display_name_hidden else "hide:display_name"
                )
            if row.profile_hidden or row.bio or row.volunteer_offer:
                acts.append("restore:profile" if row.profile_hidden else "hide:profile")
            acts.append("lift:member" if row.is_suspended() else "suspend:member")
    if kind == "member" and user.is_superuser:
        acts.append("grant:member")
        if services.open_grant(row):
            acts.append("revoke:member")
    return [(value, LABELS[value]) for value in acts]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def act(request, kind, pk):
    """A moderator's (or, for grants, the installer's) act on one thing, with reason and clause."""
    if kind not in SUBJECTS:
        raise Http404(_("Nothing of this kind can be acted on."))
    row = get_object_or_404(SUBJECTS[kind], pk=pk)
    if kind == "post" and not row.is_post:
        raise Http404(_("Only posts can be acted on, not events."))
    choices = available_acts(kind, row, request.user)
    if not choices:
        raise PermissionDenied(
            _("Only a member holding moderator power, granted in public, may do this.")
        )
    form = ActForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        name, target = data["act"].split(":")
        try:
            if name == Act.GRANT:
                action = services.grant_power(
                    installer=request.user, member=row, reason=data["reason"], clause=data["clause"]
                )
            elif name == Act.REVOKE:
                action = services.revoke_power(
                    installer=request.user, member=row, reason=data["reason"], clause=data["clause"]
                )
            else:
                action = services.act(
                    moderator=request.user,
                    act=name,
                    target=target,
                    pk=row.pk,
                    reason=data["reason"],
                    clause=data["clause"],
                    days=data.get("days"),
                )
        except services.NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except services.ModerationError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Done, and written to the public moderation log."))
            return redirect(action)
    return render(request, "moderation/act.html", {"form": form, "kind": kind, "row": row})


# -- reports --------------------------------------------------------------------------------------

REPORTABLE = {
    "comment": Comment,
    "amendment": Amendment,
    "post": NewsItem,
    "profile": User,
}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report(request, kind, pk):
    if kind not in REPORTABLE:
        raise Http404(_("Nothing of this kind can be reported."))
    row = get_object_or_404(REPORTABLE[kind], pk=pk)
    if kind == "post" and not row.is_post:
        raise Http404(_("Only posts can be reported, not events."))
    if not request.user.is_member:
        raise PermissionDenied(_("Only members report content to the moderators."))
    form = ReportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        limit = for_member("report", request.user)
        refusal = limit.check()
        if refusal:
            form.add_error(None, refusal_message(_("reports"), refusal))
            status = 429
        else:
            try:
                services.file_report(
                    reporter=request.user, target=kind, row=row, reason=form.cleaned_data["reason"]
                )
            except services.NotAllowed as error:
                raise PermissionDenied(str(error)) from error
            except services.ModerationError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                limit.count()
                messages.success(
                    request,
                    _("Thank you. The moderators will look at it; you will see the outcome here."),
                )
                return redirect("moderation:my_reports")
    return render(
        request, "moderation/report.html", {"form": form, "kind": kind, "row": row}, status=status
    )


@login_required
@require_safe
def my_reports(request):
    return render(
        request, "moderation/my_reports.html", {"reports": selectors.reports_by(request.user)}
    )


def _require_moderator(user):
    if not services.is_moderator(user):
        raise PermissionDenied(
            _("Only a member holding moderator power, granted in public, may do this.")
        )


@login_required
@require_safe
def report_queue(request):
    _require_moderator(request.user)
    return render(
        request,
        "moderation/reports.html",
        {"reports": selectors.report_queue(), "dismiss_form": DismissForm()},
    )


@login_required
@require_POST
def dismiss(request, pk):
    _require_moderator(request.user)
    report_row = get_object_or_404(Report, pk=pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why nothing needs to be done."))
        return redirect("moderation:reports")
    try:
        services.dismiss_report(
            report=report_row, moderator=request.user, note=form.cleaned_data["note"]
        )
    except services.NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except services.ModerationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The report is answered; its author sees your answer."))
    return redirect("moderation:reports")
