from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.forms import SingleLineField

from .models import MAX_POST_LENGTH


class PostForm(forms.Form):
    title = SingleLineField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=MAX_POST_LENGTH,
        help_text=_("Markdown works; HTML is shown as text. At most 20,000 characters."),
    )
