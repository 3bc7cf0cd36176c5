from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Agreement, Community, Edition
from .services import publish_version


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "founded_at", "founded_by"]
    readonly_fields = ["founded_at", "founded_by"]

    def has_add_permission(self, request):
        # Founding happens on the home page or with `manage.py found`, which also creates the idea.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["title", "slug", "origin", "status", "version", "effective_at"]
    list_filter = ["origin", "status"]
    search_fields = ["title", "slug"]
    readonly_fields = ["slug", "origin", "status", "version", "effective_at", "body_html"]
    history_list_display = ["version", "status", "change_note"]
    fields = ["title", "summary", "body", "change_note", *readonly_fields]

    def save_model(self, request, obj, form, change):
        """An edit of the text here is a new version, never a silent rewrite of the current one."""
        if not {"title", "summary", "body"} & set(form.changed_data):
            return
        publish_version(
            agreement=obj,
            body=obj.body,
            title=obj.title,
            summary=obj.summary,
            note=obj.change_note,
            user=request.user,
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Versions are kept forever; an agreement leaves force only by repeal.
        return False


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["number", "reason", "agreement", "started_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
