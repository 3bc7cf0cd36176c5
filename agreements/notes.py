"""The public note a moderation act leaves on what it touched.

A hidden comment, a locked thread or a hidden display name carries a copy of the note of the
moderation entry that did it (who, when, why, under which clause, and the entry's address), so
every page that shows the thing can say so without asking the moderation app, which sits above
this one. The entry itself, with the hidden original and its appeal thread, is in the public log.
Nothing is deleted: the original text stays in its row, one click away on every page.
"""

from dataclasses import asdict, dataclass
from datetime import datetime


@dataclass(frozen=True)
class ModerationNote:
    entry_url: str
    moderator: str  # the moderator's username, shown as @username
    at: datetime
    reason: str
    clause_url: str
    clause: str  # "Power is public and accountable, version 1, § 5"

    @classmethod
    def load(cls, data):
        """The note stored in a JSON column, or None for content nobody has acted on."""
        if not data:
            return None
        return cls(**{**data, "at": datetime.fromisoformat(data["at"])})

    def dump(self):
        return {**asdict(self), "at": self.at.isoformat()}
