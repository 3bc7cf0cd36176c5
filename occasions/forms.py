from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Procedure

from .models import MAX_ANSWER, MAX_DESCRIPTION, MAX_QUESTION, MAX_STATEMENT, Occasion

MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


def _moment_field(label, help_text=""):
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        input_formats=[MOMENT_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=MOMENT_FORMAT),
    )


def _next_hour(moment):
    return moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def default_deadlines(now=None):
    """Nominations and voting for the periods the procedure in force sets, from the next full
    hour (so each period is at least as long as the procedure says)."""
    procedure = Procedure.current()
    start = _next_hour(timezone.localtime(now or timezone.now()))
    nominations = start + timedelta(days=procedure.occasion_nomination_days)
    return nominations, nominations + timedelta(days=procedure.occasion_voting_days)


class OccasionForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=Occasion._meta.get_field("title").max_length,
        help_text=_("Where the community is to be represented: a fair, an interview, a meeting."),
    )
    description = forms.CharField(
        label=_("Description (Markdown)"),
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the occasion is, who will be there, what will be asked."),
    )
    place = forms.CharField(
        label=_("Place"), max_length=Occasion._meta.get_field("place").max_length
    )
    starts_at = _moment_field(_("Date and time of the occasion"))
    nominations_close_at = _moment_field(
        _("Nominations close"), _("Members nominate themselves until then (at least one day).")
    )
    voting_closes_at = _moment_field(
        _("Voting closes"),
        _("Members vote for one nominee until then (at least one day), before the occasion."),
    )

    def __init__(self, *args, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            nominations, voting = default_deadlines(now)
            self.initial.setdefault("nominations_close_at", nominations)
            self.initial.setdefault("voting_closes_at", voting)
        zone = timezone.get_current_timezone_name()
        for name in ("starts_at", "nominations_close_at", "voting_closes_at"):
            field = self.fields[name]
            field.help_text = (f"{field.help_text} " if field.help_text else "") + _(
                "Time zone: %(zone)s."
            ) % {"zone": zone}


class NominationForm(forms.Form):
    statement = forms.CharField(
        label=_("Your statement"),
        max_length=MAX_STATEMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "A few words: why you would speak for the community. As its speaker you say only "
            "what the agreements in force say."
        ),
    )


class SpeakerVoteForm(forms.Form):
    nomination = forms.TypedChoiceField(
        label=_("Your vote"), coerce=int, widget=forms.RadioSelect, choices=()
    )

    def __init__(self, *args, nominations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nomination"].choices = [(n.pk, n.member.public_name) for n in nominations]
        self.fields["nomination"].error_messages["required"] = _("Choose one of the nominees.")


class AnswerForm(forms.Form):
    question = forms.CharField(label=_("Question asked"), max_length=MAX_QUESTION, required=False)
    answer = forms.CharField(
        label=_("Answer given (Markdown), citing clauses"),
        max_length=MAX_ANSWER,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Cite every clause the answer rests on by its ¶ link from the brief, e.g. "
            "/agreements/idea/v/1/#p-2."
        ),
    )


ROWS = 3
MAX_ROWS = 30


def answer_formset(data=None, rows=ROWS):
    formset_class = forms.formset_factory(
        AnswerForm, extra=rows, max_num=MAX_ROWS, absolute_max=MAX_ROWS, validate_max=True
    )
    return formset_class(data, prefix="answers")
