from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import MAX_TEXT_LENGTH, Amendment
from .sources import MAX_EXPORT_BYTES, SourceError, from_address, from_export

RATIONALE_LENGTH = 20_000


def _read_upload(upload):
    if upload.size > MAX_EXPORT_BYTES:
        raise SourceError(_("The file is too large to be an agreement's export."))
    return upload.read()


class BorrowForm(forms.Form):
    """Where the agreement comes from (an address, or its exported file) and why to adopt it."""

    address = forms.URLField(
        assume_scheme="https",
        label=_("Address of the agreement on the other community's site"),
        max_length=Amendment._meta.get_field("source_url").max_length,
        required=False,
        help_text=_("For example https://example.org/agreements/quiet-hours/"),
    )
    export_file = forms.FileField(
        label=_("…or the agreement's exported Markdown file (.md)"),
        required=False,
        help_text=_("The file its page offers under “Markdown”. At most 1 MB."),
    )
    # After a preview the uploaded file's text travels in the form, so it is not asked again.
    export_text = forms.CharField(
        required=False, widget=forms.HiddenInput, max_length=MAX_EXPORT_BYTES, strip=False
    )
    title = forms.CharField(
        label=_("Title of the amendment"),
        max_length=Amendment._meta.get_field("title").max_length,
        required=False,
        help_text=_("Leave empty for “Borrow … (version n at its source)”."),
    )
    rationale = forms.CharField(
        label=_("Rationale (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=RATIONALE_LENGTH,
        help_text=_("Why this community should adopt it."),
    )

    def clean(self):
        data = super().clean()
        given = [
            bool(data.get("address")),
            bool(data.get("export_file") or data.get("export_text")),
        ]
        if not any(given):
            raise forms.ValidationError(
                _("Give the agreement's address, or upload its exported file.")
            )
        if all(given):
            raise forms.ValidationError(_("Give either an address or a file, not both."))
        return data

    def source(self):
        """Fetch or read the agreement; SourceError (with `field` set) says why it cannot be."""
        data = self.cleaned_data
        if data.get("export_file"):
            self.source_field = "export_file"
            text = _read_upload(data["export_file"])
            source = from_export(text)
            self.data = self.data.copy()
            self.data["export_text"] = text.decode("utf-8")
            return source
        if data.get("export_text"):
            self.source_field = "export_file"
            return from_export(data["export_text"].encode("utf-8"))
        self.source_field = "address"
        return from_address(data["address"])


class ExportUploadForm(forms.Form):
    export_file = forms.FileField(
        label=_("A newer export of the source (.md)"),
        help_text=_(
            "For a source this site cannot reach: the file its page offers under “Markdown”."
        ),
    )

    def source(self):
        return from_export(_read_upload(self.cleaned_data["export_file"]))


class UpdateForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the amendment"), max_length=Amendment._meta.get_field("title").max_length
    )
    body = forms.CharField(
        label=_("Full proposed text (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 18}),
        max_length=MAX_TEXT_LENGTH,
        strip=False,
    )
    rationale = forms.CharField(
        label=_("Rationale (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=RATIONALE_LENGTH,
    )
