import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.ratelimit import for_member, refusal_message

from ..forms import AmendmentForm, CommentForm, VoteForm
from ..models import Agreement, Amendment, Comment, Procedure, forming_progress
from ..rendering import render_markdown
from ..selectors import compare_texts
from . import selectors
from . import services as service

PARAGRAPH = re.compile("[0-9]{1,6}")


@require_safe
def amendment_list(request):
    agreement = None
    if request.GET.get("agreement"):
        agreement = get_object_or_404(Agreement, slug=request.GET["agreement"])
    phase = request.GET.get("phase")
    if phase and phase not in Amendment.Phase.values:
        raise Http404(_("No such phase."))
    return render(
        request,
        "amendments/list.html",
        {
            "agreement": agreement,
            "phase": phase,
            # Only phases that have amendments: an empty list needs one line, not six headings.
            "groups": [
                (group, items)
                for group, items in selectors.amendments_by_phase(agreement=agreement, phase=phase)
                if items
            ],
            "agreements": Agreement.objects.in_reading_order().only("slug", "title"),
            "forming": forming_progress(),
        },
    )


def _refuse(error):
    raise PermissionDenied(str(error)) from error


def _show_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, str(error))


def _form_page(request, template, form, context, status=200):
    """Show the proposal form, with a rendered preview and the diff when asked."""
    preview = None
    if request.method == "POST" and "preview" in request.POST and form.is_valid():
        body = form.cleaned_data.get("body")
        base = context.get("base_body")
        preview = {
            # A preview is rendered on request by nature: it is never stored.
            "html": render_markdown(body, anchor_base="") if body else "",
            "rationale_html": render_markdown(form.cleaned_data["rationale"]),
            "diff": compare_texts(base, body) if base is not None and body else None,
        }
    return render(request, template, {**context, "form": form, "preview": preview}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def propose(request):
    """Propose a change or a repeal of an agreement (`?agreement=<slug>&kind=`), or a new one."""
    kind = request.GET.get("kind", Amendment.Kind.NEW)
    if kind not in Amendment.Kind.values:
        raise Http404(_("No such kind of amendment."))
    agreement = None
    if kind != Amendment.Kind.NEW:
        agreement = get_object_or_404(
            Agreement.objects.in_force(), slug=request.GET.get("agreement")
        )
    if not (request.user.is_authenticated and request.user.may_write):
        _refuse(service.NotAllowed(_("Only members in good standing may propose amendments.")))
    try:
        service.require_formed()
    except service.NotAllowed as error:
        _refuse(error)
    procedure = Procedure.current()
    initial = {}
    if agreement is not None:
        initial = {
            "proposed_title": agreement.title,
            "proposed_summary": agreement.summary,
            "body": agreement.body,
        }
    form = AmendmentForm(
        request.POST if request.method == "POST" else None,
        kind=kind,
        agreement=agreement,
        procedure=procedure,
        initial=initial,
    )
    status = 200
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        limit = for_member("propose", request.user)
        refusal = limit.check()
        if refusal:
            form.add_error(None, refusal_message(_("new amendments"), refusal))
            status = 429
        else:
            try:
                amendment = service.propose_amendment(
                    author=request.user, kind=kind, agreement=agreement, **form.service_arguments()
                )
            except service.NotAllowed as error:
                _refuse(error)
            except service.AmendmentError as error:
                _show_error(form, error)
            else:
                limit.count()
                messages.success(request, _("Your amendment is published. Its discussion is open."))
                return redirect(amendment)
    return _form_page(
        request,
        "amendments/propose.html",
        form,
        {
            "kind": kind,
            "agreement": agreement,
            "procedure": procedure,
            "base_body": agreement.body if agreement and kind == Amendment.Kind.CHANGE else None,
        },
        status=status,
    )


def _amendment(pk):
    return get_object_or_404(Amendment.objects.select_related("agreement", "author"), pk=pk)


@require_safe
def amendment_detail(request, pk):
    amendment = _amendment(pk)
    return _detail_page(request, amendment)


def _detail_page(request, amendment, comment_form=None, status=200):
    paragraph = request.GET.get("paragraph", "")
    context = selectors.amendment_page(
        amendment,
        request.user,
        after=request.GET.get("after"),
        # ASCII digits only: "²" is a digit to str.isdigit() but not a number to int().
        paragraph=int(paragraph) if PARAGRAPH.fullmatch(paragraph) else None,
    )
    # One form answers every thread: `?reply=<id>` (the "Reply" link of a comment) or a refused
    # reply's own `parent` turns it into a reply to that comment.
    reply = comment_form.data.get("parent") if comment_form else request.GET.get("reply")
    replying_to = selectors.reply_target(amendment, reply)
    context["replying_to"] = replying_to
    context["comment_form"] = comment_form or CommentForm(
        clauses=amendment.clause_count, initial={"parent": replying_to.pk if replying_to else None}
    )
    context["comment_limit"] = Comment.MAX_LENGTH
    return render(request, "amendments/detail.html", context, status=status)


@require_POST
def vote(request, pk):
    amendment = _amendment(pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose support, oppose or abstain."))
        return redirect(amendment)
    try:
        service.cast_vote(
            amendment=amendment, member=request.user, choice=form.cleaned_data["choice"]
        )
    except service.NotAllowed as error:
        _refuse(error)
    except service.AmendmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your vote is recorded. You can change it until voting ends."))
    return redirect(f"{amendment.get_absolute_url()}#votes")


@require_POST
def comment(request, pk):
    amendment = _amendment(pk)
    form = CommentForm(request.POST, clauses=amendment.clause_count)
    limit = for_member("comment", request.user) if request.user.is_authenticated else None
    refusal = limit.check() if limit else None
    if refusal and form.is_valid():
        form.add_error(None, refusal_message(_("comments"), refusal))
        return _detail_page(request, amendment, comment_form=form, status=429)
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = Comment.objects.filter(
                pk=form.cleaned_data["parent"], amendment=amendment
            ).first()
        try:
            posted = service.post_comment(
                amendment=amendment,
                author=request.user,
                body=form.cleaned_data["body"],
                paragraph=form.cleaned_data["paragraph"],
                parent=parent,
            )
        except service.NotAllowed as error:
            _refuse(error)
        except service.AmendmentError as error:
            form.add_error(None, str(error))
        else:
            limit.count()
            return redirect(posted.get_absolute_url())
    return _detail_page(request, amendment, comment_form=form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def comment_edit(request, pk, comment_id):
    comment_ = get_object_or_404(Comment.objects.select_related("amendment"), pk=comment_id)
    if comment_.amendment_id != pk:
        raise Http404
    if request.user != comment_.author:
        _refuse(service.NotAllowed(_("Only the author may edit a comment.")))
    if not request.user.may_write:
        _refuse(service.NotAllowed(_("Only members in good standing may edit comments.")))
    if comment_.hidden or not comment_.amendment.is_open_for_comments():
        messages.error(
            request,
            _("This comment can no longer be edited: the discussion is closed or it is hidden."),
        )
        return redirect(comment_.get_absolute_url())
    form = CommentForm(
        request.POST if request.method == "POST" else None,
        initial={"body": comment_.body},
    )
    form.fields.pop("paragraph")
    if request.method == "POST" and form.is_valid():
        try:
            service.edit_comment(
                comment=comment_, author=request.user, body=form.cleaned_data["body"]
            )
        except service.NotAllowed as error:
            _refuse(error)
        except service.AmendmentError as error:
            form.add_error(None, str(error))
        else:
            return redirect(comment_.get_absolute_url())
    return render(
        request,
        "amendments/comment_edit.html",
        {"form": form, "comment": comment_, "amendment": comment_.amendment},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def amendment_edit(request, pk):
    amendment = _amendment(pk)
    if request.user != amendment.author:
        _refuse(service.NotAllowed(_("Only the author may edit an amendment.")))
    if not request.user.may_write:
        _refuse(service.NotAllowed(_("Only members in good standing may edit amendments.")))
    if not amendment.is_editable():
        messages.error(
            request,
            _("The discussion has ended: the text is frozen for the vote and cannot be edited."),
        )
        return redirect(amendment)
    procedure = Procedure.current()
    agreement = amendment.agreement
    initial = {
        "title": amendment.title,
        "proposed_title": amendment.proposed_title,
        "proposed_summary": amendment.proposed_summary,
        "body": amendment.conflict or amendment.body,
        "rationale": amendment.rationale,
    }
    form = AmendmentForm(
        request.POST if request.method == "POST" else None,
        kind=amendment.kind,
        agreement=agreement,
        procedure=procedure,
        revising=True,
        initial=initial,
    )
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            service.revise_amendment(
                amendment=amendment,
                author=request.user,
                note=form.cleaned_data["note"],
                **{k: v for k, v in form.service_arguments().items() if k in REVISABLE},
            )
        except service.NotAllowed as error:
            _refuse(error)
        except service.AmendmentError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Your revision is saved and shown to everyone."))
            return redirect(amendment)
    base_body = None
    if amendment.kind == Amendment.Kind.CHANGE:
        base_body = agreement.body if amendment.conflict else selectors.base_text(amendment)
    return _form_page(
        request,
        "amendments/edit.html",
        form,
        {"amendment": amendment, "agreement": agreement, "base_body": base_body},
    )


REVISABLE = {
    "title",
    "proposed_title",
    "proposed_summary",
    "body",
    "rationale",
}


@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request, pk):
    amendment = _amendment(pk)
    if request.user != amendment.author:
        _refuse(service.NotAllowed(_("Only the author may withdraw an amendment.")))
    if request.method == "POST":
        try:
            service.withdraw_amendment(amendment=amendment, author=request.user)
        except service.NotAllowed as error:
            _refuse(error)
        except service.AmendmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The amendment is withdrawn. Its record stays public."))
        return redirect(amendment)
    return render(request, "amendments/withdraw.html", {"amendment": amendment})


@require_safe
def revisions(request, pk, a, b):
    amendment = _amendment(pk)
    comparison = selectors.compare_revisions(amendment, a, b)
    if comparison is None:
        raise Http404(_("This amendment has no such revision."))
    return render(
        request,
        "amendments/revisions.html",
        {
            "amendment": amendment,
            "comparison": comparison,
            "revisions": selectors.revision_list(amendment),
        },
    )


@require_safe
def comment_versions(request, pk, comment_id):
    """Every text a comment has had, newest first: edits are public, nothing is rewritten."""
    comment_ = get_object_or_404(
        Comment.objects.select_related("amendment", "author"), pk=comment_id, amendment_id=pk
    )
    return render(
        request,
        "amendments/comment_versions.html",
        {
            "comment": comment_,
            "amendment": comment_.amendment,
            "versions": comment_.history.order_by("-history_date", "-history_id"),
        },
    )
