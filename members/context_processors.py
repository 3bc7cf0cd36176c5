from functools import cache

from .selectors import standing_notice


def membership(request):
    """For a member: what changed or will change in the agreements, on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_member:
        return {}
    # Passed uncalled: computed only on pages that show it, and once however many parts of the
    # page ask (the header's standing, the notice).
    return {"standing_notice": cache(lambda: standing_notice(user))}
