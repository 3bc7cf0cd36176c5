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
            "bio": _("Public. Plain text, up to 2000 characters."),
        }

    def clean(self):
        data = super().clean()
        if data.get("is_volunteer") and not (data.get("volunteer_offer") or "").strip():
            self.add_error("volunteer_offer", _("Say in a few words what you offer."))
        if data.get("email_digest") and not data.get("email"):
            self.add_error("email", _("A digest needs an email address to go to."))
        return data


class AcceptForm(forms.Form):
    """The versions a person was shown, as posted back: one `v-<agreement id>` field each.

    Posting the version (not just "accept") is what lets the service notice that a new version
    took effect while the page was open, instead of accepting text nobody has read.
    """

    complete = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        versions = {}
        for name, value in self.data.items():
            if not name.startswith("v-"):
                continue
            try:
                agreement_id, version = int(name[2:]), int(value)
            except ValueError:
                raise forms.ValidationError(_("The form was damaged; please try again.")) from None
            if agreement_id <= 0 or not 0 < version < 2**31:
                raise forms.ValidationError(_("The form was damaged; please try again."))
            versions[agreement_id] = version
        if not versions:
            raise forms.ValidationError(_("There was nothing to accept."))
        data["versions"] = versions
        return data
