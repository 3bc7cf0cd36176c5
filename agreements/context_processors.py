from django.core.cache import cache

from .models import COMMUNITY_NAME_CACHE_KEY, Community


def community(request):
    """The community's name for the header and titles, cached: it is set once, at founding."""
    name = cache.get(COMMUNITY_NAME_CACHE_KEY)
    if name is None:
        current = Community.current()
        name = current.name if current else ""
        if current:
            cache.set(COMMUNITY_NAME_CACHE_KEY, name, 300)
    return {"community_name": name}
