"""The procedure's values live in the text of "How amendments are decided", as a table.

The text decides ("ambiguity is always resolved by the text"), so the numbers the site applies
are read from the table in the version in force of that agreement, and an amendment that changes a
number changes a visible line of the text, shown in its diff like any other change. The table is
written once, at founding, from the installation's defaults; after that only amendments change it.

    | Value | Setting |
    | --- | --- |
    | Discussion period | 7 days |
    | Quorum: share of members in good standing | 5 % |
    …

Rows are recognised by their label in English or Russian, so a community's text in either
language is read the same way; every value must be present exactly once, with its unit, except
values added after a community's text was written (`Value.required`), which keep the value in
force until an amendment adds their row.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Where the table goes in a shipped standard text; replaced at founding.
TABLE_MARKER = "[[procedure-values]]"

DAYS, PERCENT, VOTES, TIMES = "days", "percent", "votes", "times"


@dataclass(frozen=True)
class Value:
    field: str
    unit: str
    labels: dict  # language → label, as written in the text's table
    # A value added to the table after communities were founded with it: a text written before
    # it existed may lack its row, and then the value in force stays as it is until an
    # amendment adds the row. Every other value must be in the table.
    required: bool = True


VALUES = (
    Value("discussion_days", DAYS, {"en": "Discussion period", "ru": "Срок обсуждения"}),
    Value("voting_days", DAYS, {"en": "Voting period", "ru": "Срок голосования"}),
    Value(
        "quorum_percent",
        PERCENT,
        {
            "en": "Quorum: share of members in good standing",
            "ru": "Кворум: доля полноправных участников",
        },
    ),
    Value(
        "quorum_minimum",
        VOTES,
        {"en": "Quorum: minimum number of votes", "ru": "Кворум: наименьшее число голосов"},
    ),
    Value(
        "threshold_percent",
        PERCENT,
        {"en": "Approval threshold: support more than", "ru": "Порог принятия: «за» более"},
    ),
    Value(
        "effect_delay_days", DAYS, {"en": "Delay before effect", "ru": "Отсрочка вступления в силу"}
    ),
    Value(
        "grace_days",
        DAYS,
        {"en": "Time to accept a change", "ru": "Срок для принятия изменения"},
    ),
    Value(
        "entrenched_threshold_percent",
        PERCENT,
        {
            "en": "Entrenched texts: support more than",
            "ru": "Защищённые тексты: «за» более",
        },
    ),
    Value(
        "entrenched_discussion_factor",
        TIMES,
        {
            "en": "Entrenched texts: discussion period multiplied by",
            "ru": "Защищённые тексты: срок обсуждения умножается на",
        },
    ),
    Value(
        "moderator_term_days",
        DAYS,
        {"en": "Moderator power lasts", "ru": "Срок полномочий модератора"},
        required=False,
    ),
    Value(
        "occasion_nomination_days",
        DAYS,
        {
            "en": "Choosing a speaker: nominations",
            "ru": "Выбор выступающего: выдвижение",
        },
        required=False,
    ),
    Value(
        "occasion_voting_days",
        DAYS,
        {
            "en": "Choosing a speaker: voting",
            "ru": "Выбор выступающего: голосование",
        },
        required=False,
    ),
)
FIELDS = tuple(value.field for value in VALUES)
HEADERS = {"en": ("Value", "Setting"), "ru": ("Значение", "Установлено")}


def _russian_plural(number, one, few, many):
    if number % 10 == 1 and number % 100 != 11:
        return one
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return few
    return many


def format_value(value, number, language):
    """A value as the table writes it: "7 days", "5 %", "3", "2×"; Russian uses a decimal comma."""
    if value.unit == DAYS:
        if language == "ru":
            return f"{number} {_russian_plural(number, 'день', 'дня', 'дней')}"
        return f"{number} {'day' if number == 1 else 'days'}"
    if value.unit == PERCENT:
        text = format(Decimal(number).normalize(), "f")
        return f"{text.replace('.', ',') if language == 'ru' else text} %"
    if value.unit == TIMES:
        return f"{number}×"
    return str(number)


def table(values, language):
    """The Markdown table of `values` (a mapping field → value) in `language` ("en" or "ru")."""
    language = language if language in HEADERS else "en"
    head = HEADERS[language]
    lines = [f"| {head[0]} | {head[1]} |", "| --- | --- |"]
    for value in VALUES:
        lines.append(
            f"| {value.labels[language]} | {format_value(value, values[value.field], language)} |"
        )
    return "\n".join(lines)


def write_table(body, values, language):
    """The shipped text with its marker replaced by the table of `values`."""
    return body.replace(TABLE_MARKER, table(values, language))


_UNIT_PATTERNS = {
    DAYS: re.compile(r"^(\d{1,4})\s*(?:days?|день|дня|дней)$", re.IGNORECASE),
    PERCENT: re.compile(r"^(\d{1,3}(?:[.,]\d{1,2})?)\s*%$"),
    VOTES: re.compile(r"^(\d{1,7})(?:\s*(?:votes?|голос|голоса|голосов))?$", re.IGNORECASE),
    TIMES: re.compile(r"^(\d{1,2})\s*(?:×|x|times|раза?)?$", re.IGNORECASE),
}
_ROW = re.compile(r"^\s*\|(?P<label>[^|]+)\|(?P<setting>[^|]+)\|\s*$")


def _normal(label):
    return " ".join(label.replace("*", "").split()).casefold()


_BY_LABEL = {_normal(label): value for value in VALUES for label in value.labels.values()}


def read_table(body, model):
    """The values written in `body`'s table, checked against `model`'s field validators.

    Raises ValidationError with every problem found, each naming the row, so the author sees at
    once what to fix. Rows whose label is not a procedure value are ignored (the text may hold
    other tables).
    """
    found, errors = {}, []
    for line in (body or "").splitlines():
        match = _ROW.match(line)
        if not match:
            continue
        value = _BY_LABEL.get(_normal(match["label"]))
        if value is None:
            continue
        label, setting = match["label"].strip(), match["setting"].strip()
        if value.field in found:
            errors.append(_("“%(label)s” appears twice in the table.") % {"label": label})
            continue
        number = _parse(value, setting)
        if number is None:
            errors.append(
                _("“%(label)s”: “%(setting)s” is not a value like “%(example)s”.")
                % {"label": label, "setting": setting, "example": _example(value)}
            )
            continue
        field = model._meta.get_field(value.field)
        try:
            field.run_validators(number)
        except ValidationError as error:
            errors.append(f"“{label}”: {' '.join(error.messages)}")
            continue
        found[value.field] = number
    missing = [
        value.labels["en"] for value in VALUES if value.required and value.field not in found
    ]
    if missing and not errors:
        errors.append(
            _("The table of values in force must list: %(rows)s.") % {"rows": "; ".join(missing)}
        )
    if errors:
        raise ValidationError(errors)
    return found


def _parse(value, setting):
    match = _UNIT_PATTERNS[value.unit].match(setting.replace("\u00a0", " "))
    if not match:
        return None
    try:
        number = Decimal(match[1].replace(",", "."))
    except InvalidOperation:
        return None
    return number if value.unit == PERCENT else int(number)


def _example(value):
    return format_value(
        value, {DAYS: 7, PERCENT: Decimal("5"), VOTES: 3, TIMES: 2}[value.unit], "en"
    )
