def membership(request):
    """For a member who has not accepted the latest versions: what to accept, on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_member:
        return {}
    # Passed uncalled: the template calls it only where the notice is shown.
    return {"outdated_agreements": user.outdated_agreements}
