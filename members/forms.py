from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupForm(UserCreationForm):
    """Username (unique whatever its case: Django's UserCreationForm checks that), password,
    and optionally an email address (only for password resets and digests; never shown)."""

    class Meta:
        model = User
        fields = ["username", "display_name", "email", "language"]
        help_texts = {
            "display_name": _("Shown instead of your username, if you like. Optional."),
            "email": _(
                "Optional. Only for resetting your password and for news you ask for. "
                "Never shown to anyone."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["email"].widget.attrs.update(autocomplete="email")


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class SettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "display_name",
            "bio",
            "email",
            "language",
            "is_volunteer",
            "volunteer_offer",
            "auto_follow",
            "email_digest",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 5}),
            "volunteer_offer": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "email": _("Never shown to anyone. Used for password resets and the news you ask for."),
            "bio": _("Public. Plain text."),
        }

    def clean(self):
        data = super().clean()
        if data.get("is_volunteer") and not (data.get("volunteer_offer") or "").strip():
            self.add_error("volunteer_offer", _("Say in a few words what you offer."))
        if data.get("email_digest") and not data.get("email"):
            self.add_error("email", _("A digest needs an email address to go to."))
        return data


class AcceptForm(forms.Form):
    """What a person was shown, as posted back: a `v-<agreement id>` field with the version of
    each agreement, and a `c-<amendment id>` field with the revision of each announced change.

    Posting what was shown (not just "accept") is what lets the service notice that a new
    version took effect while the page was open, instead of accepting text nobody has read.
    """

    complete = forms.BooleanField(required=False)

    PREFIXES = {"v-": "versions", "c-": "changes"}

    def clean(self):
        data = super().clean()
        found = {"versions": {}, "changes": {}}
        for name, value in self.data.items():
            target = next((v for k, v in self.PREFIXES.items() if name.startswith(k)), None)
            if target is None:
                continue
            key, number = name[2:], value
            if not (key.isascii() and key.isdigit() and number.isascii() and number.isdigit()):
                raise forms.ValidationError(_("The form was damaged; please try again."))
            key, number = int(key), int(number)
            if not (0 < key < 2**63 and 0 < number < 2**31):
                raise forms.ValidationError(_("The form was damaged; please try again."))
            found[target][key] = number
        if not found["versions"] and not found["changes"]:
            raise forms.ValidationError(_("There was nothing to accept."))
        data.update(found)
        return data
