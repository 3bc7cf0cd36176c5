from .selectors import standing_notice


def membership(request):
    """For a member: what changed or will change in the agreements, on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_member:
        return {}
    # Passed uncalled: the template calls it once, where the notice is shown.
    return {"standing_notice": lambda: standing_notice(user)}
