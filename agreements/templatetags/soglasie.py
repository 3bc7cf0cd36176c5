"""Template filters for what every page says about time and versions.

`time_until` replaces Django's `timeuntil`, whose units cannot agree with the words around them
in Russian («через 1 неделя»): ours are pluralised by the catalogue, in the form that follows
"in" («через 1 неделю, 2 дня»), and never use weeks or months, so they read like the procedure's
own "7 days".
"""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import npgettext

from agreements.models.agreement import change_note_text

register = template.Library()

MINUTE, HOUR, DAY = 60, 3600, 86400


def _days(n):
    return npgettext("in a duration", "%(count)d day", "%(count)d days", n) % {"count": n}


def _hours(n):
    return npgettext("in a duration", "%(count)d hour", "%(count)d hours", n) % {"count": n}


def _minutes(n):
    return npgettext("in a duration", "%(count)d minute", "%(count)d minutes", n) % {"count": n}


def duration(seconds):
    """A span of time in at most two adjacent units, the smaller left out when it is zero:
    "6 days, 23 hours", "2 hours", "9 minutes"."""
    seconds = max(0, int(seconds))
    if seconds < MINUTE:
        return _("less than a minute")
    days, rest = divmod(seconds, DAY)
    hours, rest = divmod(rest, HOUR)
    minutes = rest // MINUTE
    if days:
        parts = [_days(days)] + ([_hours(hours)] if hours else [])
    elif hours:
        parts = [_hours(hours)] + ([_minutes(minutes)] if minutes else [])
    else:
        parts = [_minutes(minutes)]
    return ", ".join(parts)


@register.filter
def time_until(moment, now=None):
    """How long until `moment`, for "ends in …" / "in …"."""
    if not moment:
        return ""
    return duration((moment - (now or timezone.now())).total_seconds())


@register.filter
def change_note(record):
    """A version's change note in the reader's language (see `change_note_text`)."""
    return change_note_text(record)


@register.filter
def help_block(field):
    """What a form field's help says: its help text, and its length limit, stated before it is
    reached (always for a text box, which also gets a live count; for a one-line field unless the
    help text already gives the number, as Django's username help does)."""
    limit = getattr(field.field, "max_length", None)
    kind = field.widget_type
    counted = bool(limit) and kind == "textarea"
    stated = counted or (
        bool(limit) and kind in ("text", "url") and str(limit) not in str(field.help_text or "")
    )
    return {
        "show": bool(field.help_text) or stated,
        "limit": limit if stated else None,
        "count": counted,
    }


@register.filter
def described(field):
    """The field's widget pointing at its help block (and its errors), which Django does only
    when there is help text, not when the block states just a limit."""
    ids = [f"{field.auto_id}_helptext"]
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return field.as_widget(attrs={"aria-describedby": " ".join(ids)})


@register.simple_tag
def version_options(latest, selected):
    """The <option>s of a version picker, newest first, written directly (numbers only, so
    nothing to escape): through a form widget's templates fifty versions cost milliseconds."""
    return mark_safe(  # noqa: S308 - integers only
        "".join(
            f'<option value="{n}"{" selected" if n == selected else ""}>{n}</option>'
            for n in range(latest, 0, -1)
        )
    )
