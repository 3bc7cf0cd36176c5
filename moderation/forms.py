from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.forms import SingleLineField

from .models import MAX_APPEAL_LENGTH, MAX_REASON_LENGTH, MAX_REPORT_LENGTH, AppealMessage
from .services import MAX_SUSPENSION_DAYS

CLAUSE_HELP = _(
    "The permanent link of the paragraph that allows this act: copy it from the ¶ beside the "
    "paragraph, e.g. /agreements/public-power/v/1/#p-5."
)


class ActForm(forms.Form):
    """A moderator's act on one thing; which acts are offered depends on the thing and its state."""

    act = forms.ChoiceField(label=_("Act"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason (public)"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown in the public log and in place of what is hidden."),
    )
    clause = SingleLineField(label=_("Clause invoked"), max_length=300, help_text=CLAUSE_HELP)
    days = forms.IntegerField(
        label=_("For how many days (a suspension only)"),
        min_value=1,
        max_value=MAX_SUSPENSION_DAYS,
        required=False,
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["act"].choices = choices
        if not any(value.startswith("suspend:") for value, _label in choices):
            del self.fields["days"]

    def clean(self):
        data = super().clean()
        if (data.get("act") or "").startswith("suspend:") and not data.get("days"):
            self.add_error("days", _("Say for how many days."))
        return data


class AppealForm(forms.Form):
    body = forms.CharField(
        label=_("Your message (Markdown)"),
        max_length=MAX_APPEAL_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        widget=forms.RadioSelect,
        choices=[("", _("no decision, just a message")), *AppealMessage.Decision.choices],
    )
    clause = SingleLineField(
        label=_("Clause invoked (to reverse)"),
        max_length=300,
        required=False,
        help_text=CLAUSE_HELP,
    )

    def __init__(self, *args, deciding=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not deciding:
            del self.fields["decision"]
            del self.fields["clause"]


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong, and which agreement it goes against"),
        max_length=MAX_REPORT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DismissForm(forms.Form):
    note = forms.CharField(
        label=_("Why nothing needs to be done (the reporter sees it)"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
