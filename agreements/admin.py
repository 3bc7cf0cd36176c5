"""The admin is for installation and emergencies only. Nothing public changes here: agreement
texts change only through adopted amendments, so every model is shown read-only, with history."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .forms import SingleLineField
from .models import Agreement, Amendment, Comment, Community, Edition, Procedure
from .services import rename_community


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CommunityForm(forms.ModelForm):
    name = SingleLineField(label=_("Name of the community"), max_length=120)
    reason = forms.CharField(
        label=_("Reason for the change (public)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Written to the public moderation log with the old and the new name."),
    )

    class Meta:
        model = Community
        fields = ["name"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    """Renaming is the one change the admin allows here, and it is logged in public."""

    form = CommunityForm
    list_display = ["name", "language", "founded_at", "founded_by", "formed_at"]
    # How many people form it is set at founding and formation is recorded once: not by hand.
    readonly_fields = ["language", "founded_at", "founded_by", "people_to_form", "formed_at"]

    def save_model(self, request, obj, form, change):
        rename_community(
            name=form.cleaned_data["name"], reason=form.cleaned_data["reason"], user=request.user
        )

    def has_add_permission(self, request):
        # Founding happens on the home page or with `manage.py found`, which also creates the idea.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["title", "slug", "origin", "status", "version", "effective_at"]
    list_filter = ["origin", "status"]
    search_fields = ["title", "slug"]
    history_list_display = ["version", "status", "change_note"]


@admin.register(Amendment)
class AmendmentAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["title", "kind", "agreement", "phase", "author", "proposed_at"]
    list_filter = ["phase", "kind"]
    search_fields = ["title"]
    history_list_display = ["revision", "phase", "revision_note"]


@admin.register(Comment)
class CommentAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["amendment", "author", "created_at", "edited_at"]


@admin.register(Procedure)
class ProcedureAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["version", "agreement", "discussion_days", "voting_days", "quorum_percent"]


@admin.register(Edition)
class EditionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["number", "reason", "agreement", "started_at"]
