from .services import record_follow

# Reading these while logged in is following the community ("Staying informed").
READING = frozenset({"agreements", "amendments", "news"})


class FollowingMiddleware:
    """A member who reads the agreements, amendments, discussions or news is following the
    community, so is not dormant. Written at most once an hour per member (`record_follow`),
    so most pages cost nothing extra."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if (
            request.method == "GET"
            and response.status_code == 200
            and match is not None
            and match.app_name in READING
            and user is not None
            and user.is_authenticated
            and user.is_member
        ):
            record_follow(member=user)
        return response
