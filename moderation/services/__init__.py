"""Every use of power, as a public act: one transaction per act, each writing its log entry.

Standard agreement "Power is public and accountable":
- power exists only as granted: the installer grants moderator power to a member in good standing,
  for the term the procedure sets (`Procedure.moderator_term_days`); the grant lapses by itself at
  the end of it (`end_lapsed_grants`, run by `manage.py advance`), or is revoked earlier;
- every act names its reason and the clause that allows it, and is an entry of the public log;
- nothing is deleted: hidden content stays in its row behind a note, its text kept in the entry;
- any member may appeal an act in its public thread; a moderator other than the one who acted
  answers, and a reversal is an act of its own;
- no one acts on their own content or on themselves.
"""

from .acts import MAX_SUSPENSION_DAYS, act, lock_subject, record_installer_change
from .appeals import affected_member_ids, may_appeal, may_decide, post_appeal
from .common import ModerationError, NotAllowed
from .power import (
    current_grants,
    end_lapsed_grants,
    grant_power,
    is_moderator,
    open_grant,
    revoke_power,
)
from .reports import REPORTABLE, dismiss_report, file_report

__all__ = [
    "MAX_SUSPENSION_DAYS",
    "REPORTABLE",
    "ModerationError",
    "NotAllowed",
    "act",
    "affected_member_ids",
    "current_grants",
    "dismiss_report",
    "end_lapsed_grants",
    "file_report",
    "grant_power",
    "is_moderator",
    "lock_subject",
    "may_appeal",
    "may_decide",
    "open_grant",
    "post_appeal",
    "record_installer_change",
    "revoke_power",
]
