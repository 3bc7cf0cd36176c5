from functools import cache

from config.pagecache import for_generation_shared, page_seconds

from .selectors import standing_notice


def membership(request):
    """For a member: what changed or will change in the agreements, on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_member:
        return {}
    # Passed uncalled: computed only on pages that show it, and once however many parts of the
    # page ask (the header's standing, the notice); kept for the member until the next public
    # write, so most pages cost one cache lookup for it.
    return {
        "standing_notice": cache(
            lambda: for_generation_shared(
                f"standing-notice:{user.pk}", lambda: standing_notice(user), page_seconds()
            )
        )
    }
