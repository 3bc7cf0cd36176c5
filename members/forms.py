from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agreements.forms import validate_single_line

from .models import User
from .names import clean_display_name, skeleton, validate_single_script


def look_alike(name, exclude=None):
    """Another account whose username or display name can be mistaken for `name`, or None."""
    key = skeleton(name)
    if not key:
        return None
    others = User.objects.filter(Q(username_key=key) | Q(display_name_key=key))
    if exclude is not None and exclude.pk:
        others = others.exclude(pk=exclude.pk)
    return others.only("username").first()


class NameChecks:
    """Usernames and display names that cannot impersonate anyone (members/names.py)."""

    def clean_display_name(self):
        name = clean_display_name(self.cleaned_data.get("display_name"))
        validate_single_line(name)
        other = look_alike(name, exclude=self.instance) if name else None
        if other is not None:
            raise forms.ValidationError(
                _(
                    "This name can be mistaken for the name of another member (@%(other)s); "
                    "choose one that cannot."
                ),
                code="look_alike",
                params={"other": other.username},
            )
        return name


class SignupForm(NameChecks, UserCreationForm):
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

    def clean_username(self):
        username = super().clean_username()
        if username is None:
            return None  # taken, whatever its case: Django's own error says so
        validate_single_script(username)
        other = look_alike(username)
        if other is not None:
            raise forms.ValidationError(
                _(
                    "This username can be mistaken for the name of another member "
                    "(@%(other)s); choose one that cannot."
                ),
                code="look_alike",
                params={"other": other.username},
            )
        return username


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class SettingsForm(NameChecks, forms.ModelForm):
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


class FollowForm(forms.Form):
    """What the follow buttons post: one of an agreement, an amendment or a member."""

    agreement = forms.SlugField(required=False, max_length=80)
    amendment = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    member = forms.CharField(required=False, max_length=150)
    action = forms.ChoiceField(
        required=False, choices=[("follow", "follow"), ("unfollow", "unfollow")]
    )
