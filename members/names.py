"""Names that cannot impersonate anyone.

Wherever a name is shown, the username is shown with it (`@anna`), so the username is what
identifies a person, and it must not pass for another:

- a username is written in one script (Latin, Cyrillic, Greek, …, plus digits and `_ . - @ +`):
  `аnna` with a Cyrillic `а` is refused;
- no two names may look alike: each username and display name has a *skeleton* (lower case,
  NFKC, every character replaced by one representative of the characters it can be mistaken for,
  Unicode's confusables data via confusable-homoglyphs), and a new name whose skeleton equals
  another member's username or display name is refused, with a clear error;
- a display name is normalised before it is stored: NFKC, no control, bidi or zero-width
  characters (they can reverse or hide what is shown), single spaces.
"""

import re
import unicodedata
from functools import cache

from confusable_homoglyphs import categories, confusables
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Format (Cf: bidi controls, zero-width joiners and spaces, …) and control (Cc) characters, plus
# the line and paragraph separators: none of them belongs in a name.
INVISIBLE_CATEGORIES = {"Cf", "Cc", "Zl", "Zp"}
# Direction marks the confusables data puts around right-to-left characters.
_MARKS = "\u200e\u200f"


def clean_display_name(value):
    """NFKC, without invisible or direction-changing characters, with single spaces."""
    value = unicodedata.normalize("NFKC", value or "")
    value = "".join(ch for ch in value if unicodedata.category(ch) not in INVISIBLE_CATEGORIES)
    return " ".join(value.split())


def _order(char):
    return (not char.isascii(), ord(char))


@cache
def _representatives():
    """Each character mapped to the lowest of the characters Unicode says it can be mistaken for
    (ASCII first): Cyrillic "а" and Greek "α" become Latin "a", capital "I" and small "l" both
    "1". Only direct look-alikes: chaining them would join letters nobody confuses."""
    alike = {}
    for char, entries in confusables.confusables_data.items():
        char = char.strip(_MARKS)
        if len(char) != 1:
            continue
        for entry in entries:
            other = entry["c"].strip(_MARKS)
            if len(other) == 1:
                # Look-alike both ways: the data lists some pairs under one of the two only.
                alike.setdefault(char, {char}).add(other)
                alike.setdefault(other, {other}).add(char)
    return {char: min(chars, key=_order) for char, chars in alike.items()}


# ASCII characters that pass for each other in most fonts (capital I for small l, zero for O), and
# sequences of letters that pass for one ("rn" for "m").
_ASCII_ALIKE = str.maketrans({"0": "o", "O": "o", "1": "l", "I": "l", "|": "l"})
_SEQUENCES = re.compile(r"rn|vv|cl")
_SEQUENCE_FOR = {"rn": "m", "vv": "w", "cl": "d"}


def skeleton(value):
    """What a name looks like: equal skeletons mean two names can be mistaken for each other."""
    representatives = _representatives()
    text = "".join(clean_display_name(value).split())
    text = "".join(representatives.get(ch, ch) for ch in text).translate(_ASCII_ALIKE).casefold()
    text = "".join(representatives.get(ch, ch) for ch in text).translate(_ASCII_ALIKE)
    return _SEQUENCES.sub(lambda match: _SEQUENCE_FOR[match.group()], text)


def validate_single_script(value):
    """A username mixing scripts is how `аnna` (Cyrillic а) passes for `anna`."""
    if confusables.is_mixed_script(value):
        scripts = sorted(categories.unique_aliases(value) - {"COMMON"})
        raise ValidationError(
            _(
                "A username must be written in one script; this one mixes %(scripts)s "
                "characters, so it could pass for someone else's."
            ),
            code="mixed_script",
            params={"scripts": " + ".join(scripts).title()},
        )
