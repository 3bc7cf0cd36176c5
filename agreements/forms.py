from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .texts import standard_texts


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


class FoundingForm(forms.Form):
    name = forms.CharField(label=_("Name of the community"), max_length=120)
    idea_title = forms.CharField(
        label=_("Title of the idea"),
        max_length=200,
        initial=_("Our idea"),
    )
    idea_body = forms.CharField(
        label=_("The idea and the call to unite (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=200_000,
        help_text=_(
            "What the community is, why people unite, and the call to join. This becomes the "
            "first agreement; after founding it changes only through an amendment."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the agreements"),
        choices=settings.LANGUAGES,
    )
    standard_slugs = forms.MultipleChoiceField(
        label=_("Standard agreements to include"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        texts = standard_texts(get_language())
        self.fields["standard_slugs"].choices = [
            (text.slug, f"{text.title} — {text.summary}") for text in texts
        ]
        if not self.is_bound:
            self.initial.setdefault("standard_slugs", [text.slug for text in texts])
