from django.conf import settings
from django.shortcuts import render


def username_of(request, credentials=None):
    """The username django-axes counts failures for. Usernames are case-insensitive here, so
    "Alice" and "alice" must share one count, or the limit could be walked around."""
    if credentials and credentials.get("username"):
        return credentials["username"].lower()
    return (request.POST.get("username") or "").lower()


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out person sees: what happened, how long to wait, what else to do."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )
