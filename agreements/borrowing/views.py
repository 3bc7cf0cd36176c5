from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..amendments.services import AmendmentError, NotAllowed
from ..diffing import compare
from ..models import Agreement, SourceCheck
from ..rendering import render_markdown
from . import services
from .forms import BorrowForm, ExportUploadForm, UpdateForm
from .sources import SourceError


def _require_standing(user, message):
    if not (user.is_authenticated and user.is_in_good_standing):
        raise PermissionDenied(message)


@require_http_methods(["GET", "POST"])
def borrow(request):
    """Propose an agreement of another community: by its address, or its exported file."""
    _require_standing(request.user, _("Only members in good standing may propose amendments."))
    form = BorrowForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            source = form.source()
        except SourceError as error:
            form.add_error(form.source_field, str(error))
        else:
            if "preview" in request.POST:
                preview = {"source": source, "html": render_markdown(source.body, anchor_base="")}
            else:
                try:
                    amendment = services.borrow_agreement(
                        author=request.user,
                        source=source,
                        title=form.cleaned_data["title"],
                        rationale=form.cleaned_data["rationale"],
                    )
                except NotAllowed as error:
                    raise PermissionDenied(str(error)) from error
                except AmendmentError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(
                        request, _("Your proposal to borrow this agreement is open for discussion.")
                    )
                    return redirect(amendment)
    return render(request, "borrowing/borrow.html", {"form": form, "preview": preview})


def _update_initial(agreement, check):
    body, kept_ours = services.updated_text(agreement, check)
    return {
        "title": _("Follow version %(version)s of the source") % {"version": check.version},
        "rationale": _(
            "The source of this agreement published version %(version)s. This brings our text "
            "up to it."
        )
        % {"version": check.version},
        "body": body,
    }, kept_ours


@require_http_methods(["GET", "POST"])
def source(request, slug):
    """Where a borrowed agreement comes from, what changed there since, and how to follow it."""
    agreement = get_object_or_404(Agreement, slug=slug, origin=Agreement.Origin.BORROWED)
    check = SourceCheck.objects.filter(agreement=agreement).first()
    upload_form = ExportUploadForm()
    update_form = None
    if request.method == "POST":
        _require_standing(request.user, _("Only members in good standing may do this."))
        action = request.POST.get("action")
        if action == "check":
            check = services.check_source_now(agreement=agreement, member=request.user)
            if check.error:
                messages.error(request, check.error)
            else:
                messages.success(request, _("The source was checked just now."))
            return redirect("borrowing:source", slug=slug)
        if action == "upload":
            upload_form = ExportUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                try:
                    services.record_source_export(
                        agreement=agreement, source=upload_form.source(), member=request.user
                    )
                except SourceError as error:
                    upload_form.add_error("export_file", str(error))
                else:
                    messages.success(request, _("The uploaded export is recorded."))
                    return redirect("borrowing:source", slug=slug)
        if action == "propose":
            update_form = UpdateForm(request.POST)
            if update_form.is_valid():
                try:
                    amendment = services.propose_update(
                        agreement=agreement, author=request.user, **update_form.cleaned_data
                    )
                except NotAllowed as error:
                    raise PermissionDenied(str(error)) from error
                except AmendmentError as error:
                    update_form.add_error(
                        error.field if error.field in update_form.fields else None, str(error)
                    )
                else:
                    messages.success(
                        request, _("Your amendment is published. Its discussion is open.")
                    )
                    return redirect(amendment)
    context = {
        "agreement": agreement,
        "check": check,
        "upload_form": upload_form,
        "can_act": request.user.is_authenticated and request.user.is_in_good_standing,
    }
    if check is not None and check.has_newer_version and agreement.is_in_force:
        initial, kept_ours = _update_initial(agreement, check)
        context.update(
            source_diff=compare(services.followed_text(agreement), check.body),
            update_form=update_form or UpdateForm(initial=initial),
            kept_ours=kept_ours,
            locally_changed=services.followed_text(agreement).strip() != agreement.body.strip(),
        )
    return render(request, "borrowing/source.html", context)
