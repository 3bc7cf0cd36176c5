from functools import cache

from .selectors import current_suspension
from .services import is_moderator


def moderation(request):
    """Whether the visitor holds moderator power (to show the moderation links), and, for a
    suspended member, the act that suspended them (the notice on every page says why and until
    when). Both are computed only where a template asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "is_moderator": cache(lambda: is_moderator(user)),
        "suspension": cache(lambda: current_suspension(user)),
    }
