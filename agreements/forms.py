import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .as_of import AsOfError, parse_as_of
from .models import MAX_TEXT_LENGTH, PROCEDURE_SLUG, Amendment, Comment, Vote
from .models.amendment import MAX_RATIONALE_LENGTH
from .texts import standard_texts

# Every character that starts a new line somewhere: in a title it could forge a line of the
# Markdown export's header, an e-mail header or a feed, so one-line fields refuse them.
LINE_BREAKS = re.compile("[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


def validate_single_line(value):
    if LINE_BREAKS.search(value or ""):
        raise ValidationError(
            _("This field is a single line: remove the line breaks."), code="line_break"
        )


class SingleLineField(forms.CharField):
    """A one-line text (titles, names, summaries): line breaks are refused with a clear error."""

    default_validators = [validate_single_line]


class CompareForm(forms.Form):
    a = forms.TypedChoiceField(label=_("From version"), coerce=int)
    b = forms.TypedChoiceField(label=_("to version"), coerce=int)

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, str(n)) for n in range(agreement.version, 0, -1)]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices
        if not self.is_bound and "a" not in self.initial:
            self.initial = {"a": max(agreement.version - 1, 1), "b": agreement.version}


class AsOfForm(forms.Form):
    """The date picker of the past views: a date (the end of that day) or a date and time."""

    as_of = forms.CharField(
        label=_("Show the agreements as they stood on"),
        max_length=32,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A date means the end of that day: every change made that day included."),
    )

    def __init__(self, *args, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now

    def clean_as_of(self):
        if not self.cleaned_data["as_of"].strip():
            raise forms.ValidationError(_("Choose a date."))
        try:
            return parse_as_of(self.cleaned_data["as_of"], now=self.now)
        except AsOfError as error:
            raise forms.ValidationError(str(error)) from error


class FoundingForm(forms.Form):
    name = SingleLineField(label=_("Name of the community"), max_length=120)
    idea_title = SingleLineField(
        label=_("Title of the idea"),
        max_length=200,
        initial=_("Our idea"),
    )
    idea_body = forms.CharField(
        label=_("The idea and the call to unite (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=MAX_TEXT_LENGTH,
        help_text=_(
            "What the community is, why people unite, and the call to join. This becomes the "
            "first agreement; after founding it changes only through an amendment."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the agreements"),
        choices=settings.LANGUAGES,
    )
    people_to_form = forms.IntegerField(
        label=_("People needed to form the community"),
        min_value=1,
        max_value=1000,
        initial=3,
        required=False,
        help_text=_(
            "A community begins when several people agree: until this many people have accepted "
            "its agreements it is forming, and no amendment can be proposed."
        ),
    )
    standard_slugs = forms.MultipleChoiceField(
        label=_("Standard agreements to include"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean_people_to_form(self):
        # Left empty: the usual three.
        value = self.cleaned_data["people_to_form"]
        return 3 if value is None else value

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        texts = [t for t in standard_texts(get_language()) if t.slug != PROCEDURE_SLUG]
        self.fields["standard_slugs"].choices = [
            (text.slug, f"{text.title} — {text.summary}") for text in texts
        ]
        if not self.is_bound:
            self.initial.setdefault("standard_slugs", [text.slug for text in texts])


class AmendmentForm(forms.Form):
    """Propose or revise an amendment. Which fields appear depends on its kind; the procedure
    fields appear only for a change to the agreement that sets the procedure."""

    title = SingleLineField(
        label=_("Title of the amendment"),
        max_length=200,
        help_text=_("What the amendment does, in a few words."),
    )
    proposed_title = SingleLineField(label=_("Title of the agreement"), max_length=200)
    proposed_summary = SingleLineField(
        label=_("Summary of the agreement"), max_length=300, required=False
    )
    body = forms.CharField(
        label=_("Full proposed text (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 22}),
        max_length=MAX_TEXT_LENGTH,
        strip=False,
        help_text=_("The whole agreement as it would read."),
    )
    rationale = forms.CharField(
        label=_("Rationale (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_RATIONALE_LENGTH,
        help_text=_("Why this change: what problem it solves, what it costs."),
    )
    source_url = forms.URLField(
        assume_scheme="https",
        max_length=200,
        label=_("Borrowed from (address)"),
        required=False,
        help_text=_("If this agreement comes from another community, its address there."),
    )
    source_version = SingleLineField(
        label=_("Version at the source"), max_length=40, required=False
    )
    note = SingleLineField(
        label=_("What this revision changes"),
        max_length=300,
        help_text=_("Shown in the list of revisions."),
    )

    def __init__(self, *args, kind, agreement=None, procedure=None, revising=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == Amendment.Kind.REPEAL:
            for name in ("proposed_title", "proposed_summary", "body"):
                del self.fields[name]
        if kind != Amendment.Kind.NEW:
            del self.fields["source_url"]
            del self.fields["source_version"]
        if not revising:
            del self.fields["note"]
        # The procedure's numbers are the table in its text: changing one is changing the text.
        self.sets_procedure = (
            kind == Amendment.Kind.CHANGE
            and procedure is not None
            and agreement is not None
            and procedure.agreement_id == agreement.pk
        )
        if self.sets_procedure:
            self.fields["body"].help_text = _(
                "The whole agreement as it would read. The numbers the site applies are those in "
                "its table of values in force: to change one, change it in the table."
            )

    def service_arguments(self):
        data = dict(self.cleaned_data)
        data.pop("note", None)
        return data


class VoteForm(forms.Form):
    choice = forms.ChoiceField(choices=Vote.Choice.choices)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=Comment.MAX_LENGTH,
        help_text=_("Markdown works: *emphasis*, **strong**, lists, links. HTML is shown as text."),
    )
    paragraph = forms.TypedChoiceField(
        label=_("About paragraph"), coerce=int, required=False, empty_value=None
    )
    parent = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )

    def __init__(self, *args, clauses=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paragraph"].choices = [("", _("the whole amendment"))] + [
            (n, f"¶ {n}") for n in range(1, clauses + 1)
        ]
