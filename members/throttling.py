from django.conf import settings
from django.shortcuts import render

# Longer than any username can be (150), shorter than django-axes' column (255): a 10,000-letter
# "username" is counted like any other instead of failing to be stored.
MAX_COUNTED_LENGTH = 160


def username_of(request, credentials=None):
    """The username django-axes counts failures for. Usernames are case-insensitive here, so
    "Alice" and "alice" must share one count, or the limit could be walked around."""
    if credentials and credentials.get("username"):
        username = credentials["username"]
    else:
        username = request.POST.get("username") or ""
    return username.lower().replace("\x00", "")[:MAX_COUNTED_LENGTH]


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
