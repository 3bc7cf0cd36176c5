"""One line saying what an entry of the log is: who did what to what. Plain text (feeds, titles);
the pages show the same with links. Names appear as @username, which cannot be impersonated."""

from django.utils.translation import gettext as _

from .models import ModerationAction

Target = ModerationAction.Target


def subject(action):
    """What the act was about, named without its (possibly hidden) words."""
    target = action.target
    if target == Target.COMMENT and action.comment_id:
        return _("comment #%(number)s on amendment #%(amendment)s") % {
            "number": action.comment_id,
            "amendment": action.comment.amendment_id,
        }
    if target == Target.AMENDMENT:
        return _("amendment #%(number)s") % {"number": action.amendment_id}
    if target == Target.THREAD:
        return _("the discussion of amendment #%(number)s") % {"number": action.amendment_id}
    if target == Target.POST:
        return _("news post #%(number)s") % {"number": action.post_id}
    if target == Target.DISPLAY_NAME:
        return _("the display name of @%(username)s") % {"username": action.member.username}
    if target == Target.PROFILE:
        return _("the profile text of @%(username)s") % {"username": action.member.username}
    if target == Target.MEMBER:
        return f"@{action.member.username}"
    if target == Target.ENTRY:
        return _("entry #%(number)s") % {"number": action.reverses_id}
    if target == Target.COMMUNITY:
        return _("the name of the community")
    return ""


def describe(action):
    who = f"@{action.actor.username}" if action.actor else _("the site")
    return _("%(who)s: %(act)s — %(subject)s") % {
        "who": who,
        "act": action.get_act_display(),
        "subject": subject(action),
    }
